# The QC report: the workflow's own tables plus bowtie and mirtop, through MultiQC.


rule report_tables:
    input:
        collapse=per_sample("results/collapsed/{sample}.stats.json"),
        quantify=per_sample("results/quantify/{sample}.stats.json"),
        cpm="results/counts/mirna_cpm.tsv",
    output:
        funnel="results/report/read_funnel_mqc.tsv",
        lengths="results/report/insert_lengths_mqc.tsv",
        top="results/report/top_mirnas_mqc.tsv",
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


rule multiqc:
    input:
        bowtie=per_sample("results/quantify/{sample}.bowtie.log"),
        tables=[
            *rules.report_tables.output,
            *rules.kit_report.output,
            rules.count_matrix.output.funnel,
            rules.count_matrix.output.trna,
            rules.sample_qc.output.mqc,
            rules.report_scores.output.calls_mqc,
            rules.report_scores.output.deconvolution_mqc,
            rules.report_scores.output.heatmap_mqc,
        ],
        mirtop=rules.mirtop_check.output.stats,
        config=workflow.source_path("../report/multiqc_config.yaml"),
    output:
        "results/multiqc/multiqc_report.html",
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
    shell:
        "multiqc --force --no-data-dir --config {input.config} --outdir results/multiqc "
        "--filename multiqc_report.html {input.bowtie} {input.tables} {input.mirtop} > {log} 2>&1"
