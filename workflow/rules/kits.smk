# Library kit per sample: the declared kit checked against the reads, or `auto` detected.


rule detect_kit:
    input:
        fastq=fastq_lanes,
        kits=config["kits"],
        mature=config["references"]["mature"],
    output:
        json="results/kits/{sample}.json",
    log:
        "logs/kits/{sample}.log",
    benchmark:
        "benchmarks/kits/{sample}.tsv"
    conda:
        "../../envs/trim.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=30,
    params:
        declared=declared_kit,
        reads=config["kit_detection"]["reads"],
        min_fraction=config["kit_detection"]["min_fraction"],
        error_rate=config["trim"]["error_rate"],
    script:
        "../scripts/detect_kit.py"


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
