"""Cohort matrices and the count AnnData."""

import numpy as np
import pandas as pd

from exomir.common.normalise import normalisations
from exomir.counts.matrix import count_matrix, in_universe, read_obs, to_anndata


def test_count_matrix_fills_absent_mirnas_with_zero():
    per_sample = {
        "s1": pd.DataFrame({"mirna": ["a", "b"], "accession": ["M1", "M2"], "count": [3.0, 1.0]}),
        "s2": pd.DataFrame({"mirna": ["b"], "accession": ["M2"], "count": [5.0]}),
        "s3": pd.DataFrame({"mirna": [], "accession": [], "count": []}),
    }
    matrix, accessions = count_matrix(per_sample)
    assert matrix.loc["a"].tolist() == [3.0, 0.0, 0.0]
    assert accessions.tolist() == ["M1", "M2"]


def test_two_cohorts_on_one_reference_share_their_mirna_rows():
    positions = pd.DataFrame(
        {"hairpin": ["h1", "h2", "h3", "h3"], "mirna": ["c", "a", "b", "b"], "accession": ["M3", "M1", "M2", "M2"]}
    )
    first = {"s1": pd.DataFrame({"mirna": ["a"], "accession": ["M1"], "count": [3.0]})}
    second = {"s2": pd.DataFrame({"mirna": ["b", "c"], "accession": ["M2", "M3"], "count": [1.0, 2.0]})}
    (matrix_1, accessions_1), (matrix_2, accessions_2) = (
        in_universe(*count_matrix(cohort), positions) for cohort in (first, second)
    )
    assert matrix_1.index.tolist() == matrix_2.index.tolist() == ["a", "b", "c"]
    assert matrix_1["s1"].tolist() == [3.0, 0.0, 0.0] and matrix_2["s2"].tolist() == [0.0, 1.0, 2.0]
    assert accessions_1.tolist() == accessions_2.tolist() == ["M1", "M2", "M3"]


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


def test_obs_are_typed_for_scanpy_with_the_processed_kit_and_library_size():
    matrix = pd.DataFrame({"s1": [2.0, 8.0], "s2": [4.0, 0.0]}, index=["miR-a", "miR-b"])
    layers, _ = normalisations(matrix, pd.Series({"s1": 10.0, "s2": 40.0}))
    sheet = pd.DataFrame(
        {"biofluid": ["plasma", "serum"], "kit": ["auto", "truseq"], "batch": ["b1", None], "age": [61, 70]},
        index=matrix.columns,
    )
    insert_stats = {sample: {"input_reads": 100, "length_passed": 90, "unique_sequences": 20} for sample in sheet.index}
    quantify_stats = {
        "s1": {"biotype_reads": {"miRNA": 10.0}, "mirna_molecules": 10.0},
        "s2": {"biotype_reads": {"miRNA": 12.0}, "mirna_molecules": 4.0},
    }
    read_columns = read_obs(["s1", "s2"], insert_stats, quantify_stats, {"s1": "nebnext", "s2": "truseq"}, matrix)
    positions = pd.DataFrame(
        {"hairpin": ["mir-a-1", "mir-a-2", "mir-b"], "mirna": ["miR-a", "miR-a", "miR-b"], "sequence": ["ACGT"] * 3}
    )
    adata = to_anndata(layers, pd.Series(["M1", "M2"]), sheet, read_columns=read_columns, positions=positions)
    # Every value unique, still categories: sc.pl.pca(color="biofluid") needs them.
    assert isinstance(adata.obs["biofluid"].dtype, pd.CategoricalDtype)
    assert adata.obs["age"].tolist() == [61, 70] and pd.isna(adata.obs.loc["s2", "batch"])
    assert adata.obs["kit"].tolist() == ["nebnext", "truseq"] and adata.obs["kit_declared"].tolist() == [
        "auto",
        "truseq",
    ]
    assert adata.obs["library_size"].tolist() == [10.0, 4.0] and adata.obs["mirnas_detected"].tolist() == [2, 1]
    assert adata.obs["mirna_read_percent"].tolist() == [10.0, 12.0]
    assert adata.var.loc["miR-a", "hairpin"] == "mir-a-1,mir-a-2" and adata.var.loc["miR-b", "sequence"] == "ACGT"
