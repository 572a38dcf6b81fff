# Unique inserts → bowtie 1 on the hairpins → counts per mature miRNA → matrices.


rule align_hairpins:
    input:
        collapsed="results/collapsed/{sample}.tsv.gz",
        index=rules.hairpin_index.output,
    output:
        bam="results/quantify/{sample}.hairpins.bam",
        bowtie_report="results/quantify/{sample}.bowtie.log",
    log:
        "logs/quantify/align_hairpins/{sample}.log",
    benchmark:
        "benchmarks/quantify/align_hairpins/{sample}.tsv"
    group:
        "per_sample"
    conda:
        "../../envs/quantify.yaml"
    # One thread: bowtie aligns unique inserts only, and a per_sample group of two
    # samples then fits a 2-CPU node (see workflow/profiles/slurm).
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=30,
    params:
        index=lambda wildcards, input: bowtie_prefix(input.index),
        mismatches=config["quantify"]["mismatches"],
    shell:
        # One insert per line (-r); bowtie names each by its row in the collapsed table.
        "(gzip -dc {input.collapsed} | tail -n +2 | cut -f 1 "
        "| bowtie --threads {threads} -r -v {params.mismatches} -a --best --strata --norc "
        "--sam --no-unal -x {params.index} - 2> {output.bowtie_report} "
        "| samtools view -b -o {output.bam} -) 2> {log}"


rule count_mirnas:
    input:
        bam="results/quantify/{sample}.hairpins.bam",
        collapsed="results/collapsed/{sample}.tsv.gz",
        positions="results/references/mature_positions.tsv",
    output:
        mirnas="results/quantify/{sample}.mirna.tsv",
        hairpins="results/quantify/{sample}.hairpin_only.tsv",
        ambiguous="results/quantify/{sample}.ambiguous.tsv",
        stats="results/quantify/{sample}.stats.json",
    log:
        "logs/quantify/count_mirnas/{sample}.log",
    benchmark:
        "benchmarks/quantify/count_mirnas/{sample}.tsv"
    group:
        "per_sample"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        five_prime_tolerance=config["quantify"]["five_prime_tolerance"],
        three_prime_tolerance=config["quantify"]["three_prime_tolerance"],
    script:
        "../scripts/quantify_mirnas.py"


rule count_matrix:
    input:
        tables=per_sample("results/quantify/{sample}.mirna.tsv"),
    output:
        counts="results/counts/mirna_counts.tsv",
        cpm="results/counts/mirna_cpm.tsv",
        h5ad="results/counts/mirna.h5ad",
    log:
        "logs/quantify/count_matrix.log",
    benchmark:
        "benchmarks/quantify/count_matrix.tsv"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        samples=list(SAMPLES.index),
        sample_sheet=sample_sheet_records(),
    script:
        "../scripts/count_matrix.py"
