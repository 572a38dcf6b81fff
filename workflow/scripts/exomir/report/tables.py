"""The workflow's own tables for the QC report, written as MultiQC custom content (`*_mqc.tsv`
with a YAML-like comment header): read funnel, insert lengths, top miRNAs, library kits,
biotypes, tRNA fragments, sample QC, tumour origin, deconvolution and signature scores; in a run
from a count table, the table's import instead of the sections that need reads.

Each table is built by a function here from the outputs of the stages, and SECTIONS gives
its MultiQC section: id, name, description and plot type.
"""

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from exomir.common.atomic import atomic_path
from exomir.common.biotypes import BIOTYPE_PRIORITY
from exomir.common.normalise import expressed, log2_cpm
from exomir.report.headers import column_headers
from exomir.scores.scored import RESEARCH_USE_ONLY, component_colours, score_matrices, stacked_shares
from exomir.scores.tumour_origin import NOT_CALLED

FUNNEL_STAGES = ["input_reads", "adapter_found", "length_passed", "unique_sequences", "mirna_reads"]


def funnel_row(collapse_stats: Mapping[str, Any], quantify_stats: Mapping[str, Any]) -> dict[str, float | None]:
    """One sample's read funnel from the insert and quantification steps' JSON reports: reads at each
    step, then, for UMI kits only, the molecules after deduplication and those on miRNAs."""
    umi = collapse_stats["umi"]
    return {
        "input_reads": collapse_stats["input_reads"],
        "adapter_found": collapse_stats["adapter_found"],
        "length_passed": collapse_stats["length_passed"],
        "unique_sequences": collapse_stats["unique_sequences"],
        "mirna_reads": quantify_stats["biotype_reads"]["miRNA"],
        "umi_molecules": umi["molecules"] if umi else None,
        "mirna_molecules": quantify_stats["mirna_molecules"] if umi else None,
    }


def read_funnel(
    samples: Iterable[str],
    collapse_stats: Iterable[Mapping[str, Any]],
    quantify_stats: Iterable[Mapping[str, Any]],
) -> pd.DataFrame:
    """Samples × funnel steps: reads (FUNNEL_STAGES, then the per cent of input reads on miRNAs) and, for
    UMI kits, molecules (empty for the others)."""
    rows = {}
    for sample, collapsed, quantified in zip(samples, collapse_stats, quantify_stats):
        rows[sample] = funnel_row(collapsed, quantified)
    funnel = pd.DataFrame.from_dict(rows, orient="index")
    funnel.insert(
        len(FUNNEL_STAGES),
        "mirna_percent",
        (100 * funnel["mirna_reads"] / funnel["input_reads"].where(funnel["input_reads"] > 0)).round(2),
    )
    funnel[["umi_molecules", "mirna_molecules"]] = funnel[["umi_molecules", "mirna_molecules"]].astype("Float64")
    funnel.index.name = "sample"
    return funnel


def general_statistics(qc: pd.DataFrame, funnel: pd.DataFrame | None) -> pd.DataFrame:
    """exomir's columns of MultiQC's General Statistics, from the sample QC table and (from reads) the
    funnel: input reads, per cent of them on miRNAs, unique inserts, verdict, kit and blood classes."""
    shown = pd.DataFrame(index=qc.index)
    if funnel is not None:
        shown["input_reads"] = qc["input_reads"]
        shown["mirna_percent"] = (100 * qc["mirna_reads"] / qc["input_reads"].where(qc["input_reads"] > 0)).round(2)
        shown["unique_sequences"] = funnel["unique_sequences"].reindex(qc.index)
    else:
        shown["mirna_reads"] = qc["mirna_reads"]
    shown["verdict"] = qc["verdict"]
    shown["kit"] = qc["kit"]
    for column in BLOOD_CLASSES:
        if column in qc:
            shown[column] = qc[column]
    shown.index.name = "sample"
    return shown


