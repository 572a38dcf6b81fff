# Signature scores per sample: within one sample (rank-based) and across the cohort.


rule score_signatures:
    input:
        h5ad="results/counts/mirna.h5ad",
        signatures=config["score"]["signatures"],
    output:
        scores="results/scores/signature_scores.tsv",
    log:
        "logs/score/score_signatures.log",
    benchmark:
        "benchmarks/score/score_signatures.tsv"
    conda:
        "../../envs/score.yaml"
    threads: 1
    resources:
        mem_mb=grow_with_attempt(4000),
        runtime=30,
    script:
        "../scripts/score_signatures.py"
