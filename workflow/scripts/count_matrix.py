"""Rule count_matrix: per-sample counts → cohort matrices, normalisations and the AnnData (exomir.counts)."""

import json
import sys

import pandas as pd

from exomir.common.atomic import atomic_path
from exomir.common.stats import read_insert_stats, read_quantify_stats
from exomir.common.tables import write_tsv
from exomir.counts.matrix import TABLE_FORMATS, cohort_matrices


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    samples, inputs = snakemake.params.samples, snakemake.input

    def read_all(paths):
        return {sample: pd.read_csv(path, sep="\t", keep_default_na=False) for sample, path in zip(samples, paths)}

    stats = {sample: read_quantify_stats(path) for sample, path in zip(samples, inputs.stats)}
    insert_stats = {sample: read_insert_stats(path) for sample, path in zip(samples, inputs.inserts)}
    kits = {}
    for sample, path in zip(samples, inputs.kits):
        with open(path) as handle:
            kits[sample] = json.load(handle)["kit"]
    sheet = pd.DataFrame(snakemake.params.sample_sheet).set_index("sample")
    positions = pd.read_csv(inputs.positions, sep="\t", keep_default_na=False)
    tables, adata = cohort_matrices(
        read_all(inputs.tables),
        read_all(inputs.isomirs),
        read_all(inputs.features),
        stats,
        sheet,
        insert_stats,
        kits,
        positions,
    )
    for sample in tables["factors"].index[tables["factors"]["spike_in_factor"].isna()]:
        print(f"{sample}: no spike-in molecules, spike-in normalised counts are NaN", file=sys.stderr)
    for output, (table, float_format) in TABLE_FORMATS.items():
        write_tsv(tables[table], snakemake.output[output], float_format=float_format)
    with atomic_path(snakemake.output.h5ad) as temporary:
        adata.write_h5ad(temporary)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