def insert_length_shares(samples: Iterable[str], collapse_stats: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Per cent of each sample's trimmed reads at each insert length (samples × lengths from 0 nt), before
    the length limits, so that adapter dimers (0 nt) and short fragments show."""
    lengths = {
        sample: pd.Series(stats["trimmed_lengths"], dtype="float64") for sample, stats in zip(samples, collapse_stats)
    }
    table = pd.DataFrame(lengths).fillna(0.0)
    table.index = table.index.astype(int)
    table = table.reindex(range(0, max(table.index, default=0) + 1), fill_value=0.0)
    totals = table.sum()
    return (100 * table / totals.where(totals > 0)).fillna(0.0).round(3).T


def line_plot(table: pd.DataFrame) -> dict[str, Any]:
    """A samples × x table as MultiQC line-graph data, each sample's points as [x, y] pairs: MultiQC 1.35
    plots a TSV's x values in the order of their text ("10" before "2"), which draws false ramps."""
    return {"data": {sample: [[int(x), float(y)] for x, y in row.items()] for sample, row in table.iterrows()}}


# A miRNA enters the sample views with this many counts in at least half of the samples: edgeR's
# filterByExpr default min.count (Chen, Lun & Smyth, F1000Research 2016;5:1438). miRNAs seen a few
# times in one library are most of the detected ones at low depth (1,015 detected in the four 20,000-read
# demo libraries, 73 pass) and, over every detected miRNA, that counting noise is what a correlation or a
# PCA measures.
VIEW_MIN_COUNT = 10


def sample_log_cpm(counts: pd.DataFrame) -> pd.DataFrame:
    """log2(CPM + 1), CPM over every miRNA, of the miRNAs with VIEW_MIN_COUNT counts in at least half of
    the samples (miRNAs × samples)."""
    kept = expressed(counts, VIEW_MIN_COUNT, math.ceil(counts.shape[1] / 2))
    return log2_cpm(counts).loc[kept]


def sample_pca(counts: pd.DataFrame) -> tuple[pd.DataFrame, list[float]]:
    """Samples × (PC1, PC2) of the miRNAs' centred log-CPM (sample_log_cpm), and the per cent of variance
    each explains (0 for a component a cohort of fewer than 3 samples cannot have)."""
    values = sample_log_cpm(counts).T
    centred = (values - values.mean()).to_numpy()
    left, singular, _ = np.linalg.svd(centred, full_matrices=False) if centred.size else (None, np.zeros(0), None)
    coordinates = np.zeros((len(values), 2))
    found = min(2, len(singular))
    if found:
        coordinates[:, :found] = left[:, :found] * singular[:found]
    total = float((singular**2).sum())
    explained = [100 * float(singular[k] ** 2) / total if k < found and total > 0 else 0.0 for k in range(2)]
    return pd.DataFrame(coordinates, index=values.index, columns=["PC1", "PC2"]), explained


def sample_correlation(counts: pd.DataFrame) -> pd.DataFrame:
    """Samples × samples Pearson correlation of log-CPM (sample_log_cpm)."""
    correlation = sample_log_cpm(counts).corr(method="pearson").round(3)
    correlation.index.name = "sample"
    return correlation


# Colours of a sheet column's values in the PCA, in order of first appearance (matplotlib's tab10), by name
# for the section's colour key.
GROUP_COLOURS = {
    "blue": "#1f77b4",
    "orange": "#ff7f0e",
    "green": "#2ca02c",
    "red": "#d62728",
    "purple": "#9467bd",
    "brown": "#8c564b",
    "pink": "#e377c2",
    "grey": "#7f7f7f",
    "olive": "#bcbd22",
}
PCA_COLOURED_BY = ["biofluid", "batch", "condition"]


def pca_datasets(coordinates: pd.DataFrame, sheet: pd.DataFrame) -> tuple[list[dict[str, Any]], list[str]]:
    """MultiQC scatter datasets of the PCA, one per sheet column of PCA_COLOURED_BY the sheet has: each
    sample's point coloured by its value there (empty: 'not given'); and the colour key of each."""
    datasets, keys = [], []
    names = list(GROUP_COLOURS)
    for column in PCA_COLOURED_BY:
        if column not in sheet:
            continue
        groups = sheet[column].reindex(coordinates.index).fillna("").astype(str).replace("", "not given")
        colours = {group: names[number % len(names)] for number, group in enumerate(groups.unique())}
        datasets.append(
            {
                sample: {
                    "x": round(float(row.PC1), 4),
                    "y": round(float(row.PC2), 4),
                    "color": GROUP_COLOURS[colours[groups[sample]]],
                    "group": f"{column}: {groups[sample]}",
                }
                for sample, row in coordinates.iterrows()
            }
        )
        keys.append(f"{column}: " + ", ".join(f"{group} {colour}" for group, colour in colours.items()))
    return datasets, keys


def pca_plot(counts: pd.DataFrame, sheet: pd.DataFrame) -> dict[str, Any]:
    """The PCA's MultiQC data and pconfig: one dataset per colouring (pca_datasets), axes titled with the
    variance they explain, and the colour key (`colour_key`, text for the section's description)."""
    coordinates, explained = sample_pca(counts)
    datasets, keys = pca_datasets(coordinates, sheet)
    return {
        "data": datasets,
        "pconfig": {
            "id": "exomir_sample_pca_plot",
            "title": "exomir: PCA of log-CPM",
            # No per cent sign in an axis title: MultiQC would then print the ticks as percentages.
            "xlab": f"PC1, {explained[0]:.1f} per cent of the variance",
            "ylab": f"PC2, {explained[1]:.1f} per cent of the variance",
            "data_labels": [{"name": f"coloured by {key.split(':')[0]}"} for key in keys],
        },
        "colour_key": "Colours: " + "; ".join(keys) + ".",
    }


def write_mqc_json(
    content: Mapping[str, Any],
    path: str | os.PathLike,
    section_id: str,
    section_name: str,
    description: str,
    plot_type: str,
    **settings: Any,
) -> None:
    """MultiQC custom content as JSON (for plots a TSV cannot describe, such as coloured scatter points):
    the section and `settings`, then `content` (data, pconfig; a `colour_key` ends the description)."""
    content = dict(content)
    if "colour_key" in content:
        description = f"{description} {content.pop('colour_key')}"
    header = {"id": section_id, "section_name": section_name, "description": description, "plot_type": plot_type}
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        json.dump(header | settings | dict(content), handle, indent=1)


def top_mirnas(cpm: pd.DataFrame, number: int) -> pd.DataFrame:
    """The `number` miRNAs with the highest mean CPM, with each sample's CPM."""
    order = cpm.mean(axis=1).sort_values(ascending=False).index[:number]
    return cpm.loc[order].round(1)


def write_mqc_table(
    table: pd.DataFrame,
    path: str | os.PathLike,
    section_id: str,
    section_name: str,
    description: str,
    plot_type: str = "table",
    **settings: Any,
) -> None:
    """`table` as MultiQC custom content with its section in the comment header; `settings` are further
    keys of that header (pconfig, categories, ...). A table's columns get their headers from
    COLUMN_HEADERS, in the table's order, changed by `header_overrides` ({column: fields}); columns not
    listed there get `default_header`."""
    header = {"id": section_id, "section_name": section_name, "description": description, "plot_type": plot_type}
    default, overrides = settings.pop("default_header", None), settings.pop("header_overrides", {})
    if plot_type in ("table", "generalstats"):
        header["headers"] = column_headers(table.columns, default, overrides)
    header |= settings
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        # JSON strings are valid YAML scalars, so quotes in the text cannot break the header.
        handle.write("".join(f"# {key}: {json.dumps(value)}\n" for key, value in header.items()))
        table.to_csv(handle, sep="\t")


# Fragment types of exomir.quantify.assign.trna_fragment_type, 5' to 3'.
TRNA_FRAGMENT_TYPES = ["5'_half", "5'_tRF", "i-tRF", "3'_tRF", "3'_half", "full_length"]
# Blood-contamination classes of the QC table (the biofluid's own), shown in General Statistics.
BLOOD_CLASSES = ("hemolysis_class", "hematuria_class", "blood_class")
# Key columns first, long text last.
QC_SHOWN = [
    "verdict",
    *BLOOD_CLASSES,
    "hemolysis_ratio",
    "rbc_index",
    "myeloid_platelet_index",
    "lymphoid_index",
    "transcriptome_reads",
    "mirnas_10_reads",
    "unexplained_share",
    "biofluid",
    "reasons",
    "not_checked",
]
CALL_SHOWN = ["call", "reason", "top_type", "evidence", "threshold", "p_value", "runner_up", "qc_verdict", "note"]
# Value-axis range a bar chart of few molecules keeps (project choice: one molecule is a sliver, not a full bar).
MIN_BAR_RANGE = 100


def biotype_reads(biotypes: pd.DataFrame) -> pd.DataFrame:
    """Samples × biotypes reads, in the order of the annotation priority."""
    return biotypes.reindex(list(BIOTYPE_PRIORITY)).T


def trna_fragments(features: pd.DataFrame, samples: Sequence[str]) -> pd.DataFrame:
    """Samples × tRNA fragment types: molecules on tRNA by fragment type."""
    by_type = pd.DataFrame(0.0, index=TRNA_FRAGMENT_TYPES, columns=list(samples))
    if "tRNA" in features.index.get_level_values("biotype"):
        trna = features.xs("tRNA", level="biotype")
        by_type = trna.groupby(level="fragment_type").sum().reindex(TRNA_FRAGMENT_TYPES).fillna(0.0)
    return by_type.T


def sample_qc_shown(qc: pd.DataFrame) -> pd.DataFrame:
    """The QC columns the report shows that the table has (a count table's adds `not_checked`, the checks it
    could not have), rounded to 4 decimals."""
    return qc[[column for column in QC_SHOWN if column in qc]].round(4)


def imported_counts(qc: pd.DataFrame) -> pd.DataFrame:
    """Per sample of a count table: its reads on the kept features and the features with >= 10 reads."""
    return qc[["mirna_reads", "mirnas_10_reads"]].rename(
        columns={"mirna_reads": "reads_on_kept_features", "mirnas_10_reads": "features_10_reads"}
    )


def imported_description(summary: Mapping[str, Any], left_out: Iterable[str]) -> str:
    """The import section's text: the table, what its first column held, the rows left out or summed,
    and the report sections a count table cannot have (`left_out`, their names)."""
    level = summary["feature_level"]
    text = (
        f"Counts read from the table {summary['counts_table']} instead of reads. Its first column holds "
        f"{summary['kind']}, so every table of this report is at {level} level"
    )
    if level == "precursor":
        text += " (both arms of a hairpin together; marker and signature miRNAs are found through their precursors)"
    text += (
        f": {summary['features']} features of {summary['rows']} rows. {summary['dropped_rows']} rows name no "
        "known miRNA of that kind and are left out"
    )
    if summary["dropped_examples"]:
        text += f" (e.g. {', '.join(summary['dropped_examples'][:5])})"
    text += "."
    if summary["duplicate_features"]:
        text += f" {summary['duplicate_features']} features were on more than one row; their rows are summed."
    return text + (
        f" Not produced, as they need reads: {', '.join(left_out)}, bowtie and mirtop; sample QC leaves out the "
        "checks that need reads (column not_checked)."
    )


def tumour_origin_shown(calls: pd.DataFrame) -> pd.DataFrame:
    """The tumour-origin columns the report shows, by sample. A sample refused before it could be judged
    (not_called) shows its reason, not numbers a reader might take for a result."""
    shown = calls.set_index("sample")[CALL_SHOWN].copy()
    refused = shown["call"] == NOT_CALLED
    shown.loc[refused, ["top_type", "evidence", "threshold", "p_value", "runner_up"]] = np.nan
    shown[["evidence", "threshold"]] = shown[["evidence", "threshold"]].astype(float).round(2)
    shown["p_value"] = shown["p_value"].astype(float).round(3)
    return shown


def deconvolution_shares(deconvolution: pd.DataFrame) -> pd.DataFrame:
    """The stacked shares of the deconvolution figure, rounded to 4 decimals."""
    return stacked_shares(deconvolution).round(4)


def bar_categories(columns: Iterable[str], colours: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """MultiQC bar-graph categories in the order of `columns`, with their colours when given."""
    return {column: {"name": column, **({"color": colours[column]} if colours else {})} for column in columns}


def signature_rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Samples × signatures single-sample rank scores. MultiQC's heatmap takes no empty cells:
    signatures without a found miRNA in some sample stay out."""
    return score_matrices(scores)["rank_single_sample"].dropna(axis=1).round(3)


def table_settings(name: str, table: pd.DataFrame) -> dict[str, Any]:
    """Settings of a report table that depend on its columns: a bar graph's categories (the deconvolution's
    in the colours of its figure)."""
    if name == "deconvolution":
        return {"categories": bar_categories(table.columns, component_colours(table.columns))}
    if name in ("biotypes", "trna"):
        return {"categories": bar_categories(table.columns)}
    return {}


def sections(
    top_number: int, imported: Mapping[str, Any] | None = None, left_out: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """{table name: MultiQC section (section_id, section_name, description, plot_type and settings such as
    pconfig)}; with the summary of an `imported` count table, its section too, naming the tables `left_out`."""

    def section(
        section_id: str, name: str, description: str, plot_type: str = "table", **settings: Any
    ) -> dict[str, Any]:
        return {
            "section_id": section_id,
            "section_name": name,
            "description": description,
            "plot_type": plot_type,
            **settings,
        }

    shown = {
        "general": section(
            "exomir_general_stats",
            "exomir",
            "exomir's columns of General Statistics.",
            "generalstats",
            namespace="exomir",
        ),
        "funnel": section(
            "exomir_read_funnel",
            "exomir: read funnel",
            "Reads at each step: input, 3' adapter found, insert length within limits, unique inserts, reads on "
            "mature miRNAs and their per cent of the input reads. UMI kits also have molecules (after UMI "
            "deduplication) and miRNA molecules; the counts of every later table are molecules for those kits.",
        ),
        "lengths": section(
            "exomir_insert_lengths",
            "exomir: insert lengths",
            "Per cent of each sample's trimmed reads at each insert length (nt), from 0 nt, before the kit's "
            "length limits: adapter dimers sit at 0 nt, miRNAs peak at 21-23 nt, tRNA and Y RNA fragments lie "
            "above 28 nt.",
            "linegraph",
            pconfig={
                "id": "exomir_insert_lengths_plot",
                "title": "exomir: insert lengths",
                "xlab": "insert length after trimming (nt)",
                "ylab": "% of trimmed reads",
                "xmin": 0,
                "ymin": 0,
                "showlegend": True,
                "tt_decimals": 2,
            },
        ),
        "pca": section(
            "exomir_sample_pca",
            "exomir: sample PCA",
            "Principal components of the samples' log2(CPM + 1) over the miRNAs with at least 10 counts in "
            "half of the samples, centred per miRNA; the buttons colour the samples by biofluid, batch or "
            "condition of the sample sheet. Samples that sit apart from their group are worth a look at their QC.",
            "scatter",
        ),
        "correlation": section(
            "exomir_sample_correlation",
            "exomir: sample correlation",
            "Pearson correlation of the samples' log2(CPM + 1) over the miRNAs with at least 10 counts in "
            "half of the samples. A sample low against all others of its biofluid and kit is an outlier.",
            "heatmap",
            pconfig={
                "id": "exomir_sample_correlation_plot",
                "title": "exomir: sample correlation",
                "xlab": "sample",
                "ylab": "sample",
                "zlab": "Pearson r of log-CPM",
                "max": 1,
                "square": True,
            },
        ),
        "top": section(
            "exomir_top_mirnas",
            "exomir: top miRNAs",
            f"Counts per million miRNA reads of the {top_number} miRNAs with the highest mean CPM.",
            default_header={"description": "counts per million miRNA reads (CPM)", "format": "{:,.1f}", "min": 0},
        ),
        "kits": section(
            "exomir_kits",
            "exomir: library kits",
            "Kit used per sample (declared in the sample sheet, or detected with `auto`), the kit the "
            "first reads fit best, the fraction of reads it fits (support) and the runner-up. "
            "mirna_exact: fraction of reads whose clipped insert is exactly a known mature miRNA, "
            "which tells kits with the same adapter apart. A declared kit the reads contradict is "
            "flagged WARNING. UMI kits: molecules after deduplication and the duplication rate "
            "(1 - molecules / reads).",
        ),
        "biotypes": section(
            "exomir_biotypes",
            "exomir: reads by biotype",
            "Every read of length within limits, by the one biotype its insert was given "
            f"(priority: {' > '.join(BIOTYPE_PRIORITY)}; miRNA_hairpin: on a hairpin outside any mature).",
            "bargraph",
            pconfig={"id": "exomir_biotypes_plot", "title": "exomir: reads by biotype", "ylab": "reads"},
        ),
        "trna": section(
            "exomir_trna_fragments",
            "exomir: tRNA fragments",
            "Molecules on tRNA by fragment type (5'/3' halves >= 28 nt, shorter 5'/3' tRFs, internal "
            "i-tRFs, full length); per tRNA family in results/counts/biotype_feature_counts.tsv. The axis spans "
            f"at least {MIN_BAR_RANGE} molecules, so that a handful does not fill the plot.",
            "bargraph",
            pconfig={
                "id": "exomir_trna_fragments_plot",
                "title": "exomir: tRNA fragments",
                "ylab": "molecules",
                "cpswitch": False,
                "x_minrange": MIN_BAR_RANGE,  # a horizontal bar's value axis is MultiQC's x axis
            },
        ),
        "sample_qc": section(
            "exomir_sample_qc",
            "exomir: sample QC",
            "Verdict per sample (pass / warn / fail) and its reasons (last column). Hemolysis (plasma, serum): the "
            "miR-451a / miR-23a-3p ratio (Blondal 2013) and the red-cell miRNA share, judged against healthy "
            "libraries of the sample's protocol; hematuria (urine): the red-cell miRNA share. Indices: per cent of "
            "miRNA reads on red-cell, myeloid/platelet and lymphoid marker miRNAs (Pritchard 2012; Krammer 2022). "
            "ERCC exRNA criteria: >= 100,000 transcriptome reads, transcriptome/genome > 0.5. A failed sample gets "
            "no tumour-origin call. docs/qc.md gives every check with its source; docs/output.md what to do.",
        ),
        "tumour_origin": section(
            "exomir_tumour_origin",
            "exomir: tumour origin (research use only)",
            RESEARCH_USE_ONLY + " Evidence: likelihood-ratio statistic of 'null plus tissue of the top cancer "
            "type' against the null (healthy baseline, blood-cell components and normal tissues), standardised by "
            "the type's spread over cross-validated healthy libraries. A call needs evidence above the "
            "threshold that holds the false-call rate on those libraries; p-value: share of them with at least "
            "this evidence. Every indeterminate or not_called sample has one reason: below threshold, protocol "
            "mismatch, out of distribution, QC fail or too few healthy libraries.",
            header_overrides={"runner_up": {"title": "Runner-up type", "description": "Second-best cancer type"}},
        ),
        "deconvolution": section(
            "exomir_deconvolution",
            "exomir: tissue and blood-cell deconvolution",
            "Share of reads on reference miRNAs explained by each tissue of the miRTS signature matrix "
            "(miRNATissueAtlas2, plasma-detectable tissues; tissues whose profiles cannot be told apart merged, "
            "e.g. artery+bladder+bowel+stomach), by the TCGA LAML (myeloid) and DLBC (lymphoid) profiles, and "
            "by the red-cell marker miRNAs (red_cell_markers: a read share, not a cell fraction), by "
            "non-negative least squares. Bootstrap intervals and the healthy libraries' range of the same "
            "biofluid are in results/scores/deconvolution_intervals.tsv, the goodness of fit in "
            "results/scores/deconvolution.tsv. Colours as in results/scores/figures/deconvolution.png.",
            "bargraph",
            pconfig={
                "id": "exomir_deconvolution_plot",
                "title": "exomir: tissue and blood-cell deconvolution",
                "ylab": "share of reads on reference miRNAs",
                "cpswitch": False,
            },
        ),
        "signature_scores": section(
            "exomir_signature_scores",
            "exomir: literature signature scores",
            "singscore-style single-sample rank scores (-1..1) of the curated literature signatures scored in "
            "every sample; research use only. All methods (cohort, z-scores) and signatures are in "
            "results/scores/signature_scores.tsv and the heatmap figure; a signature with no miRNA found in some "
            "sample is left out here (no cell is drawn as if it were 0).",
            "heatmap",
            pconfig={
                "id": "exomir_signature_scores_plot",
                "title": "exomir: literature signature scores",
                "xlab": "signature",
                "ylab": "sample",
                "zlab": "rank score (-1..1)",
                "min": -1,
                "max": 1,
            },
        ),
    }
    if imported is not None:
        names = [shown[name]["section_name"].removeprefix("exomir: ") for name in left_out]
        shown["imported"] = section(
            "exomir_imported_counts", "exomir: counts from a table", imported_description(imported, names)
        )
    return shown
