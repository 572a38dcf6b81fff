# Per-sample counts → cohort matrices, their normalisations and the count AnnData (results/counts/).


rule count_matrix:
    input:
        tables=per_sample("results/quantify/{sample}.mirna.tsv"),
        isomirs=per_sample("results/quantify/{sample}.isomirs.tsv"),
        features=per_sample("results/quantify/{sample}.features.tsv"),
        stats=per_sample("results/quantify/{sample}.stats.json"),
    output:
        counts="results/counts/mirna_counts.tsv",
        cpm="results/counts/mirna_cpm.tsv",
        tmm="results/counts/mirna_tmm_cpm.tsv",
        spike_in="results/counts/mirna_spike_in_normalised.tsv",
        factors="results/counts/normalisation_factors.tsv",
        isomirs="results/counts/isomir_counts.tsv",
        features="results/counts/biotype_feature_counts.tsv",
        biotypes="results/counts/biotype_reads.tsv",
        h5ad="results/counts/mirna.h5ad",
    log:
        "logs/counts/count_matrix.log",
    benchmark:
        "benchmarks/counts/count_matrix.tsv"
    conda:
        "../../envs/counts.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        samples=list(SAMPLES.index),
        sample_sheet=sample_sheet_records(),
    script:
        "../scripts/count_matrix.py"
