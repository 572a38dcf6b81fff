# Differential expression (results/differential/<contrast>/): DESeq2 through pydeseq2 on the raw counts,
# one job per contrast of config `differential.contrasts`; none configured, no jobs.
from exomir.differential.design import MIN_GROUP_SAMPLES, contrast_problems, contrasts_of

DIFFERENTIAL = config["differential"]
CONTRASTS = {contrast.name: contrast for contrast in contrasts_of(DIFFERENTIAL)}
# Unknown conditions and groups too small for DESeq2 stop the run before any job, all at once.
_problems = contrast_problems(list(CONTRASTS.values()), SAMPLES["condition"], MIN_GROUP_SAMPLES)
if _problems:
    raise WorkflowError("invalid differential contrasts:\n  " + "\n  ".join(_problems))

DIFFERENTIAL_FILES = {
    "table": "results/differential/{contrast}/results.tsv",
    "volcano_png": "results/differential/{contrast}/volcano.png",
    "volcano_svg": "results/differential/{contrast}/volcano.svg",
    "heatmap_png": "results/differential/{contrast}/heatmap.png",
    "heatmap_svg": "results/differential/{contrast}/heatmap.svg",
    "mqc_table": "results/differential/{contrast}/{contrast}_differential_mqc.tsv",
    "mqc_figures": "results/differential/{contrast}/{contrast}_differential_figures_mqc.html",
    "summary": "results/differential/{contrast}/summary.json",
}
REPORT_EXTRAS += expand([DIFFERENTIAL_FILES["mqc_table"], DIFFERENTIAL_FILES["mqc_figures"]], contrast=CONTRASTS)
STAGE_OUTPUTS += expand(list(DIFFERENTIAL_FILES.values()), contrast=CONTRASTS)
SCORED_EXTRAS["differential"] = expand(DIFFERENTIAL_FILES["table"], contrast=CONTRASTS)


rule differential:
    input:
        h5ad="results/counts/mirna.h5ad",
    output:
        **DIFFERENTIAL_FILES,
    log:
        "logs/differential/{contrast}.log",
    benchmark:
        "benchmarks/differential/{contrast}.tsv"
    wildcard_constraints:
        contrast="|".join(map(re.escape, CONTRASTS)) or "(?!)",
    conda:
        "../../envs/differential.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=60,
    params:
        contrast=lambda wildcards: {
            "case": list(CONTRASTS[wildcards.contrast].case),
            "control": list(CONTRASTS[wildcards.contrast].control),
        },
        conditions=dict(zip(SAMPLES.index, SAMPLES["condition"])),
        batches=dict(zip(SAMPLES.index, SAMPLES["batch"])),
        min_count=DIFFERENTIAL["min_count"],
        alpha=DIFFERENTIAL["alpha"],
        top=DIFFERENTIAL["top"],
    script:
        "../scripts/differential.py"
