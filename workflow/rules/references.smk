# The references: species hairpins with mature positions on them, then one combined annotation
# index of every biotype (spike-ins, hairpins, tRNA, rRNA, ncRNA) that each insert is aligned to once.


rule mirna_reference:
    input:
        hairpin=config["references"]["hairpin"],
        mature=config["references"]["mature"],
        gff3=config["references"]["gff3"],
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
        "bowtie-build --threads {threads} {input} {params.prefix} > {log} 2>&1"
