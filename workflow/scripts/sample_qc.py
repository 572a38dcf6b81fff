"""Rule sample_qc: biofluid-aware QC and a verdict per sample (exomir.qc.sample_qc)."""

import json
import sys

import pandas as pd

from exomir.common.markers import load_markers
from exomir.common.stats import read_insert_stats, read_quantify_stats
from exomir.common.tables import COUNT_FORMAT, write_tsv
from exomir.counts.layers import read_counts
from exomir.qc.sample_qc import read_metrics, sample_qc


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, params = snakemake.input, snakemake.params
    adata, counts = read_counts(inputs.h5ad)
    rows = {}
    for sample, inserts, quantified, kit in zip(params.samples, inputs.inserts, inputs.quantify, inputs.kits):
        with open(kit) as handle:
            rows[sample] = read_metrics(read_insert_stats(inserts), read_quantify_stats(quantified), json.load(handle))
    read_table = pd.DataFrame.from_dict(rows, orient="index").loc[adata.obs_names]
    markers = load_markers(inputs.markers)
    table = sample_qc(adata.obs, counts, read_table, markers, params.thresholds, params.genome_configured)
    write_tsv(table, snakemake.output.table, float_format=COUNT_FORMAT)
    print(table[["verdict", "reasons"]].to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
