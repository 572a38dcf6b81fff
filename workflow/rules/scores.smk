# Scoring: literature signatures, tissue deconvolution and tumour origin (results/scores/), from the
# count AnnData and the references of rules/references.smk.


rule score_signatures:
    input:
        h5ad="results/counts/mirna.h5ad",
        signatures=config["score"]["signatures"],
        baseline=when(HAS_HEALTHY_BASELINE, rules.healthy_baseline.output.counts),
        baseline_libraries=when(
            HAS_HEALTHY_BASELINE and config["score"]["healthy_baseline_libraries"],
            config["score"]["healthy_baseline_libraries"],
        ),
    output:
        scores=report("results/scores/signature_scores.tsv", category="Scores"),
    log:
        "logs/scores/score_signatures.log",
    benchmark:
        "benchmarks/scores/score_signatures.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        min_cohort_healthy=config["score"]["min_cohort_healthy"],
        reference_biofluids=config["tumour_origin"]["reference_biofluids"],
    script:
        "../scripts/score_signatures.py"


rule deconvolve:
    input:
        h5ad="results/counts/mirna.h5ad",
        groups=rules.precursor_groups.output.groups,
        reference=when(HAS_TISSUE_REFERENCE, config["score"]["tissue_reference"]),
        markers=config["qc"]["markers"],
        profiles=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profiles.tsv")),
        profile_info=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profile_info.tsv")),
        baseline=when(HAS_HEALTHY_BASELINE, rules.healthy_baseline.output.counts),
        baseline_libraries=when(
            HAS_HEALTHY_BASELINE and config["score"]["healthy_baseline_libraries"],
            config["score"]["healthy_baseline_libraries"],
        ),
    output:
        table=report("results/scores/deconvolution.tsv", category="Scores"),
        intervals="results/scores/deconvolution_intervals.tsv",
    log:
        "logs/scores/deconvolve.log",
    benchmark:
        "benchmarks/scores/deconvolve.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=20,
    params:
        tissues=config["score"]["tissues"],
        min_overlap=config["score"]["deconvolution_min_overlap"],
        bootstraps=config["score"]["deconvolution_bootstraps"],
        seed=config["score"]["deconvolution_seed"],
        reference_biofluids=config["tumour_origin"]["reference_biofluids"],
    script:
        "../scripts/deconvolve.py"


rule tumour_origin:
    input:
        h5ad="results/counts/mirna.h5ad",
        qc="results/qc/sample_qc.tsv",
        groups=rules.precursor_groups.output.groups,
        baseline=when(HAS_TUMOUR_ATLAS, rules.healthy_baseline.output.counts),
        baseline_libraries=when(
            HAS_TUMOUR_ATLAS and config["score"]["healthy_baseline_libraries"],
            config["score"]["healthy_baseline_libraries"],
        ),
        profiles=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profiles.tsv")),
        profile_info=when(HAS_TUMOUR_ATLAS, atlas_file("tcga_profile_info.tsv")),
        tissues=when(HAS_TUMOUR_ATLAS and HAS_TISSUE_REFERENCE, config["score"]["tissue_reference"]),
        markers=config["qc"]["markers"],
        signatures=config["score"]["signatures"],
    output:
        calls=report("results/scores/tumour_origin.tsv", category="Scores"),
        ranking="results/scores/tumour_origin_ranking.tsv",
        calibration="results/scores/tumour_origin_calibration.tsv",
    log:
        "logs/scores/tumour_origin.log",
    benchmark:
        "benchmarks/scores/tumour_origin.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        **config["tumour_origin"],
    script:
        "../scripts/tumour_origin.py"


rule scored_anndata:
    input:
        h5ad="results/counts/mirna.h5ad",
        scores=rules.score_signatures.output.scores,
        deconvolution=rules.deconvolve.output.table,
        qc="results/qc/sample_qc.tsv",
        calls=rules.tumour_origin.output.calls,
        ranking=rules.tumour_origin.output.ranking,
        applied=scored_extras("classify"),
        differential=scored_extras("differential"),
        monitor=scored_extras("monitor"),
    output:
        h5ad="results/scores/scored.h5ad",
        heatmap=report("results/scores/figures/signature_heatmap.png", category="Figures"),
        heatmap_svg="results/scores/figures/signature_heatmap.svg",
        deconvolution=report("results/scores/figures/deconvolution.png", category="Figures"),
        deconvolution_svg="results/scores/figures/deconvolution.svg",
    log:
        "logs/scores/scored_anndata.log",
    benchmark:
        "benchmarks/scores/scored_anndata.tsv"
    conda:
        "../../envs/scores.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=10,
    script:
        "../scripts/scored_anndata.py"
