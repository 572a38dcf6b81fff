"""Rule train_classifier (the run's labelled samples) and rule shipped_model (a public cohort's files)."""

import pandas as pd

from exomir.classify.run import read_cohort_counts, train_to_files


def main(snakemake):
    with open(snakemake.log[0], "w") as log:

        def say(message):
            print(message, file=log, flush=True)

        counts = read_cohort_counts(snakemake.input.counts)
        if hasattr(snakemake.input, "labels"):  # a public cohort: labels and batches in their own files
            conditions = pd.read_csv(snakemake.input.labels, index_col=0).iloc[:, 0].astype(str)
            batches = pd.read_csv(snakemake.input.batches, index_col=0).iloc[:, 0].astype(str)
        else:
            sheet = pd.DataFrame(snakemake.params.sample_sheet).set_index("sample")
            conditions = sheet["condition"].astype(str)
            has_batch = "batch" in sheet.columns and sheet["batch"].fillna("").astype(str).ne("").all()
            batches = sheet["batch"].astype(str) if has_batch else None
        outputs = {key: snakemake.output[key] for key in ("model", "card", "metrics", "predictions")}
        outputs["roc"] = [path for path in snakemake.output if "/roc." in path]
        outputs["reliability"] = [path for path in snakemake.output if "/reliability." in path]
        train_to_files(
            snakemake.wildcards.model,
            snakemake.params.entry,
            counts,
            pd.read_csv(snakemake.input.groups, sep="\t"),
            conditions,
            batches,
            snakemake.params.settings,
            snakemake.params.references,
            str(snakemake.params.cohort),
            outputs,
            threads=snakemake.threads,
            log=say,
        )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
