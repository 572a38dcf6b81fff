#!/usr/bin/env python3
"""Literature signature scores on GSE71008 (plasma vesicles; colorectal 99, prostate 36, pancreatic 6,
healthy 50): AUC of each cancer type's signatures, its patients against the healthy donors, per method,
for the scoring code of a reference commit ("before") and the working tree ("after").

Choices, fixed before measuring: the signatures of a GSE71008 type are those whose name starts with its
prefix (colorectal CRC_, prostate PRAD_, pancreatic PAAD_ and the pancreatobiliary PBTC_); a score is
expected to be higher in cancer (AUC > 0.5 means it separates in the reported direction); z-scores
against the cohort's 50 healthy donors ("cohort") and against the shipped exRNAQC017 baseline
("baseline"); counts are GSE71008's precursor counts with the miRBase v22 mature → precursor pairs of
resources/mirbase-v22-hsa (rule precursor_groups). AUC intervals: 2.5-97.5 % of 1000 bootstrap resamples of patients
and donors (seed 0).

Usage (from the repository root):
    .venv/bin/python bench/signature_validation.py [--before COMMIT]
"""

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anndata
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from exomir.common.fasta import accession_names
from exomir.common.normalise import normalisations
from exomir.counts.features import PRECURSOR, FeatureLookup
from exomir.devtools.mirbase import MIRBASE, mirbase_groups
from exomir.devtools.origin_validation import BUNDLE, HEALTHY, gse71008
from exomir.devtools.runs import REPO
from exomir.references.baseline import baseline_counts, load_accession_counts
from exomir.scores import signatures as after

SIGNATURES = REPO / "resources" / "signatures" / "literature_signatures.tsv"
# The scoring code before per-biofluid, leave-one-out, weighted, fixed-universe, TMM z-scores.
BEFORE = "43b47c1b29fde7593537c855f01f4a0fc2693262"
PREFIXES = {"COADREAD": ("CRC_",), "PRAD": ("PRAD_",), "PAAD": ("PAAD_", "PBTC_")}
BOOTSTRAPS = 1000
SEED = 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="", help="commit of the 'before' scoring code (default: main's before)")
    return parser.parse_args()


def module_at(commit: str, folder: Path):
    """exomir.scores.signatures as it was at `commit`."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{commit}:workflow/scripts/exomir/scores/signatures.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / "signatures_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("signatures_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cohort() -> tuple[anndata.AnnData, pd.Series]:
    counts, samples = gse71008()
    layers, _ = normalisations(counts, None)
    adata = anndata.AnnData(
        X=counts.T.to_numpy(dtype=float), obs=samples[["biofluid", "condition"]], var=pd.DataFrame(index=counts.index)
    )
    for name, layer in layers.items():
        adata.layers[name] = layer.T.to_numpy(dtype=float)
    adata.uns["feature_level"] = PRECURSOR
    adata.uns["mature_precursors"] = FeatureLookup.from_pairs(PRECURSOR, mirbase_groups()).pairs()
    return adata, samples["truth"]


def baseline() -> tuple[pd.DataFrame, dict[str, list[str]]]:
    names = accession_names(MIRBASE / "mature.fa", "hsa")
    table, _ = baseline_counts(load_accession_counts(BUNDLE / "healthy_baselines" / "all.tsv.gz"), names)
    biofluids = after.baseline_biofluids(table.columns, BUNDLE / "healthy_baselines" / "libraries.tsv", ())
    return table, biofluids


def auc_with_interval(cases: np.ndarray, controls: np.ndarray) -> str:
    rng = np.random.default_rng(SEED)
    labels = np.r_[np.ones(len(cases)), np.zeros(len(controls))]
    auc = roc_auc_score(labels, np.r_[cases, controls])
    draws = [
        roc_auc_score(labels, np.r_[rng.choice(cases, len(cases)), rng.choice(controls, len(controls))])
        for _ in range(BOOTSTRAPS)
    ]
    low, high = np.percentile(draws, [2.5, 97.5])
    return f"{auc:.3f} ({low:.2f}–{high:.2f})"


def auc_table(scores: pd.DataFrame, truth: pd.Series, signature_types: dict[str, str]) -> pd.DataFrame:
    rows = {}
    for (signature, method), group in scores.groupby(["signature", "method"]):
        cancer_type = signature_types.get(signature)
        if cancer_type is None:
            continue
        by_sample = group.set_index("sample")["score"]
        cases = by_sample[truth.index[truth == cancer_type]].dropna().to_numpy()
        controls = by_sample[truth.index[truth == HEALTHY]].dropna().to_numpy()
        if len(cases) and len(controls) and np.ptp(np.r_[cases, controls]) > 0:
            rows[(cancer_type, signature, method)] = auc_with_interval(cases, controls)
    return pd.Series(rows).rename_axis(["type", "signature", "method"]).unstack("method")


def main() -> None:
    args = arguments()
    started = time.time()
    adata, truth = cohort()
    table = after.load_signatures(SIGNATURES)
    signature_types = {
        name: cancer_type
        for name in table["signature"].unique()
        for cancer_type, prefixes in PREFIXES.items()
        if name.startswith(prefixes)
    }
    reference, biofluids = baseline()
    no_cohort = len(truth) + 1  # more healthy samples than the cohort has: the baseline is used
    with tempfile.TemporaryDirectory() as scratch:
        before = module_at(args.before or BEFORE, Path(scratch))
        runs = {
            "before": pd.concat(
                [
                    before.score_signatures(adata, table, reference, 3),
                    before.score_signatures(adata, table, reference, no_cohort).query(
                        "method.str.startswith('zscore')"
                    ),
                ]
            ),
            "after": pd.concat(
                [
                    after.score_signatures(adata, table, reference, 3, biofluids),
                    after.score_signatures(adata, table, reference, no_cohort, biofluids).query(
                        "method.str.startswith('zscore')"
                    ),
                ]
            ),
        }
    print(f"GSE71008: {truth.value_counts().to_dict()}; baseline {reference.shape[1]} libraries, plasma ")
    print(f"{len(biofluids.get('plasma', []))} of them (used after); AUC (95 % bootstrap interval, B={BOOTSTRAPS})\n")
    tables = {name: auc_table(scores, truth, signature_types) for name, scores in runs.items()}
    joined = pd.concat(tables, axis=1).swaplevel(axis=1).sort_index(axis=1)
    print(joined.to_markdown())
    print(f"\nwall time {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
