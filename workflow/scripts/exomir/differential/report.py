"""The report's custom content for one contrast: a table of the top miRNAs (`*_mqc.tsv`) and the
volcano plot and heatmap (`*_mqc.html`, the PNGs embedded), one MultiQC section each."""

import base64
import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from exomir.common.atomic import atomic_path

SHOWN = ["baseMean", "log2FoldChange", "lfcSE", "pvalue", "padj"]


def section_id(contrast: str) -> str:
    return f"exomir_differential_{contrast}"


def _header(lines: Sequence[tuple[str, str]], comment: str = "#") -> str:
    # JSON strings are valid YAML scalars, so quotes in the text cannot break the header.
    prefix = f"{comment} " if comment else ""
    return "\n".join(f"{prefix}{key}: {json.dumps(value)}" for key, value in lines) + "\n"


def write_top_table(table: pd.DataFrame, top: int, contrast: str, description: str, path: str | os.PathLike) -> None:
    """The first `top` rows of the sorted results as a MultiQC table section."""
    shown = table[SHOWN].head(top).copy()
    shown["baseMean"] = shown["baseMean"].round(1)
    shown[["log2FoldChange", "lfcSE"]] = shown[["log2FoldChange", "lfcSE"]].round(3)
    header = _header(
        [
            ("id", f"{section_id(contrast)}_table"),
            ("section_name", f"exomir: differential expression, {contrast}"),
            ("description", description),
            ("plot_type", "table"),
        ]
    )
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write(header)
        shown.to_csv(handle, sep="\t", float_format="%.4g")


def write_figures(
    images: Sequence[str | os.PathLike], contrast: str, description: str, path: str | os.PathLike
) -> None:
    """The PNGs `images` embedded in one MultiQC HTML section."""
    figures = []
    for image in images:
        data = base64.b64encode(Path(image).read_bytes()).decode("ascii")
        name = html.escape(Path(image).name)
        figures.append(f'<img src="data:image/png;base64,{data}" alt="{name}" style="max-width:48%;margin:0 1%">')
    header = (
        "<!--\n"
        + _header(
            [
                ("id", f"{section_id(contrast)}_figures"),
                ("section_name", f"exomir: differential expression figures, {contrast}"),
                ("description", description),
            ],
            comment="",
        )
        + "-->\n"
    )
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write(header)
        handle.write("<div>" + "".join(figures) + "</div>\n")
