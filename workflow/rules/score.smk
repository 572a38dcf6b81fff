# Scoring: literature signatures, tissue deconvolution and tumour origin, with the references they need
# (healthy baseline, TCGA tumour atlas) built here from the configured tables, read in place.


rule precursor_groups:
    input:
        gff3=config["references"]["gff3"],
        mature=config["references"]["mature"],
    output:
        groups="results/atlas/precursor_groups.tsv",
    log:
        "logs/score/precursor_groups.log",
    benchmark:
        "benchmarks/score/precursor_groups.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix=config["references"]["species_prefix"],
    script:
        "../scripts/precursor_groups.py"


rule healthy_baseline:
    input:
        table=when(HAS_HEALTHY_BASELINE, config["score"]["healthy_baseline"]),
        mature=config["references"]["mature"],
    output:
        counts="results/baseline/healthy_counts.tsv",
    log:
        "logs/score/healthy_baseline.log",
    benchmark:
        "benchmarks/score/healthy_baseline.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix=config["references"]["species_prefix"],
    script:
        "../scripts/build_baseline.py"


rule tcga_atlas:
    input:
        groups=rules.precursor_groups.output.groups,
        renames=config["score"]["tcga_renames"],
        rpm=when(HAS_TUMOUR_ATLAS, config["score"]["tcga_rpm"]),
        samples=when(HAS_TUMOUR_ATLAS, config["score"]["tcga_samples"]),
    output:
        profiles="results/atlas/tcga_profiles.tsv",
        info="results/atlas/tcga_profile_info.tsv",
        tumour_vs_normal="results/atlas/tcga_tumour_vs_normal.tsv",
        holdout="results/atlas/tcga_holdout.tsv.gz",
    log:
        "logs/score/tcga_atlas.log",
    benchmark:
        "benchmarks/score/tcga_atlas.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        **config["atlas"],
    script:
        "../scripts/build_tcga_atlas.py"


rule score_signatures:
    input:
        h5ad="results/counts/mirna.h5ad",
        signatures=config["score"]["signatures"],
        baseline=when(HAS_HEALTHY_BASELINE, rules.healthy_baseline.output.counts),
    output:
        scores="results/scores/signature_scores.tsv",
    log:
        "logs/score/score_signatures.log",
    benchmark:
        "benchmarks/score/score_signatures.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        min_cohort_healthy=config["score"]["min_cohort_healthy"],
    script:
        "../scripts/score_signatures.py"


rule deconvolve:
    input:
        h5ad="results/counts/mirna.h5ad",
        reference=when(HAS_TISSUE_REFERENCE, config["score"]["tissue_reference"]),
        markers=config["qc"]["markers"],
    output:
        table="results/scores/deconvolution.tsv",
    log:
        "logs/score/deconvolve.log",
    benchmark:
        "benchmarks/score/deconvolve.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=10,
    params:
        tissues=config["score"]["tissues"],
    script:
        "../scripts/deconvolve.py"


rule tumour_origin:
    input:
        h5ad="results/counts/mirna.h5ad",
        qc="results/qc/sample_qc.tsv",
        groups=rules.precursor_groups.output.groups,
        baseline=when(HAS_TUMOUR_ATLAS, rules.healthy_baseline.output.counts),
        profiles=when(HAS_TUMOUR_ATLAS, rules.tcga_atlas.output.profiles),
        profile_info=when(HAS_TUMOUR_ATLAS, rules.tcga_atlas.output.info),
        holdout=when(HAS_TUMOUR_ATLAS, rules.tcga_atlas.output.holdout),
        markers=config["qc"]["markers"],
        signatures=config["score"]["signatures"],
    output:
        calls="results/scores/tumour_origin.tsv",
        ranking="results/scores/tumour_origin_ranking.tsv",
        calibration="results/scores/tumour_origin_calibration.tsv",
    log:
        "logs/score/tumour_origin.log",
    benchmark:
        "benchmarks/score/tumour_origin.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        **config["tumour_origin"],
    script:
        "../scripts/tumour_origin.py"


rule report_scores:
    input:
        h5ad="results/counts/mirna.h5ad",
        scores=rules.score_signatures.output.scores,
        deconvolution=rules.deconvolve.output.table,
        qc="results/qc/sample_qc.tsv",
        calls=rules.tumour_origin.output.calls,
        ranking=rules.tumour_origin.output.ranking,
    output:
        h5ad="results/scores/scored.h5ad",
        heatmap=multiext("results/scores/figures/signature_heatmap", ".png", ".svg"),
        deconvolution=multiext("results/scores/figures/deconvolution", ".png", ".svg"),
        calls_mqc="results/report/tumour_origin_mqc.tsv",
        deconvolution_mqc="results/report/deconvolution_mqc.tsv",
        heatmap_mqc="results/report/signature_scores_mqc.tsv",
    log:
        "logs/score/report_scores.log",
    benchmark:
        "benchmarks/score/report_scores.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=10,
    script:
        "../scripts/report_scores.py"
