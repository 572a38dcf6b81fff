"""Tumour-origin accuracy against the tumour share of in-silico mixtures.

Needs the atlas and baseline a workflow run built (results/references/). Healthy exRNAQC
libraries are split: some form the baseline, the others receive reads of held-out TCGA tumours (patients the
atlas never saw) at each fraction. Prints, per fraction: the share of mixtures whose true type ranks first,
the share called correctly (above the calibrated threshold), and the share left indeterminate; fraction 0 is
the pure held-out healthy libraries.

    .venv/bin/python bench/mixture_curve.py --results results --fractions 0 0.01 0.02 0.05 0.1 0.2
"""

import argparse
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]

from exomir.scores.tumour_origin import INDETERMINATE, References, mixture_trials  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=REPO / "results", help="results/ of a workflow run")
    parser.add_argument("--config", type=Path, default=REPO / "config" / "config.yaml")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2])
    parser.add_argument("--tumours-per-type", type=int, default=6)
    parser.add_argument("--held-out-healthy", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-type", action="store_true", help="also print accuracy per cancer type")
    return parser.parse_args()


def main():
    args = arguments()
    config = yaml.safe_load(args.config.read_text())
    params = SimpleNamespace(**config["tumour_origin"])
    signatures = config["score"]["signatures"]
    markers = config["qc"]["markers"]
    references = References.load(
        args.results / "references" / "precursor_groups.tsv",
        args.results / "references" / "healthy_baseline.tsv",
        args.results / "references" / "atlas" / "tcga_profiles.tsv",
        args.results / "references" / "atlas" / "tcga_profile_info.tsv",
        args.results / "references" / "atlas" / "tcga_holdout.tsv.gz",
        REPO / markers,
        REPO / signatures,
    )
    libraries = list(np.random.default_rng(args.seed).permutation(references.baseline.columns))
    held_out, kept = libraries[: args.held_out_healthy], libraries[args.held_out_healthy :]
    started = time.time()
    scorer = references.scorer(references.baseline[kept], params)
    calibration = references.calibrate(scorer, params)
    # Calibration mixes the first tumours of each type; evaluation starts after them.
    trials = mixture_trials(
        scorer,
        calibration,
        references.baseline[held_out],
        references.holdout,
        args.fractions,
        args.tumours_per_type,
        skip=params.calibration_tumours_per_type,
        seed=args.seed,
    )
    right = trials["top_type"] == trials["true_type"]
    curve = pd.DataFrame(
        {
            "mixtures": trials.groupby("fraction").size(),
            "ranked_first": right.groupby(trials["fraction"]).mean(),
            "called_correctly": (trials["call"] == trials["true_type"]).groupby(trials["fraction"]).mean(),
            "indeterminate": (trials["call"] == INDETERMINATE).groupby(trials["fraction"]).mean(),
        }
    )
    print(
        f"baseline: {len(kept)} healthy libraries; held out: {len(held_out)}; {len(scorer.cancer_types)} cancer "
        f"types; threshold {calibration.threshold:.1f}; {time.time() - started:.0f} s"
    )
    print(curve.round(3).to_string())
    if args.per_type:
        tumour_trials = trials[trials["fraction"] > 0]
        print(
            right[tumour_trials.index]
            .groupby([tumour_trials["fraction"], tumour_trials["true_type"]])
            .mean()
            .unstack(0)
            .round(2)
            .to_string()
        )


if __name__ == "__main__":
    main()
