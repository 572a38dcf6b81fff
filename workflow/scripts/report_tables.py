"""The workflow's own tables for MultiQC: the read funnel and the top miRNAs.

Written as MultiQC custom content (`*_mqc.tsv` with a YAML-like comment header).
"""

import sys
import json

import pandas as pd

from atomic import atomic_path

FUNNEL_STAGES = ["input_reads", "adapter_found", "length_passed", "unique_sequences", "mirna_reads"]


def funnel_row(cutadapt_report, collapse_stats, quantify_stats):
    """One sample's read funnel from the three steps' JSON reports."""
    read_counts = cutadapt_report["read_counts"]
    return {
        "input_reads": read_counts["input"],
        "adapter_found": read_counts["read1_with_adapter"] or 0,
        "length_passed": collapse_stats["length_passed"],
        "unique_sequences": collapse_stats["unique_sequences"],
        "mirna_reads": round(quantify_stats["mirna_molecules"], 1),
    }


def read_funnel(samples, cutadapt_reports, collapse_reports, quantify_reports):
    rows = {}
    for sample, cutadapt_path, collapse_path, quantify_path in zip(
        samples, cutadapt_reports, collapse_reports, quantify_reports
    ):
        loaded = [json.load(open(path)) for path in (cutadapt_path, collapse_path, quantify_path)]
        rows[sample] = funnel_row(*loaded)
    funnel = pd.DataFrame.from_dict(rows, orient="index")[FUNNEL_STAGES]
    funnel["mirna_percent"] = (100 * funnel["mirna_reads"] / funnel["input_reads"].where(funnel["input_reads"] > 0)).round(
        2
    )
    funnel.index.name = "sample"
    return funnel


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
    funnel = read_funnel(
        snakemake.params.samples, snakemake.input.cutadapt, snakemake.input.collapse, snakemake.input.quantify
    )
    write_mqc_table(
        funnel,
        snakemake.output.funnel,
        "exomir_read_funnel",
        "exomir: read funnel",
        "Reads at each step: input, 3' adapter found, insert length within limits, unique inserts, "
        "and reads (UMI molecules where the kit has UMIs) counted on mature miRNAs.",
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
