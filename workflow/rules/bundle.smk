# The reference bundle (results/bundle/), rebuilt from its primary sources (config `bundle:`,
# config/bundle-sources.yaml); `make bundle` copies it to resources/bundle/, which a clone uses
# for the full analysis. tests/workflow/test_bundle.py checks that the rebuild equals the
# committed files.


rule bundle_annotation:
    input:
        sources=bundle_source("{set}"),
    output:
        fasta="results/bundle/annotation/{set}.fa.gz",
    log:
        "logs/bundle/annotation_{set}.log",
    benchmark:
        "benchmarks/bundle/annotation_{set}.tsv"
    wildcard_constraints:
        set="|".join(BUNDLE_SETS),
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    script:
        "../scripts/bundle_annotation.py"


rule bundle_tables:
    input:
        tissues=bundle_source("tissue_reference"),
        counts=bundle_source("healthy_counts"),
        annotation=bundle_source("healthy_annotation"),
    output:
        tissues="results/bundle/tissue_reference.csv",
        baselines=directory("results/bundle/healthy_baselines"),
    log:
        "logs/bundle/tables.log",
    benchmark:
        "benchmarks/bundle/tables.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        tissues=config["score"]["tissues"],
    script:
        "../scripts/bundle_tables.py"


# The marker table of mouse: the human markers' mouse orthologs of identical sequence.
rule bundle_markers:
    input:
        markers=workflow.source_path("../../resources/signatures/background_markers.tsv"),
        human=workflow.source_path("../../resources/mirbase-v22-hsa/mature.fa"),
        all_species=bundle_source("all_species_mature"),
    output:
        markers="results/bundle/markers/mmu_background_markers.tsv",
    log:
        "logs/bundle/markers.log",
    benchmark:
        "benchmarks/bundle/markers.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        species_prefix="mmu",
    script:
        "../scripts/bundle_markers.py"


# The healthy blood-index reference of the sample QC: the hemolysis indices of the healthy
# exRNAQC017 libraries, median and MAD per biofluid, tube and RNA isolation kit.
rule bundle_qc_reference:
    input:
        counts=bundle_source("healthy_counts"),
        annotation=bundle_source("healthy_annotation"),
        markers=workflow.source_path("../../resources/signatures/background_markers.tsv"),
        mature=workflow.source_path("../../resources/mirbase-v22-hsa/mature.fa"),
    output:
        reference="results/bundle/qc/healthy_blood_indices.tsv",
    log:
        "logs/bundle/qc_reference.log",
    benchmark:
        "benchmarks/bundle/qc_reference.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    script:
        "../scripts/bundle_qc_reference.py"


# The TCGA atlas of rule tcga_atlas, built from the TCGA tables the bundle config names.
rule bundle_atlas:
    input:
        expand("results/references/atlas/{file}", file=BUNDLE_ATLAS),
    output:
        expand("results/bundle/atlas/{file}", file=BUNDLE_ATLAS),
    log:
        "logs/bundle/atlas.log",
    benchmark:
        "benchmarks/bundle/atlas.tsv"
    conda:
        "../../envs/references.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(500),
        runtime=10,
    shell:
        "cp {input:q} results/bundle/atlas/ > {log:q} 2>&1"


rule bundle:
    input:
        expand("results/bundle/annotation/{set}.fa.gz", set=BUNDLE_SETS),
        rules.bundle_tables.output,
        rules.bundle_markers.output,
        rules.bundle_qc_reference.output,
        rules.bundle_atlas.output,
