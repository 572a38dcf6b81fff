# Unique inserts → one pass on the combined annotation index (exact occurrences from its suffix array) (+ 3' A/T rescue, + genome) → one biotype
# per insert, miRNA/isomiR counts (one job per sample), and the mirGFF3 export (results/quantify/).
# Quantification starts from results/inserts/: changing any parameter here never re-trims.


rule quantify:
    input:
        collapsed="results/inserts/{sample}.tsv.gz",
        index=rules.annotation_index.output,
        fasta="results/references/annotation.fa",
        suffixes="results/references/annotation.suffixes.npy",
        positions="results/references/mature_positions.tsv",
        records="results/references/annotation_records.tsv",
        genome=genome_index_files(),
    output:
        mirnas="results/quantify/{sample}.mirna.tsv",
        isomirs="results/quantify/{sample}.isomirs.tsv",
        hairpins="results/quantify/{sample}.hairpin_only.tsv",
        ambiguous="results/quantify/{sample}.ambiguous.tsv",
        features="results/quantify/{sample}.features.tsv",
        inserts="results/quantify/{sample}.inserts.tsv.gz",
        stats="results/quantify/{sample}.stats.json",
        bowtie_report="results/quantify/{sample}.bowtie.log",
    log:
        "logs/quantify/{sample}.log",
    benchmark:
        "benchmarks/quantify/{sample}.tsv"
    group:
        "per_sample"
    conda:
        "../../envs/quantify.yaml"
    # One thread: bowtie aligns unique inserts only, and a per_sample group of two
    # samples then fits a 2-CPU node (see workflow/profiles/slurm).
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=30,
    params:
        index=lambda wildcards, input: bowtie_prefix(input.index),
        mismatches=config["quantify"]["mismatches"],
        max_nontemplated=config["quantify"]["max_nontemplated"],
        min_rescued_length=config["quantify"]["min_rescued_length"],
        genome_index=genome_prefix(),
        five_prime_tolerance=config["quantify"]["five_prime_tolerance"],
        three_prime_tolerance=config["quantify"]["three_prime_tolerance"],
    script:
        "../scripts/quantify.py"


# mirGFF3 is an export for other tools: it is written beside the counts, never before them.
rule mirtop_gff:
    input:
        isomirs="results/quantify/{sample}.isomirs.tsv",
        hairpins="results/references/hairpins.fa",
    output:
        gff="results/quantify/{sample}.gff",
    log:
        "logs/quantify/mirgff3/{sample}.log",
    benchmark:
        "benchmarks/quantify/mirgff3/{sample}.tsv"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=20,
    params:
        sample="{sample}",
        database=config["references"]["database"],
    script:
        "../scripts/mirtop_gff.py"
