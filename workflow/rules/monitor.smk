# Monitoring of therapy response (results/monitor/): for every patient of the sheet with at least two
# samples (columns patient, timepoint, event), the change of tumour-origin evidence, signature scores and
# classifier probabilities between consecutive samples, judged against the variation between replicate
# libraries of one healthy donor. A sheet without patients adds nothing.
from exomir.monitor.series import patients_with_series

MONITOR_PATIENTS = patients_with_series(SAMPLES)
# Classifier probabilities join the series when the classify stage applies models.
MONITOR_CLASSIFIER = bool((config.get("classify") or {}).get("apply"))
# The sheet columns of a series, a param of rule monitor_series.
MONITOR_SHEET = SAMPLES[
    [column for column in ("sample", "patient", "timepoint", "event") if column in SAMPLES.columns]
].to_dict(orient="records")


rule monitor_variation:
    input:
        baseline=when(HAS_HEALTHY_BASELINE, rules.healthy_baseline.output.counts),
        libraries=when(
            HAS_HEALTHY_BASELINE and config["score"]["healthy_baseline_libraries"],
            config["score"]["healthy_baseline_libraries"],
        ),
        signatures=config["score"]["signatures"],
        groups=when(HAS_TUMOUR_ATLAS, rules.precursor_groups.output.groups),
        profiles=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profiles.tsv")),
        profile_info=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profile_info.tsv")),
        tissues=when(HAS_TUMOUR_ATLAS and HAS_TISSUE_REFERENCE, config["score"]["tissue_reference"]),
        markers=config["qc"]["markers"],
    output:
        variation="results/monitor/within_donor_variation.tsv",
    log:
        "logs/monitor/monitor_variation.log",
    benchmark:
        "benchmarks/monitor/monitor_variation.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        monitor=config["monitor"],
        origin=config["tumour_origin"],
    script:
        "../scripts/monitor_variation.py"


rule monitor_series:
    input:
        variation=rules.monitor_variation.output.variation,
        calls=rules.tumour_origin.output.calls,
        ranking=rules.tumour_origin.output.ranking,
        scores=rules.score_signatures.output.scores,
        applied=when(MONITOR_CLASSIFIER, "results/classify/applied.tsv"),
    output:
        series="results/monitor/series.tsv",
        report="results/monitor/monitor_mqc.tsv",
        plots=expand("results/monitor/plots/{patient}.{ext}", patient=MONITOR_PATIENTS, ext=("png", "svg")),
    log:
        "logs/monitor/monitor_series.log",
    benchmark:
        "benchmarks/monitor/monitor_series.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        sheet=MONITOR_SHEET,
        patients=MONITOR_PATIENTS,
    script:
        "../scripts/monitor_series.py"


if MONITOR_PATIENTS:
    REPORT_EXTRAS.append(rules.monitor_series.output.report)
    STAGE_OUTPUTS.extend([rules.monitor_series.output.series, *rules.monitor_series.output.plots])
    SCORED_EXTRAS["monitor"] = [rules.monitor_series.output.series]
