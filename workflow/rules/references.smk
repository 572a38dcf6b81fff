# The references (results/references/): species hairpins with mature positions on them, one combined
# annotation index of every biotype (spike-ins, hairpins, tRNA, rRNA, ncRNA) that each insert is aligned
# to once, and for scoring the precursor groups, the healthy baseline and the TCGA tumour atlas.


rule mirna_reference:
    input:
        hairpin=config["references"]["hairpin"],
        mature=config["references"]["mature"],
        gff3=when(bool(config["references"]["gff3"]), config["references"]["gff3"]),
    output:
        hairpins="results/references/hairpins.fa",
        positions="results/references/mature_positions.tsv",
    log:
        "logs/references/mirna_reference.log",
    benchmark:
        "benchmarks/references/mirna_reference.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix=config["references"]["species_prefix"],
    script:
        "../scripts/mirna_reference.py"


rule annotation_reference:
    input:
        hairpins="results/references/hairpins.fa",
        positions="results/references/mature_positions.tsv",
        sets=annotation_files(),
    output:
        fasta="results/references/annotation.fa",
        records="results/references/annotation_records.tsv",
        shadowed="results/references/shadowed_matures.tsv",
    log:
        "logs/references/annotation_reference.log",
    benchmark:
        "benchmarks/references/annotation_reference.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        sets={key: config["annotation"][key] for key in ANNOTATION_SETS},
    script:
        "../scripts/annotation_reference.py"


rule annotation_index:
    input:
        "results/references/annotation.fa",
    output:
        multiext(
            "results/references/annotation",
            ".1.ebwt",
            ".2.ebwt",
            ".3.ebwt",
            ".4.ebwt",
            ".rev.1.ebwt",
            ".rev.2.ebwt",
        ),
    log:
        "logs/references/annotation_index.log",
    benchmark:
        "benchmarks/references/annotation_index.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=20,
    params:
        prefix=lambda wildcards, output: bowtie_prefix(output),
    shell:
        "bowtie-build --threads {threads} {input:q} {params.prefix:q} > {log:q} 2>&1"


# The suffix array of the annotation reference: quantify looks up exact occurrences in it and
# aligns only the other inserts (exomir.quantify.exact).
rule annotation_suffixes:
    input:
        "results/references/annotation.fa",
    output:
        "results/references/annotation.suffixes.npy",
    log:
        "logs/references/annotation_suffixes.log",
    benchmark:
        "benchmarks/references/annotation_suffixes.tsv"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    script:
        "../scripts/annotation_suffixes.py"


# The optional genome pass: a bowtie index built from the genome FASTA the user gives
# (annotation.genome_fasta). A human genome takes hours and about 16 GB; build it once and point
# annotation.genome_index at it for later runs.
rule genome_index:
    input:
        when(bool(config["annotation"]["genome_fasta"]), config["annotation"]["genome_fasta"]),
    output:
        multiext(
            "results/references/genome",
            ".1.ebwt",
            ".2.ebwt",
            ".3.ebwt",
            ".4.ebwt",
            ".rev.1.ebwt",
            ".rev.2.ebwt",
        ),
    log:
        "logs/references/genome_index.log",
    benchmark:
        "benchmarks/references/genome_index.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 8
    resources:
        mem_mb=grow_with_attempt(16000),
        runtime=24 * 60,
    params:
        prefix=lambda wildcards, output: bowtie_prefix(output),
    shell:
        "bowtie-build --threads {threads} {input:q} {params.prefix:q} > {log:q} 2>&1"


rule precursor_groups:
    input:
        positions="results/references/mature_positions.tsv",
        mature=config["references"]["mature"],
    output:
        groups="results/references/precursor_groups.tsv",
    log:
        "logs/references/precursor_groups.log",
    benchmark:
        "benchmarks/references/precursor_groups.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix=config["references"]["species_prefix"],
    script:
        "../scripts/precursor_groups.py"


rule healthy_baseline:
    input:
        table=when(HAS_HEALTHY_BASELINE, config["score"]["healthy_baseline"]),
        mature=config["references"]["mature"],
    output:
        counts="results/references/healthy_baseline.tsv",
    log:
        "logs/references/healthy_baseline.log",
    benchmark:
        "benchmarks/references/healthy_baseline.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix=config["references"]["species_prefix"],
    script:
        "../scripts/healthy_baseline.py"


rule tcga_atlas:
    input:
        groups=rules.precursor_groups.output.groups,
        renames=config["score"]["tcga_renames"],
        rpm=when(BUILDS_TUMOUR_ATLAS, config["score"]["tcga_rpm"]),
        samples=when(BUILDS_TUMOUR_ATLAS, config["score"]["tcga_samples"]),
    output:
        profiles="results/references/atlas/tcga_profiles.tsv",
        info="results/references/atlas/tcga_profile_info.tsv",
        tumour_vs_normal="results/references/atlas/tcga_tumour_vs_normal.tsv",
        holdout="results/references/atlas/tcga_holdout.tsv.gz",
    log:
        "logs/references/tcga_atlas.log",
    benchmark:
        "benchmarks/references/tcga_atlas.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    params:
        **config["atlas"],
    script:
        "../scripts/tcga_atlas.py"
