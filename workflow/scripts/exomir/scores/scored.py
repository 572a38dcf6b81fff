"""Collect QC, signature scores, deconvolution and tumour-origin calls: an AnnData with the scores in `obsm`,
figures (PNG and SVG) and MultiQC sections."""

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from exomir.common.atomic import atomic_path  # noqa: E402
from exomir.common.obs import typed_obs  # noqa: E402

if TYPE_CHECKING:  # the report's env, which imports this module for its tables, has no anndata
    import anndata

RESEARCH_USE_ONLY = (
    "RESEARCH USE ONLY. Tumour-origin calls compare a sample's miRNA profile with a healthy baseline of its own "
    "protocol and TCGA tumour tissue profiles. On a real plasma-vesicle cohort (GSE71008) they called none of 141 "
    "cancers (AUC of the evidence about 0.5): no call is not a negative result, and a call is not a diagnosis. "
    "They must not be used for diagnosis or treatment decisions."
)
HEATMAP_METHODS = ["rank_single_sample", "zscore_cohort_healthy", "zscore_reference_baseline"]
BLOOD_COLOURS = {
    "red_cell_markers": "#b2182b",
    "myeloid_laml": "#ef8a62",
    "myeloid_platelet_markers": "#ef8a62",
    "lymphoid_dlbc": "#fddbc7",
    "lymphocyte_markers": "#fddbc7",
}
DECONVOLUTION_FIT = ["unexplained", "fit_r2", "fit_log_pearson", "reference_reads_share"]
MINOR_TISSUE_SHARE = 0.01


def score_matrices(scores: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """{method: samples × signatures} from the long score table."""
    return {
        method: group.pivot(index="sample", columns="signature", values="score")
        for method, group in scores.groupby("method", sort=False)
    }


def stacked_shares(deconvolution: pd.DataFrame) -> pd.DataFrame:
    """Component shares for the bar chart: blood cells, tissues (those never reaching 1 % pooled as
    'other tissues') and the unexplained share, in that order."""
    components = deconvolution.drop(columns=[column for column in DECONVOLUTION_FIT if column != "unexplained"])
    blood = [column for column in BLOOD_COLOURS if column in components]
    tissues = [column for column in components.columns if column not in blood and column != "unexplained"]
    major = [tissue for tissue in tissues if components[tissue].max() >= MINOR_TISSUE_SHARE]
    shares = components[blood + major].copy()
    shares["other tissues"] = components[[tissue for tissue in tissues if tissue not in major]].sum(axis=1)
    shares["unexplained"] = components["unexplained"]
    return shares


def _save(figure: Figure, paths: Iterable[str | os.PathLike]) -> None:
    """Write the figure to each path, in the format its suffix names (.png, .svg)."""
    for path in paths:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=str(path).rsplit(".", 1)[-1], dpi=150, bbox_inches="tight")
    plt.close(figure)


def plot_heatmap(matrices: Mapping[str, pd.DataFrame], paths: Iterable[str | os.PathLike]) -> None:
    """One panel per available method among HEATMAP_METHODS: samples × signatures, diverging colours."""
    shown = [method for method in HEATMAP_METHODS if method in matrices]
    n_samples, n_signatures = matrices[shown[0]].shape
    figure, axes = plt.subplots(
        1, len(shown), figsize=(2 + 0.35 * n_signatures * len(shown), 1.5 + 0.3 * n_samples), squeeze=False
    )
    for axis, method in zip(axes[0], shown):
        values = matrices[method]
        limit = np.nanmax(np.abs(values.to_numpy())) if np.isfinite(values.to_numpy()).any() else 1.0
        # Missing scores (no miRNA of the signature found) in grey, not the white of 0.
        colours = plt.get_cmap("RdBu_r").with_extremes(bad="#999999")
        image = axis.imshow(values.to_numpy(dtype=float), cmap=colours, vmin=-limit, vmax=limit, aspect="auto")
        axis.set_xticks(range(values.shape[1]), values.columns, rotation=90, fontsize=7)
        axis.set_yticks(range(values.shape[0]), values.index, fontsize=7)
        axis.set_title(method, fontsize=9)
        figure.colorbar(image, ax=axis, shrink=0.6).set_label(f"{method} score (grey: missing)", fontsize=7)
    figure.suptitle("Literature signature scores (research use only)", fontsize=10)
    _save(figure, paths)


