# The miRNA reference: species hairpins, their bowtie index and mature positions on them.


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


rule hairpin_index:
    input:
        "results/references/hairpins.fa",
    output:
        multiext(
            "results/references/hairpins",
            ".1.ebwt",
            ".2.ebwt",
            ".3.ebwt",
            ".4.ebwt",
            ".rev.1.ebwt",
            ".rev.2.ebwt",
        ),
    log:
        "logs/references/hairpin_index.log",
    benchmark:
        "benchmarks/references/hairpin_index.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        prefix=lambda wildcards, output: bowtie_prefix(output),
    shell:
        "bowtie-build --threads {threads} {input} {params.prefix} > {log} 2>&1"
