#!/usr/bin/env python3
"""Monitoring on simulated series: the numbers behind docs/methods.md (Monitoring).

Held-out TCGA tumours mixed into the replicate libraries of one exRNAQC017 donor outside a 4-donor baseline,
at 3 % of the reads, 0.1 % after treatment start and 3 % again (exomir.devtools.monitor_validation); the
detection rate of the fall and the rise, and the false-flag rate on the same donor's tumour-free series, for
each within-donor quantile and tumour bias.

References come from a workflow run with the TCGA atlas and its held-out tumours (results/references/ of a
run with config/shared-references.yaml, as bench/tumour_origin_validation.py builds them).

Usage (from the repository root):
    .venv/bin/python bench/monitor_validation.py --references DIR [--tumours-per-type N]
"""

import argparse
import time
from pathlib import Path

import pandas as pd

from exomir.devtools.monitor_validation import detection, false_flags, simulated_series
from exomir.devtools.origin_validation import default_params, load_references


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--references", type=Path, required=True, help="results/references/ of a run with the atlas")
    parser.add_argument("--tumours-per-type", type=int, default=2)
    parser.add_argument("--quantiles", type=float, nargs="+", default=[0.99, 0.95])
    parser.add_argument("--biases", type=float, nargs="+", default=[1.0, 0.0])
    args = parser.parse_args()
    started = time.time()
    references = load_references(args.references)
    holdout = pd.read_csv(args.references / "atlas" / "tcga_holdout.tsv.gz", sep="\t", index_col="barcode")
    print(
        "| quantile | bias σ log2 | series | fall and rise: top / true type / any |"
        " tumour-free steps flagged: top / per type / any |"
    )
    print("|---|---|---|---|---|")
    for quantile in args.quantiles:
        for bias in args.biases:
            result = simulated_series(
                references,
                default_params(),
                holdout,
                tumours_per_type=args.tumours_per_type,
                bias_sd_log2=bias,
                quantile=quantile,
            )
            found = detection(result["tumour"], result["truth"])
            both = found.groupby("quantity")["both"].agg(["sum", "count"])
            flags = false_flags(result["healthy"]).set_index("quantity")
            detected = " / ".join(f"{both.loc[q, 'sum']}/{both.loc[q, 'count']}" for q in ("top", "true_type", "any"))
            flagged = " / ".join(
                f"{flags.loc[q, 'flagged']}/{flags.loc[q, 'steps']}"
                for q in ("top evidence", "evidence per type", "any")
            )
            print(f"| {quantile} | {bias} | {found['patient'].nunique()} | {detected} | {flagged} |", flush=True)
    print(f"\n{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
