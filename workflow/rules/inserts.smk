# FASTQ.gz → unique inserts in one job per sample (results/inserts/): the kit decided on the first
# reads, every distinct read trimmed once with cutadapt's aligner, inserts clipped, length-filtered
# and collapsed (UMI kits: deduplicated). The collapsed table is what quantification and any
# reanalysis start from, so the reads are never read again.


rule inserts:
    input:
        fastq=fastq_lanes,
        kits=config["kits"],
        mature=config["references"]["mature"],
    output:
        kit="results/inserts/{sample}.kit.json",
        table="results/inserts/{sample}.tsv.gz",
        stats="results/inserts/{sample}.stats.json",
    log:
        "logs/inserts/{sample}.log",
    benchmark:
        "benchmarks/inserts/{sample}.tsv"
    conda:
        "../../envs/inserts.yaml"
    # Two threads: the reads are decompressed in a second thread.
    threads: 2
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=60,
    params:
        declared=declared_kit,
        detection=config["kit_detection"],
        trim=config["trim"],
    script:
        "../scripts/inserts.py"
