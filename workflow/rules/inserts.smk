# FASTQ.gz → unique inserts in one job per sample (results/inserts/): the kit decided on the first
# reads, every distinct read trimmed once with cutadapt's aligner, inserts clipped, length-filtered
# and collapsed (UMI kits: deduplicated). The collapsed table is what quantification and any
# reanalysis start from, so the reads are never read again.


# Every lane read in full before any trimming (inputs.full_check): a truncated gzip or a broken
# record anywhere in any file stops the run at once, with every bad file named.
rule check_reads:
    input:
        fastq=fastq_lanes,
    output:
        report="results/inserts/{sample}.check.json",
    log:
        "logs/inserts/check_reads/{sample}.log",
    benchmark:
        "benchmarks/inserts/check_reads/{sample}.tsv"
    conda:
        "../../envs/inserts.yaml"
    threads: 2
    resources:
        mem_mb=grow_with_attempt(500),
        runtime=30,
    script:
        "../scripts/check_reads.py"


rule input_check:
    input:
        reports=per_sample("results/inserts/{sample}.check.json"),
    output:
        table="results/inserts/input_check.tsv",
    log:
        "logs/inserts/input_check.log",
    benchmark:
        "benchmarks/inserts/input_check.tsv"
    conda:
        "../../envs/inserts.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(500),
        runtime=10,
    params:
        samples=list(SAMPLES.index),
    script:
        "../scripts/input_check.py"


rule inserts:
    input:
        # ancient: adding a sample re-checks the inputs but never re-trims the others.
        checked=when(config["inputs"]["full_check"], ancient("results/inserts/input_check.tsv")),
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
