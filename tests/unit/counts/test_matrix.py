"""Cohort matrices and the count AnnData."""

import numpy as np
import pandas as pd

from exomir.common.normalise import normalisations
from exomir.counts.matrix import count_matrix, to_anndata


def test_count_matrix_fills_absent_mirnas_with_zero():
    per_sample = {
        "s1": pd.DataFrame({"mirna": ["a", "b"], "accession": ["M1", "M2"], "count": [3.0, 1.0]}),
        "s2": pd.DataFrame({"mirna": ["b"], "accession": ["M2"], "count": [5.0]}),
        "s3": pd.DataFrame({"mirna": [], "accession": [], "count": []}),
    }
    matrix, accessions = count_matrix(per_sample)
    assert matrix.loc["a"].tolist() == [3.0, 0.0, 0.0]
    assert accessions.tolist() == ["M1", "M2"]


def test_anndata_has_every_layer_samples_by_mirnas():
    matrix = pd.DataFrame(
        {"s1": [2.0, 8.0, 0.0], "s2": [4.0, 4.0, 1.0], "s3": [0.0, 3.0, 9.0], "s4": [1.0, 1.0, 1.0]},
        index=["miR-a", "miR-b", "miR-c"],
    )
    layers, _ = normalisations(matrix, pd.Series({"s1": 10.0, "s2": 40.0, "s3": 5.0, "s4": 20.0}))
    sheet = pd.DataFrame({"biofluid": ["plasma"] * 4}, index=matrix.columns)
    adata = to_anndata(layers, pd.Series("MIMAT", index=matrix.index), sheet, matrix * 0.25, matrix * 0.75)
    assert adata.shape == (4, 3)
    assert set(adata.layers) == {"counts", "cpm", "tmm_cpm", "spike_in", "canonical", "isomir"}
    assert np.allclose(adata.layers["canonical"] + adata.layers["isomir"], adata.X)
