# Biofluid-aware sample QC: hemolysis (plasma, serum) and hematuria (urine), blood-cell contamination, ERCC exRNA criteria, biofluid checks,
# miRNA complexity and a verdict per sample (results/qc/).


rule sample_qc:
    input:
        h5ad="results/counts/mirna.h5ad",
        # Read stats; a run from a count table has none and gets the checks that need no reads.
        inserts=from_reads(per_sample("results/inserts/{sample}.stats.json")),
        quantify=from_reads(per_sample("results/quantify/{sample}.stats.json")),
        kits=from_reads(per_sample("results/inserts/{sample}.kit.json")),
        markers=config["qc"]["markers"],
        # Healthy libraries per protocol that hemolysis is judged against; empty: not judged.
        reference=config["qc"]["blood_reference"] or [],
    output:
        table=report("results/qc/sample_qc.tsv", category="QC"),
    log:
        "logs/qc/sample_qc.log",
    benchmark:
        "benchmarks/qc/sample_qc.tsv"
    conda:
        "../../envs/qc.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=10,
    params:
        samples=list(SAMPLES.index),
        # The QC limits, and the share of reads below which a declared kit fails the sample.
        thresholds={key: value for key, value in config["qc"].items() if key not in ("markers", "blood_reference")}
        | {"kit_min_fraction": config["kit_detection"]["min_fraction"]},
        # The human annotation sets configured (saliva's non-human share needs tRNA, rRNA and ncRNA).
        annotated=[key for key in ("trna", "rrna", "ncrna") if config["annotation"][key]],
        # The transcriptome/genome criterion applies only when the cascade aligns to a genome.
        genome_configured=bool(genome_prefix()),
    script:
        "../scripts/sample_qc.py"
