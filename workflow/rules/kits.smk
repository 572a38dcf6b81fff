# The kits of all samples in one report table (each sample's kit is decided by rule inserts).


rule kit_report:
    input:
        kits=per_sample("results/kits/{sample}.json"),
        collapse=per_sample("results/collapsed/{sample}.stats.json"),
    output:
        table="results/report/kit_detection_mqc.tsv",
    log:
        "logs/report/kit_report.log",
    benchmark:
        "benchmarks/report/kit_report.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        samples=list(SAMPLES.index),
    script:
        "../scripts/kit_report.py"
