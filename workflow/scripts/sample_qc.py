"""Rule sample_qc: biofluid-aware QC and a verdict per sample (exomir.qc.sample_qc)."""

import json
import sys

import pandas as pd

from exomir.common.markers import load_markers
from exomir.common.stats import read_insert_stats, read_quantify_stats
from exomir.common.tables import COUNT_FORMAT, write_tsv
from exomir.counts.features import FeatureLookup
from exomir.counts.layers import read_counts
from exomir.qc.blood import load_reference
from exomir.qc.sample_qc import read_metrics, sample_qc


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, params = snakemake.input, snakemake.params
    adata, counts = read_counts(inputs.h5ad)
    read_table = None  # counts from a table: no read stats, and only the checks that need no reads
    if inputs.inserts:
        rows = {}
        for sample, inserts, quantified, kit in zip(params.samples, inputs.inserts, inputs.quantify, inputs.kits):
            with open(kit) as handle:
                kit_decision = json.load(handle)
            rows[sample] = read_metrics(read_insert_stats(inserts), read_quantify_stats(quantified), kit_decision)
        read_table = pd.DataFrame.from_dict(rows, orient="index").loc[adata.obs_names]
    markers = load_markers(inputs.markers)
    features = FeatureLookup.of(adata)
    reference = load_reference(inputs.reference) if inputs.reference else None
    table = sample_qc(
        adata.obs,
        counts,
        read_table,
        markers,
        params.thresholds,
        params.genome_configured,
        features,
        reference,
        params.annotated,
    )
    write_tsv(table, snakemake.output.table, float_format=COUNT_FORMAT)
    print(table[["verdict", "reasons"]].to_string(), file=sys.stderr)
    if read_table is None:  # what a count table cannot show, said once per sample
        print(table["not_checked"].to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