def component_colours(components: Iterable[str]) -> dict[str, str]:
    """{component: hex colour} of the deconvolution bars, in the figure and the report alike: blood cells
    in reds, the unexplained share grey, tissues from matplotlib's tab20 by position."""
    palette = plt.get_cmap("tab20")
    return {
        component: BLOOD_COLOURS.get(
            component, "#bbbbbb" if component == "unexplained" else matplotlib.colors.to_hex(palette(number % 20))
        )
        for number, component in enumerate(components)
    }


def plot_deconvolution(shares: pd.DataFrame, paths: Iterable[str | os.PathLike]) -> None:
    figure, axis = plt.subplots(figsize=(3 + 0.4 * len(shares), 4.5))
    colours = component_colours(shares.columns)
    bottom = np.zeros(len(shares))
    for component in shares.columns:
        colour = colours[component]
        axis.bar(range(len(shares)), shares[component], bottom=bottom, color=colour, label=component, width=0.8)
        bottom += shares[component].to_numpy()
    axis.set_xticks(range(len(shares)), shares.index, rotation=90, fontsize=7)
    axis.set_ylabel("share of reads on reference miRNAs")
    axis.set_ylim(0, max(1.0, bottom.max()))
    axis.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=7)
    axis.set_title("Tissue and blood-cell deconvolution (NNLS)", fontsize=10)
    _save(figure, paths)


def storable(table: pd.DataFrame) -> pd.DataFrame:
    """A table h5ad can hold in `uns`: a fresh index, and text columns as text (missing cells empty)."""
    table = table.reset_index(drop=True).copy()
    for column in table.select_dtypes(include="object").columns:
        table[column] = table[column].fillna("").astype(str)
    return table


def scored_anndata(
    adata: "anndata.AnnData",
    matrices: Mapping[str, pd.DataFrame],
    deconvolution: pd.DataFrame,
    qc: pd.DataFrame,
    calls: pd.DataFrame,
    ranking: pd.DataFrame,
    applied: pd.DataFrame | None = None,
    differential: Mapping[str, pd.DataFrame] | None = None,
    monitor: pd.DataFrame | None = None,
) -> "anndata.AnnData":
    """The count AnnData with QC and calls in `obs` and every score table in `obsm` (samples × columns);
    with the later stages' tables: classifier probabilities (`obsm["classifier_probability"]`, samples ×
    models) and calls (`obs["classifier_call_<model>"]`), differential expression per contrast
    (`uns["differential"]`) and the monitoring series (`uns["monitor_series"]`)."""
    scored = adata.copy()
    samples = scored.obs_names
    for column in ("verdict", "reasons", "hemolysis_ratio", "hemolysis_class"):
        scored.obs[f"qc_{column}"] = qc.loc[samples, column].to_numpy()
    calls = calls.set_index("sample").loc[samples]
    for column in ("call", "reason", "top_type"):
        scored.obs[f"tumour_origin_{column}"] = calls[column].fillna("").astype(str).to_numpy()
    scored.obs["tumour_origin_p_value"] = calls["p_value"].to_numpy(dtype=float)
    for method, matrix in matrices.items():
        scored.obsm[f"signature_{method}"] = matrix.reindex(samples)
    scored.obsm["deconvolution"] = deconvolution.reindex(samples)
    scored.obsm["qc"] = qc.loc[samples].select_dtypes("number")
    evidence = ranking.pivot(index="sample", columns="cancer_type", values="evidence") if len(ranking) else None
    scored.obsm["tumour_origin_evidence"] = (
        evidence.reindex(samples) if evidence is not None else pd.DataFrame(index=samples)
    )
    if applied is not None and len(applied):
        probability = applied.pivot(index="sample", columns="model", values="probability")
        scored.obsm["classifier_probability"] = probability.reindex(samples).astype(float)
        for model, rows in applied.groupby("model"):
            scored.obs[f"classifier_call_{model}"] = (
                rows.set_index("sample")["call"].reindex(samples).fillna("").to_numpy()
            )
    if differential:
        scored.uns["differential"] = {name: storable(table) for name, table in differential.items()}
    if monitor is not None:
        scored.uns["monitor_series"] = storable(monitor)
    scored.uns["research_use_only"] = RESEARCH_USE_ONLY
    scored.obs = typed_obs(scored.obs, empty_is_missing=False)  # a missing call or reason stays "" as written
    return scored
