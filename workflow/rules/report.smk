# The QC report (results/report/): the workflow's own tables, the mirGFF3 check and mirtop stats, the
# record of the run, and MultiQC over them and bowtie's logs (its data in results/report/multiqc_data/). A run from a count table has no read sections, bowtie or
# mirtop, and a section on the table instead.


rule report_tables:
    input:
        inserts=from_reads(per_sample("results/inserts/{sample}.stats.json")),
        kits=from_reads(per_sample("results/inserts/{sample}.kit.json")),
        quantify=from_reads(per_sample("results/quantify/{sample}.stats.json")),
        counts="results/counts/mirna_counts.tsv",
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
        sheet=sample_sheet_records(),
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


# MultiQC over the tables and logs, with the record of the run written just before it: software versions,
# the config as run and a methods paragraph from it (exomir.report.run_record). The record is part of
# this rule, so that every report carries the config it was made with, without re-running the report
# for settings no rule reads.
rule multiqc:
    input:
        bowtie=from_reads(per_sample("results/quantify/{sample}.bowtie.log")),
        tables=rules.report_tables.output,
        mirtop=from_reads(rules.mirtop_check.output.stats),
        kits=from_reads(per_sample("results/inserts/{sample}.kit.json")),
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
        versions="results/report/record/software_mqc_versions.yml",
        methods="results/report/record/methods_mqc.html",
        parameters="results/report/record/run_parameters_mqc.html",
        config="results/report/config_as_run.yaml",
    log:
        "logs/report/multiqc.log",
    benchmark:
        "benchmarks/report/multiqc.tsv"
    conda:
        "../../envs/record.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=20,
    params:
        sheet_kits={sample: str(kit) for sample, kit in SAMPLES["kit"].items()},
    script:
        "../scripts/multiqc_report.py"
