"""The scored AnnData's tables: score matrices and the stacked shares of the deconvolution figure."""

import numpy as np
import pandas as pd

from exomir.scores.scored import score_matrices, stacked_shares


def test_minor_tissues_are_pooled_and_blood_comes_first():
    deconvolution = pd.DataFrame(
        {
            "liver": [0.05, 0.0],
            "lung": [0.004, 0.002],
            "skin": [0.0, 0.003],
            "red_cell_markers": [0.8, 0.9],
            "lymphoid_dlbc": [0.01, 0.0],
            "unexplained": [0.136, 0.095],
            "fit_r2": [0.9, 0.8],
            "fit_log_pearson": [0.7, 0.6],
            "reference_reads_share": [0.8, 0.8],
        },
        index=["a", "b"],
    )
    shares = stacked_shares(deconvolution)
    assert list(shares.columns) == ["red_cell_markers", "lymphoid_dlbc", "liver", "other tissues", "unexplained"]
    assert shares.loc["a", "other tissues"] == 0.004 and shares.loc["b", "other tissues"] == 0.005
    assert np.allclose(shares.sum(axis=1), [1.0, 1.0])


def test_score_matrices_pivot_each_method():
    scores = pd.DataFrame(
        {
            "sample": ["a", "b", "a", "b"],
            "signature": ["S"] * 4,
            "method": ["rank_single_sample"] * 2 + ["scanpy_cohort"] * 2,
            "score": [0.1, 0.2, 0.3, 0.4],
        }
    )
    matrices = score_matrices(scores)
    assert matrices["scanpy_cohort"].loc["b", "S"] == 0.4


def test_scored_anndata_holds_the_later_stages_tables(tmp_path):
    import anndata

    from exomir.scores.scored import scored_anndata

    samples = ["a", "b"]
    adata = anndata.AnnData(
        np.ones((2, 3)), obs=pd.DataFrame(index=samples), var=pd.DataFrame(index=["m1", "m2", "m3"])
    )
    qc = pd.DataFrame(
        {"verdict": ["pass", "warn"], "reasons": ["", "x"], "hemolysis_ratio": [1.0, 2.0], "hemolysis_class": ["", ""]},
        index=samples,
    )
    calls = pd.DataFrame(
        {
            "sample": samples,
            "call": ["indeterminate", "not_called"],
            "reason": ["below threshold", "QC fail"],
            "top_type": ["PRAD", "LIHC"],
            "p_value": [0.4, np.nan],
        }
    )
    ranking = pd.DataFrame({"sample": samples, "cancer_type": ["PRAD", "PRAD"], "evidence": [1.0, 2.0]})
    applied = pd.DataFrame(
        {
            "sample": ["b", "a", "a"],
            "model": ["crc", "crc", "prad"],
            "probability": [0.9, 0.2, 0.6],
            "call": ["positive", "negative", "not_called"],
            "reason": ["", "", "outside the training distribution"],
        }
    )
    differential = {"prad_vs_healthy": pd.DataFrame({"mirna": ["m1"], "log2FoldChange": [1.5], "padj": [0.01]})}
    monitor = pd.DataFrame(
        {"patient": ["P1", "P1"], "sample": ["a", "b"], "event": [np.nan, "surgery"], "flag": ["none", "fall"]}
    )
    scored = scored_anndata(adata, {}, pd.DataFrame(index=samples), qc, calls, ranking, applied, differential, monitor)
    assert scored.obsm["classifier_probability"].loc["a"].to_dict() == {"crc": 0.2, "prad": 0.6}
    assert scored.obsm["classifier_probability"].loc["b", "crc"] == 0.9
    assert np.isnan(scored.obsm["classifier_probability"].loc["b", "prad"])
    assert scored.obs["classifier_call_prad"].tolist() == ["not_called", ""]
    assert scored.uns["differential"]["prad_vs_healthy"]["padj"].tolist() == [0.01]
    assert scored.uns["monitor_series"]["event"].tolist() == ["", "surgery"]
    scored.write_h5ad(tmp_path / "scored.h5ad")  # h5ad holds every table (text columns with missing cells)
    assert anndata.read_h5ad(tmp_path / "scored.h5ad").uns["monitor_series"]["flag"].tolist() == ["none", "fall"]
    assert scored.obs["tumour_origin_reason"].tolist() == ["below threshold", "QC fail"]
    plain = scored_anndata(adata, {}, pd.DataFrame(index=samples), qc, calls, ranking)
    assert "classifier_probability" not in plain.obsm and "differential" not in plain.uns
