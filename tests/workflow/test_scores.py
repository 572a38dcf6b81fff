"""Scores on the real exRNAQC017 samples (the shared exRNAQC run): deconvolution and the scored AnnData."""

import anndata
import numpy as np
import pandas as pd

from exomir.devtools.runs import REPO
from exomir.scores.scored import RESEARCH_USE_ONLY

LIBRARIES = pd.read_csv(REPO / "resources" / "bundle" / "healthy_baselines" / "libraries.tsv", sep="\t")


def test_real_exrnaqc_deconvolution_has_intervals_and_healthy_ranges(exrnaqc_run):
    scores = exrnaqc_run / "results" / "scores"
    table = pd.read_csv(scores / "deconvolution.tsv", sep="\t", index_col="sample")
    intervals = pd.read_csv(scores / "deconvolution_intervals.tsv", sep="\t")
    print(table.round(3).T.to_string())
    print(intervals.round(4).to_string())
    assert list(table.index) == ["RNA014937", "RNA014938", "RNA014939"]
    # indistinguishable smooth-muscle tissues are one component; blood cells are profiles or marker shares
    assert "artery+bladder+bowel+stomach" in table.columns and "bladder" not in table.columns
    assert {"myeloid_laml", "lymphoid_dlbc", "red_cell_markers"} <= set(table.columns)
    assert "red_cells" not in table.columns
    assert (table["fit_log_pearson"] > 0.7).all() and (table["unexplained"] < 0.1).all()
    # every share has its bootstrap interval, and is set against the healthy libraries of its biofluid,
    # the sample itself (a baseline library) left out
    assert len(intervals) == 3 * (table.shape[1] - 4)
    assert (intervals["low"] <= intervals["share"] + 1e-9).all() and (
        intervals["share"] <= intervals["high"] + 1e-9
    ).all()
    biofluid = LIBRARIES.set_index("library")["biofluid"]
    for sample, rows in intervals.groupby("sample"):
        assert (rows["healthy_biofluid"] == biofluid[sample]).all()
        assert (rows["healthy_n"] == (LIBRARIES["biofluid"] == biofluid[sample]).sum() - 1).all()
    assert intervals["healthy_percentile"].between(0, 100).all()
    # healthy donors: each white-cell and red-cell share within the range of the other healthy libraries, widened
    # by the interval of 10,000-read samples
    blood = intervals[intervals["component"].isin(["myeloid_laml", "lymphoid_dlbc", "red_cell_markers"])]
    assert (blood["high"] >= blood["healthy_low"] - 0.05).all() and (blood["low"] <= blood["healthy_high"] + 0.05).all()
    tissues = table.drop(
        columns=[
            "myeloid_laml",
            "lymphoid_dlbc",
            "red_cell_markers",
            "unexplained",
            "fit_r2",
            "fit_log_pearson",
            "reference_reads_share",
        ]
    )
    assert (tissues.sum(axis=1) < 0.1).all()  # healthy serum/plasma: little solid-tissue signal
    assert np.isfinite(intervals[["low", "high"]].to_numpy()).all()


def test_scored_anndata_of_the_real_samples(exrnaqc_run):
    scored = anndata.read_h5ad(exrnaqc_run / "results" / "scores" / "scored.h5ad")
    counts = anndata.read_h5ad(exrnaqc_run / "results" / "counts" / "mirna.h5ad")
    assert scored.shape == counts.shape
    assert {
        "signature_rank_single_sample",
        "signature_scanpy_cohort",
        "deconvolution",
        "qc",
        "tumour_origin_evidence",
    } <= set(scored.obsm)
    assert scored.obsm["tumour_origin_evidence"].shape[1] >= 25
    assert (scored.obs["tumour_origin_call"] == "indeterminate").all()
    assert set(scored.obs["qc_verdict"]) <= {"pass", "warn"}
    assert scored.uns["research_use_only"] == RESEARCH_USE_ONLY
    figures = exrnaqc_run / "results" / "scores" / "figures"
    for name in ("signature_heatmap.png", "signature_heatmap.svg", "deconvolution.png", "deconvolution.svg"):
        assert (figures / name).stat().st_size > 5000, name
    assert (figures / "deconvolution.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
