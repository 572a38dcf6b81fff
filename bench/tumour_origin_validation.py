#!/usr/bin/env python3
"""Tumour origin on real data and on in-silico mixtures: the numbers behind docs/methods.md.

- exRNAQC017 protocol shift: the 45 libraries of one RNA isolation kit as baseline, the other kit's 45
  healthy libraries scored, once claiming the baseline's kit (what the model itself does with the shift)
  and once stating their own (refused as another protocol);
- GSE71008 (plasma vesicles; colorectal 99, prostate 36, pancreatic 6, healthy 50): its own healthy
  donors as baseline (scored out of fold), and the shipped exRNAQC017 baseline, with and without a stated
  kit; specificity, sensitivity, top-1/top-3 type accuracy and AUC of the evidence, with 95 % intervals;
- mixtures of held-out TCGA tumours into libraries of exRNAQC017 donors outside the baseline, with
  per-miRNA tumour bias (σ log2) and blood-cell spikes.

References come from a workflow run (results/references/ with the atlas); without --references the script
builds them in --workdir with the shared configuration.

Usage (from the repository root):
    .venv/bin/python bench/tumour_origin_validation.py [--references DIR] [--workdir DIR]
"""

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from exomir.devtools.origin_validation import (
    HEALTHY,
    cohort_metrics,
    default_params,
    gse71008,
    gse71008_calls,
    is_called,
    load_references,
    mixture_metrics,
    protocol_shift_calls,
)
from exomir.devtools.runs import exrnaqc_rows, run_snakemake, shared_references, write_config, write_sample_sheet

REFERENCE_TARGETS = [
    "results/references/precursor_groups.tsv",
    "results/references/healthy_baseline.tsv",
    "results/references/atlas/tcga_profiles.tsv",
]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--references", type=Path, help="results/references/ of a run with the TCGA atlas")
    parser.add_argument("--workdir", type=Path, help="where to build the references (default: a temporary folder)")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0, 0.001, 0.003, 0.01, 0.03, 0.1])
    parser.add_argument("--tumours-per-type", type=int, default=3)
    return parser.parse_args()


def build_references(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    sheet = write_sample_sheet(workdir / "samples.tsv", exrnaqc_rows())
    run_snakemake(workdir, *REFERENCE_TARGETS, "--configfile", write_config(workdir, sheet, **shared_references()))
    return workdir / "results" / "references"


def interval(value: float, bounds: tuple[float, float]) -> str:
    return f"{value:.3f} ({bounds[0]:.3f}–{bounds[1]:.3f})"


def cohort_rows(name: str, calls: pd.DataFrame, ranking: pd.DataFrame, truth: pd.Series) -> list[str]:
    metrics = cohort_metrics(calls, ranking, truth)
    reasons = ", ".join(f"{reason or 'called'} {n}" for reason, n in calls["reason"].value_counts().items())
    specificity = interval(metrics.loc[HEALTHY, "specificity"], metrics.loc[HEALTHY, "specificity_ci"])
    rows = [f"| {name} | healthy | {metrics.loc[HEALTHY, 'n']} | {specificity} | | | | | {reasons} |"]
    for cancer_type, row in metrics.drop(HEALTHY).iterrows():
        rows.append(
            f"| {name} | {cancer_type} | {row['n']} | | {interval(row['sensitivity'], row['sensitivity_ci'])} | "
            f"{interval(row['top1'], row['top1_ci'])} | {interval(row['top3'], row['top3_ci'])} | "
            f"{interval(row['auc'], row['auc_ci'])} | |"
        )
    return rows


def main() -> None:
    args = arguments()
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.references or build_references(args.workdir or Path(scratch))
        references = load_references(folder)
        holdout = pd.read_csv(folder / "atlas" / "tcga_holdout.tsv.gz", sep="\t", index_col="barcode")
        params = default_params()

        print("## exRNAQC017 protocol shift (45 healthy libraries scored per direction)\n")
        print("| baseline | scored libraries state | called a cancer | calls | reasons |\n|---|---|---|---|---|")
        for isolation in ("Maxwell", "miRNeasySPAkit"):
            for declare in (False, True):
                calls = protocol_shift_calls(references, params, isolation, declare)
                called = is_called(calls)
                reasons = calls["reason"].value_counts().to_dict()
                state = "their own kit" if declare else "the baseline's kit"
                print(
                    f"| {isolation} | {state} | {called.sum()}/{len(calls)} ({called.mean():.1%}) | "
                    f"{calls.loc[called, 'call'].value_counts().to_dict()} | {reasons} |"
                )

        print("\n## GSE71008\n")
        print("| mode | group | n | specificity | sensitivity | top-1 | top-3 | AUC of evidence | reasons |")
        print("|---|---|---|---|---|---|---|---|---|")
        _, samples = gse71008()
        for name, mode, declared in (
            ("cohort baseline (out of fold)", "cohort", {}),
            ("reference baseline, no kit stated", "reference", {}),
            (
                "reference baseline, stated as TruSeq/Maxwell",
                "reference",
                {"kit": "truseq", "rna_isolation": "Maxwell"},
            ),
        ):
            calls, ranking = gse71008_calls(references, params, mode, **declared)
            print("\n".join(cohort_rows(name, calls, ranking, samples["truth"])))

        print("\n## Mixtures of held-out TCGA tumours into unseen donors' libraries\n")
        for bias, spikes in ((0.0, False), (1.0, True), (2.0, True)):
            metrics = mixture_metrics(references, params, holdout, args.fractions, args.tumours_per_type, bias, spikes)
            print(f"tumour bias σ = {bias} log2, blood-cell spikes: {spikes}\n")
            print(metrics.round(3).to_markdown(index=False), "\n")
    print(f"wall time {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
