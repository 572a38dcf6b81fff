"""Rule deconvolve: tissue and blood-cell shares per sample (exomir.scores.deconvolve)."""

import sys

import pandas as pd

from exomir.common.markers import load_markers
from exomir.common.tables import write_tsv
from exomir.counts.features import FeatureLookup
from exomir.counts.layers import read_counts
from exomir.scores.deconvolve import deconvolve, load_reference


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    adata, counts = read_counts(snakemake.input.h5ad)
    # Without a tissue reference only the blood-cell components are estimated.
    reference = snakemake.input.reference
    tissues = load_reference(reference, snakemake.params.tissues) if reference else pd.DataFrame()
    table = deconvolve(counts, tissues, load_markers(snakemake.input.markers), FeatureLookup.of(adata))
    write_tsv(table, snakemake.output.table, float_format="%.5g")
    print(table.round(3).to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
