# Biofluid-aware sample QC: hemolysis, blood-cell contamination, ERCC exRNA criteria, biofluid checks,
# miRNA complexity and a verdict per sample.


rule sample_qc:
    input:
        h5ad="results/counts/mirna.h5ad",
        collapse=per_sample("results/collapsed/{sample}.stats.json"),
        quantify=per_sample("results/quantify/{sample}.stats.json"),
        markers=config["qc"]["markers"],
    output:
        table="results/qc/sample_qc.tsv",
        mqc="results/report/sample_qc_mqc.tsv",
    log:
        "logs/qc/sample_qc.log",
    benchmark:
        "benchmarks/qc/sample_qc.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=10,
    params:
        samples=list(SAMPLES.index),
        thresholds={key: value for key, value in config["qc"].items() if key != "markers"},
        # The transcriptome/genome criterion applies only when the cascade aligns to a genome.
        genome_configured=bool(config["annotation"]["genome_index"]),
    script:
        "../scripts/sample_qc.py"
