"""The library-kit table of the QC report: per sample the kit used, what the reads show,
how sure that is, warnings, and for UMI kits the molecules and duplication rate."""

import json
import sys

import pandas as pd

from report_tables import write_mqc_table

COLUMNS = [
    "kit",
    "declared",
    "detected",
    "support",
    "runner_up",
    "runner_up_support",
    "mirna_exact",
    "umi_molecules",
    "duplication_rate",
    "status",
    "notes",
]


def kit_row(decision, collapse_stats):
    """One sample's row from its kit-detection JSON and collapse stats."""
    umi = collapse_stats.get("umi") or {}
    return {
        "kit": decision["kit"],
        "declared": decision["declared"],
        "detected": decision["detected"],
        "support": decision["support"],
        "runner_up": decision["runner_up"],
        "runner_up_support": decision["runner_up_support"],
        "mirna_exact": decision["mirna_exact"],
        "umi_molecules": umi.get("molecules"),
        "duplication_rate": umi.get("duplication_rate"),
        "status": "; ".join(f"WARNING: {warning}" for warning in decision["warnings"]) or "ok",
        "notes": "; ".join(decision["notes"]),
    }


def kit_table(samples, decision_paths, collapse_paths):
    rows = {}
    for sample, decision_path, collapse_path in zip(samples, decision_paths, collapse_paths):
        with open(decision_path) as decision, open(collapse_path) as collapse:
            rows[sample] = kit_row(json.load(decision), json.load(collapse))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    table["umi_molecules"] = table["umi_molecules"].astype("Int64")  # empty, not NaN, without a UMI
    table.index.name = "sample"
    return table


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    table = kit_table(snakemake.params.samples, snakemake.input.kits, snakemake.input.collapse)
    write_mqc_table(
        table,
        snakemake.output.table,
        "exomir_kits",
        "exomir: library kits",
        "Kit used per sample (declared in the sample sheet, or detected with `auto`), the kit the "
        "first reads fit best, the fraction of reads it fits (support) and the runner-up. "
        "mirna_exact: fraction of reads whose clipped insert is exactly a known mature miRNA, "
        "which tells kits with the same adapter apart. A declared kit the reads contradict is "
        "flagged WARNING. UMI kits: molecules after deduplication and the duplication rate "
        "(1 - molecules / reads).",
    )


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
