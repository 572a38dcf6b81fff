# Identical inserts become one row with a count (and a molecule count after UMI
# deduplication): the compact file reanalysis starts from.


rule collapse:
    input:
        trimmed="results/trimmed/{sample}.fasta",
        kit="results/kits/{sample}.json",
    output:
        table="results/collapsed/{sample}.tsv.gz",
        stats="results/collapsed/{sample}.stats.json",
    log:
        "logs/collapse/{sample}.log",
    benchmark:
        "benchmarks/collapse/{sample}.tsv"
    group:
        "per_sample"
    conda:
        "../../envs/collapse.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        min_length=config["trim"]["min_length"],
        max_length=config["trim"]["max_length"],
    script:
        "../scripts/collapse.py"
