# The QC report (results/report/): the workflow's own tables, the mirGFF3 check and mirtop stats, the
# record of the run, and MultiQC over them and bowtie's logs (its data in results/report/multiqc_data/). A run from a count table has no read sections, bowtie or
# mirtop, and a section on the table instead.


rule report_tables:
    input:
        inserts=from_reads(per_sample("results/inserts/{sample}.stats.json")),
        kits=from_reads(per_sample("results/inserts/{sample}.kit.json")),
        quantify=from_reads(per_sample("results/quantify/{sample}.stats.json")),
        cpm="results/counts/mirna_cpm.tsv",
        biotypes=from_reads("results/counts/biotype_reads.tsv"),
        features=from_reads("results/counts/biotype_feature_counts.tsv"),
        imported=when(FROM_COUNTS_TABLE, "results/counts/import_summary.json"),
        qc=rules.sample_qc.output.table,
        calls=rules.tumour_origin.output.calls,
        deconvolution=rules.deconvolve.output.table,
        scores=rules.score_signatures.output.scores,
    output:
        **report_table_files(),
    log:
        "logs/report/report_tables.log",
    benchmark:
        "benchmarks/report/report_tables.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=10,
    params:
        samples=list(SAMPLES.index),
        top_number=config["report"]["top_mirnas"],
    script:
        "../scripts/report_tables.py"


# Every sample's mirGFF3 validated with mirtop, and mirtop's stats for MultiQC's mirtop module.
rule mirtop_check:
    input:
        gff=per_sample("results/quantify/{sample}.gff"),
    output:
        stats="results/report/tables/exomir_mirtop_stats.log",
        table="results/report/tables/mirtop_stats.txt",
    log:
        "logs/report/mirtop_check.log",
    benchmark:
        "benchmarks/report/mirtop_check.tsv"
    conda:
        "../../envs/quantify.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=20,
    script:
        "../scripts/mirtop_check.py"


# The record of the run: software versions, the config as run and a methods paragraph from it.
rule run_record:
    input:
        kits=from_reads(per_sample("results/inserts/{sample}.kit.json")),
    output:
        versions="results/report/tables/software_mqc_versions.yml",
        methods="results/report/tables/methods_mqc.html",
        parameters="results/report/tables/run_parameters_mqc.html",
        config="results/report/config_as_run.yaml",
    log:
        "logs/report/run_record.log",
    benchmark:
        "benchmarks/report/run_record.tsv"
    conda:
        "../../envs/record.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(500),
        runtime=5,
    params:
        config=config,
        sheet_kits={sample: str(kit) for sample, kit in SAMPLES["kit"].items()},
    script:
        "../scripts/run_record.py"


rule multiqc:
    input:
        bowtie=from_reads(per_sample("results/quantify/{sample}.bowtie.log")),
        tables=rules.report_tables.output,
        mirtop=from_reads(rules.mirtop_check.output.stats),
        record=[rules.run_record.output.versions, rules.run_record.output.methods, rules.run_record.output.parameters],
        extras=REPORT_EXTRAS,
        config=workflow.source_path("../report/multiqc_config.yaml"),
        css=workflow.source_path("../report/exomir.css"),
    output:
        report=report(
            "results/report/multiqc_report.html",
            caption="../report/multiqc.rst",
            category="Report",
        ),
        data=directory("results/report/multiqc_data"),
    log:
        "logs/report/multiqc.log",
    benchmark:
        "benchmarks/report/multiqc.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=20,
    params:
        outdir=lambda wildcards, output: str(Path(output.report).parent),
    shell:
        "multiqc --force --data-dir --config {input.config:q} --custom-css-file {input.css:q} --outdir {params.outdir:q} "
        "--filename multiqc_report.html {input.bowtie:q} {input.tables:q} {input.mirtop:q} {input.record:q} "
        "{input.extras:q} > {log:q} 2>&1"
