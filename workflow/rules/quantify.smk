# Unique inserts → one pass on the combined annotation index (+ 3' A/T rescue, + genome)
# → one biotype per insert, miRNA/isomiR counts (one job per sample), mirGFF3 export
# → matrices with normalisations.
# Quantification starts from results/collapsed/: changing any parameter here never re-trims.


rule quantify:
    input:
        collapsed="results/collapsed/{sample}.tsv.gz",
        index=rules.annotation_index.output,
        positions="results/references/mature_positions.tsv",
        records="results/references/annotation_records.tsv",
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
        "logs/quantify/quantify/{sample}.log",
    benchmark:
        "benchmarks/quantify/quantify/{sample}.tsv"
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
        genome_index=config["annotation"]["genome_index"],
        five_prime_tolerance=config["quantify"]["five_prime_tolerance"],
        three_prime_tolerance=config["quantify"]["three_prime_tolerance"],
    script:
        "../scripts/quantify_mirnas.py"


# mirGFF3 is an export for other tools: it is written beside the counts, never before them.
rule mirtop_gff:
    input:
        isomirs="results/quantify/{sample}.isomirs.tsv",
        hairpins="results/references/hairpins.fa",
    output:
        gff="results/mirtop/{sample}.gff",
    log:
        "logs/mirtop/{sample}.log",
    benchmark:
        "benchmarks/mirtop/{sample}.tsv"
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


rule mirtop_check:
    input:
        gff=per_sample("results/mirtop/{sample}.gff"),
    output:
        stats="results/mirtop/exomir_mirtop_stats.log",
        table="results/mirtop/mirtop_stats.txt",
    log:
        "logs/quantify/mirtop_check.log",
    benchmark:
        "benchmarks/quantify/mirtop_check.tsv"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=20,
    script:
        "../scripts/mirtop_check.py"


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
        funnel="results/report/biotype_funnel_mqc.tsv",
        trna="results/report/trna_fragments_mqc.tsv",
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
