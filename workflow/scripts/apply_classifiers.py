"""Rule apply_classifiers: the models of classify.apply scored on the run's samples."""

import pandas as pd

from exomir.classify.run import apply_to_files, read_cohort_counts


def main(snakemake):
    with open(snakemake.log[0], "w") as log:
        apply_to_files(
            list(snakemake.input.models),
            read_cohort_counts(snakemake.input.counts),
            pd.read_csv(snakemake.input.groups, sep="\t"),
            snakemake.params.min_coverage,
            snakemake.params.residual_factor,
            snakemake.output.applied,
            snakemake.output.report,
            log=lambda message: print(message, file=log, flush=True),
        )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
