"""One contrast from the count AnnData to its outputs: the groups, the design, filtering, the Wald
test, the figures and the report's sections; what the rule script `differential.py` calls."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import pandas as pd

from exomir.common.atomic import write_json
from exomir.common.tables import write_tsv
from exomir.differential.deseq import filter_counts, log_cpm_z, wald_test
from exomir.differential.design import CASE, CONTROL, Contrast, choose_design, group_samples
from exomir.differential.figures import heatmap, volcano
from exomir.differential.report import write_figures, write_top_table


@dataclass(frozen=True)
class Settings:
    min_count: float
    alpha: float
    top: int
    threads: int = 1


def run_contrast(
    counts: pd.DataFrame,
    feature_level: str,
    contrast: Contrast,
    conditions: pd.Series,
    batches: pd.Series,
    settings: Settings,
    outputs: Mapping[str, str | os.PathLike],
    log: TextIO,
) -> dict[str, Any]:
    """Test `contrast` on `counts` (samples × features, raw) and write `outputs` (table, volcano_png,
    volcano_svg, heatmap_png, heatmap_svg, mqc_table, mqc_figures, summary); returns the summary."""
    groups = group_samples(contrast, conditions.reindex(counts.index))
    design = choose_design(groups, batches)
    level = "precursors" if feature_level == "precursor" else "mature miRNAs"
    print(
        f"contrast {contrast.name}: case {', '.join(contrast.case)} ({(groups == CASE).sum()} samples) against "
        f"control {', '.join(contrast.control)} ({(groups == CONTROL).sum()} samples); features: {level}",
        file=log,
    )
    print(f"design: {design.formula}", file=log)
    if design.warning:
        print(f"WARNING: {design.warning}", file=log)
    filtered = filter_counts(counts, groups, settings.min_count)
    print(
        f"{filtered.counts.shape[1]} {level} kept, {filtered.dropped} left out with fewer than "
        f"{settings.min_count:g} reads in {int(groups.value_counts().min())} samples (the smaller group)",
        file=log,
    )
    if filtered.rounded:
        print(f"{filtered.rounded} fractional counts rounded to whole reads", file=log)
    table = wald_test(filtered.counts, groups, batches, design, settings.alpha, settings.threads)
    significant = table["padj"].lt(settings.alpha)
    up = int((significant & (table["log2FoldChange"] > 0)).sum())
    down = int((significant & (table["log2FoldChange"] < 0)).sum())
    print(f"padj < {settings.alpha:g}: {up} up, {down} down in case", file=log)
    write_tsv(table, outputs["table"], float_format="%.6g")

    title = f"{contrast.name} ({'/'.join(contrast.case)} vs {'/'.join(contrast.control)})"
    volcano(table, settings.alpha, title, min(settings.top, 15), [outputs["volcano_png"], outputs["volcano_svg"]])
    top = list(table.index[: settings.top])
    heatmap(log_cpm_z(filtered.counts, top), groups, title, [outputs["heatmap_png"], outputs["heatmap_svg"]])

    description = (
        f"DESeq2 (pydeseq2), {title}: {(groups == CASE).sum()} case and {(groups == CONTROL).sum()} control "
        f"samples, design {design.formula}, {len(table)} {level} tested (at least {settings.min_count:g} reads "
        f"in {int(groups.value_counts().min())} samples); {up} up and {down} down at padj < {settings.alpha:g} "
        "(Benjamini-Hochberg). log2 fold changes are case over control, not shrunk."
    )
    if design.warning:
        description += f" Warning: {design.warning}."
    write_top_table(
        table,
        settings.top,
        contrast.name,
        description + f" The {settings.top} first miRNAs by padj.",
        outputs["mqc_table"],
    )
    write_figures(
        [outputs["volcano_png"], outputs["heatmap_png"]],
        contrast.name,
        f"Volcano plot and heatmap (z-scored log2 CPM of the {len(top)} first miRNAs by padj) of {title}.",
        outputs["mqc_figures"],
    )
    summary = {
        "contrast": contrast.name,
        "case": list(contrast.case),
        "control": list(contrast.control),
        "case_samples": int((groups == CASE).sum()),
        "control_samples": int((groups == CONTROL).sum()),
        "design": design.formula,
        "warning": design.warning,
        "feature_level": feature_level,
        "tested": len(table),
        "filtered_out": filtered.dropped,
        "rounded_counts": filtered.rounded,
        "alpha": settings.alpha,
        "up": up,
        "down": down,
    }
    write_json(summary, outputs["summary"])
    return summary
