"""Join per-sample miRNA counts into miRNA × sample matrices and an AnnData."""

import sys
import anndata
import numpy as np
import pandas as pd

from atomic import atomic_path


def count_matrix(per_sample):
    """miRNA × sample matrix of counts from {sample: per-sample table}; absent = 0.

    Also returns the miRNA → accession map (a mature name keeps one accession)."""
    columns = {sample: table.set_index("mirna")["count"] for sample, table in per_sample.items()}
    matrix = pd.DataFrame(columns).fillna(0.0).sort_index()
    matrix.index.name = "mirna"
    accessions = pd.concat(table.set_index("mirna")["accession"] for table in per_sample.values())
    accessions = accessions[~accessions.index.duplicated()].reindex(matrix.index)
    return matrix, accessions


def counts_per_million(matrix):
    """CPM on miRNA counts; a sample with no miRNA count gets 0, not NaN."""
    totals = matrix.sum(axis=0)
    return matrix.div(totals.where(totals > 0, 1.0), axis=1) * 1e6


def to_anndata(matrix, cpm, accessions, samples):
    """Samples × miRNAs AnnData with the sample sheet as obs and raw/CPM layers."""
    obs = samples.loc[matrix.columns].astype(str).copy()
    obs.index.name = None
    var = pd.DataFrame({"accession": accessions.values}, index=matrix.index.astype(str))
    var.index.name = None
    counts = matrix.T.to_numpy(dtype=np.float64)
    adata = anndata.AnnData(X=counts.copy(), obs=obs, var=var)
    adata.layers["counts"] = counts
    adata.layers["cpm"] = cpm.T.to_numpy(dtype=np.float64)
    return adata


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    per_sample = {
        sample: pd.read_csv(path, sep="\t") for sample, path in zip(snakemake.params.samples, snakemake.input.tables)
    }
    matrix, accessions = count_matrix(per_sample)
    cpm = counts_per_million(matrix)
    with atomic_path(snakemake.output.counts) as temporary:
        matrix.to_csv(temporary, sep="\t", float_format="%.4g")
    with atomic_path(snakemake.output.cpm) as temporary:
        cpm.to_csv(temporary, sep="\t", float_format="%.4f")
    samples = pd.DataFrame(snakemake.params.sample_sheet).set_index("sample")
    adata = to_anndata(matrix, cpm, accessions, samples)
    with atomic_path(snakemake.output.h5ad) as temporary:
        adata.write_h5ad(temporary)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
