"""Scores on the real exRNAQC017 samples (the shared exRNAQC run): deconvolution and the scored AnnData."""

import anndata
import pandas as pd
import yaml

from exomir.devtools.runs import REPO
from exomir.scores.scored import RESEARCH_USE_ONLY

TISSUES = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["score"]["tissues"]


def test_real_exrnaqc_samples_are_mostly_red_cells(exrnaqc_run):
    table = pd.read_csv(exrnaqc_run / "results" / "scores" / "deconvolution.tsv", sep="\t", index_col="sample")
    print(table.round(3).to_string())
    assert list(table.index) == ["RNA014937", "RNA014938", "RNA014939"]
    assert (table["red_cells"] > 0.6).all()
    tissues = table[TISSUES].sum(axis=1)
    assert (tissues < 0.1).all()  # healthy serum/plasma: little solid-tissue signal
    assert (table["fit_r2"] > 0.7).all()


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
