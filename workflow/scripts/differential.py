"""Rule differential: DESeq2 of one contrast on the raw counts (exomir.differential)."""

import sys

import pandas as pd

from exomir.counts.layers import read_counts
from exomir.differential.design import Contrast
from exomir.differential.run import Settings, run_contrast


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    adata, counts = read_counts(snakemake.input.h5ad)
    params = snakemake.params
    run_contrast(
        counts,
        str(adata.uns.get("feature_level", "mature")),
        Contrast.of(snakemake.wildcards.contrast, params.contrast),
        pd.Series(params.conditions, dtype=str),
        pd.Series(params.batches, dtype=str),
        Settings(params.min_count, params.alpha, params.top, snakemake.threads),
        dict(snakemake.output.items()),
        sys.stderr,
    )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
