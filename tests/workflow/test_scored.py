import anndata

from exomir.scores.scored import RESEARCH_USE_ONLY


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
