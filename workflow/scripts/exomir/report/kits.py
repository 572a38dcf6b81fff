"""The library-kit table of the QC report: per sample the kit used, what the reads show,
how sure that is, warnings, and for UMI kits the molecules and duplication rate."""

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from exomir.common.stats import read_insert_stats

# Key columns first: the kit and its status (the WARNING of a declared kit the reads contradict).
COLUMNS = [
    "kit",
    "status",
    "detected",
    "support",
    "runner_up",
    "runner_up_support",
    "mirna_exact",
    "umi_molecules",
    "duplication_rate",
    "declared",
    "notes",
]


def kit_row(decision: Mapping[str, Any], insert_stats: Mapping[str, Any]) -> dict[str, Any]:
    """One sample's row from its kit-detection JSON and collapse stats."""
    umi = insert_stats.get("umi") or {}
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


def kit_table(
    samples: Iterable[str],
    decision_paths: Iterable[str | os.PathLike],
    insert_paths: Iterable[str | os.PathLike],
) -> pd.DataFrame:
    rows = {}
    for sample, decision_path, insert_path in zip(samples, decision_paths, insert_paths):
        with open(decision_path) as decision:
            rows[sample] = kit_row(json.load(decision), read_insert_stats(insert_path))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    table["umi_molecules"] = table["umi_molecules"].astype("Int64")  # empty, not NaN, without a UMI
    table.index.name = "sample"
    return table
