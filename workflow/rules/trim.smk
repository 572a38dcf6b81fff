# Adapter and clip removal with cutadapt, as each sample's kit (results/kits) says.


rule trim:
    input:
        fastq=fastq_lanes,
        kit="results/kits/{sample}.json",
    output:
        trimmed=temp("results/trimmed/{sample}.fasta"),
        report="results/trimmed/{sample}.cutadapt.log",
        json="results/trimmed/{sample}.cutadapt.json",
    log:
        "logs/trim/{sample}.log",
    benchmark:
        "benchmarks/trim/{sample}.tsv"
    conda:
        "../../envs/trim.yaml"
    threads: 2
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=60,
    params:
        trim=config["trim"],
    script:
        "../scripts/trim.py"
