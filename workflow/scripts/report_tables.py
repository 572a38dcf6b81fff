"""The workflow's own tables for MultiQC: the read funnel, insert lengths and the top miRNAs.

Written as MultiQC custom content (`*_mqc.tsv` with a YAML-like comment header).
"""

import sys
import json

import pandas as pd

from atomic import atomic_path

FUNNEL_STAGES = ["input_reads", "adapter_found", "length_passed", "unique_sequences", "mirna_reads"]


def funnel_row(collapse_stats, quantify_stats):
    """One sample's read funnel from the insert and quantification steps' JSON reports."""
    return {
        "input_reads": collapse_stats["input_reads"],
        "adapter_found": collapse_stats["adapter_found"],
        "length_passed": collapse_stats["length_passed"],
        "unique_sequences": collapse_stats["unique_sequences"],
        "mirna_reads": round(quantify_stats["mirna_molecules"], 1),
    }


def load_reports(paths):
    """The steps' JSON reports, one per sample."""
    reports = []
    for path in paths:
        with open(path) as handle:
            reports.append(json.load(handle))
    return reports


def read_funnel(samples, collapse_stats, quantify_stats):
    rows = {}
    for sample, collapsed, quantified in zip(samples, collapse_stats, quantify_stats):
        rows[sample] = funnel_row(collapsed, quantified)
    funnel = pd.DataFrame.from_dict(rows, orient="index")[FUNNEL_STAGES]
    funnel["mirna_percent"] = (100 * funnel["mirna_reads"] / funnel["input_reads"].where(funnel["input_reads"] > 0)).round(
        2
    )
    funnel.index.name = "sample"
    return funnel


def insert_length_shares(samples, collapse_stats):
    """Per cent of each sample's kept reads at each insert length (samples × lengths)."""
    lengths = {
        sample: pd.Series(stats["insert_lengths"], dtype="float64") for sample, stats in zip(samples, collapse_stats)
    }
    table = pd.DataFrame(lengths).fillna(0.0)
    table.index = table.index.astype(int)
    table = table.sort_index()
    totals = table.sum()
    return (100 * table / totals.where(totals > 0)).fillna(0.0).round(3).T


def top_mirnas(cpm, number):
    """The `number` miRNAs with the highest mean CPM, with each sample's CPM."""
    order = cpm.mean(axis=1).sort_values(ascending=False).index[:number]
    return cpm.loc[order].round(1)


def write_mqc_table(table, path, section_id, section_name, description, plot_type="table"):
    # JSON strings are valid YAML scalars, so quotes in the text cannot break the header.
    header = [
        f"# {key}: {json.dumps(value)}"
        for key, value in (
            ("id", section_id),
            ("section_name", section_name),
            ("description", description),
            ("plot_type", plot_type),
        )
    ]
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write("\n".join(header) + "\n")
        table.to_csv(handle, sep="\t")


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    samples = snakemake.params.samples
    collapse_stats = load_reports(snakemake.input.collapse)
    funnel = read_funnel(samples, collapse_stats, load_reports(snakemake.input.quantify))
    write_mqc_table(
        funnel,
        snakemake.output.funnel,
        "exomir_read_funnel",
        "exomir: read funnel",
        "Reads at each step: input, 3' adapter found, insert length within limits, unique inserts, "
        "and reads (UMI molecules where the kit has UMIs) counted on mature miRNAs.",
    )
    # A line graph takes its x values from a header row whose first cell is empty.
    lengths = insert_length_shares(samples, collapse_stats).rename_axis(None)
    write_mqc_table(
        lengths,
        snakemake.output.lengths,
        "exomir_insert_lengths",
        "exomir: insert lengths",
        "Per cent of each sample's reads at each insert length (nt), after trimming, clipping and the "
        "length limits: miRNAs peak at 21-23 nt; tRNA and Y RNA fragments lie above 28 nt.",
        plot_type="linegraph",
    )
    cpm = pd.read_csv(snakemake.input.cpm, sep="\t", index_col="mirna")
    top = top_mirnas(cpm, snakemake.params.top_number).T
    top.index.name = "sample"
    write_mqc_table(
        top,
        snakemake.output.top,
        "exomir_top_mirnas",
        "exomir: top miRNAs",
        f"Counts per million miRNA reads of the {snakemake.params.top_number} miRNAs with the highest mean CPM.",
    )


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
