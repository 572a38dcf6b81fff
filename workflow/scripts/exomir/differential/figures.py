"""The volcano plot and the heatmap of the top miRNAs of one contrast (png and svg)."""

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from exomir.common.atomic import atomic_path


def _save(figure: "object", paths: Sequence[str | os.PathLike]) -> None:
    import matplotlib.pyplot as plt

    for path in paths:
        suffix = os.path.splitext(str(path))[1]
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=suffix.lstrip("."), dpi=150, bbox_inches="tight")
    plt.close(figure)


def volcano(table: pd.DataFrame, alpha: float, title: str, label: int, paths: Sequence[str | os.PathLike]) -> None:
    """log2 fold change against -log10 p-value; miRNAs at padj < `alpha` in colour (up red, down
    blue), the first `label` rows of `table` (sorted) named."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tested = table.dropna(subset=["pvalue"])
    significant = tested["padj"].lt(alpha)
    colour = np.where(~significant, "0.65", np.where(tested["log2FoldChange"] > 0, "tab:red", "tab:blue"))
    y = -np.log10(tested["pvalue"].clip(lower=1e-300))
    figure, axes = plt.subplots(figsize=(6, 5))
    axes.scatter(tested["log2FoldChange"], y, c=colour, s=10, linewidths=0)
    for name in tested.index[:label]:
        axes.annotate(name, (tested.at[name, "log2FoldChange"], y[name]), fontsize=6, alpha=0.8)
    axes.axvline(0, color="0.8", linewidth=0.8)
    axes.set_xlabel("log2 fold change (case / control)")
    axes.set_ylabel("-log10 p-value")
    axes.set_title(f"{title}: {int(significant.sum())} of {len(tested)} at padj < {alpha:g}", fontsize=9)
    _save(figure, paths)


def heatmap(z_scores: pd.DataFrame, groups: pd.Series, title: str, paths: Sequence[str | os.PathLike]) -> None:
    """z-scored log-CPM of the top miRNAs (rows) in the contrast's samples (columns, control then case)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = list(groups.index[groups == "control"]) + list(groups.index[groups == "case"])
    values = z_scores[order].clip(-3, 3)
    height = max(3.0, 0.18 * len(values) + 1.5)
    width = max(5.0, 0.12 * len(order) + 3)
    figure, axes = plt.subplots(figsize=(width, height))
    image = axes.imshow(values.to_numpy(), aspect="auto", cmap="RdBu_r", vmin=-3, vmax=3, interpolation="nearest")
    axes.set_yticks(range(len(values)), values.index, fontsize=6)
    axes.set_xticks(range(len(order)), order, fontsize=5, rotation=90)
    boundary = int((groups == "control").sum()) - 0.5
    axes.axvline(boundary, color="black", linewidth=1)
    axes.set_title(f"{title}: control (left) | case (right)", fontsize=9)
    figure.colorbar(image, ax=axes, label="z-scored log2(CPM + 1)", shrink=0.6)
    _save(figure, paths)
