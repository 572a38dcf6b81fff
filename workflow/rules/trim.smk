# Adapter and clip removal with cutadapt, using each sample's kit preset.


rule trim:
    input:
        fastq_lanes,
    output:
        trimmed=temp("results/trimmed/{sample}.fasta"),
        report="results/trimmed/{sample}.cutadapt.log",
        json="results/trimmed/{sample}.cutadapt.json",
    log:
        "logs/trim/{sample}.log",
    benchmark:
        "benchmarks/trim/{sample}.tsv"
    conda:
        "../../envs/trim.yaml"
    threads: 2
    resources:
        mem_mb=grow_with_attempt(1000),
        runtime=60,
    params:
        arguments=trim_arguments,
    shell:
        # Lanes are concatenated; cutadapt reads them as one stream from stdin.
        "pigz -dcf {input} | cutadapt --cores {threads} {params.arguments} "
        "--json {output.json} -o {output.trimmed} - > {output.report} 2> {log}"
