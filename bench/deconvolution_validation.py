#!/usr/bin/env python3
"""Deconvolution on held-out mixtures: recovery and bootstrap-interval coverage, the numbers behind
docs/methods.md.

Design as the workflow builds it by default: miRTS tissues (17), the TCGA LAML and DLBC atlas profiles and the
red-cell marker unit columns, merged at the configured overlap, on the precursor groups of miRBase v22.
Mixtures: reads of a profile that is *not* in the design added to a real healthy plasma library (exRNAQC017,
over the design's features; tumour_origin.mix_counts: the library thinned to 1 - f, f of its depth drawn from
the profile):

- liver: TCGA LIHC solid-tissue-normal profile; lung: LUAD and LUSC normals; kidney: KIRC normal;
  artery+bladder+bowel+stomach: STAD and BLCA normals (the atlas' normal profiles, never part of the design,
  whose tissues come from miRNATissueAtlas2);
- myeloid_laml, lymphoid_dlbc: single aliquots of the atlas' hold-out (tcga_holdout.tsv.gz), which the atlas
  profiles behind the design's LAML and DLBC columns were not built from.

Truth for the target component: (1 - f) × the library's own estimate + f. Reported per target and f: the median
error of the estimate, the share of mixtures whose 95 % bootstrap interval holds the truth (coverage) and the
median interval width. Intervals resample reads only, so coverage also shows how far the profiles' own error
(tissue sequencing vs plasma, atlas vs atlas) exceeds counting noise.

Usage (from the repository root):
    .venv/bin/python bench/deconvolution_validation.py [--bootstraps 200] [--libraries 5]
"""

import argparse
import time

import numpy as np
import pandas as pd
import yaml

from exomir.common.fasta import accession_names
from exomir.common.markers import load_markers
from exomir.devtools.mirbase import MIRBASE, mirbase_groups
from exomir.devtools.origin_validation import BUNDLE
from exomir.devtools.runs import REPO
from exomir.references.baseline import baseline_counts, load_accession_counts
from exomir.scores.deconvolve import blood_profiles, deconvolve, design_matrix, group_table, load_reference
from exomir.scores.tumour_origin import mix_counts

SCORE = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["score"]
TARGETS = {
    "liver": ["LIHC:normal"],
    "lung": ["LUAD:normal", "LUSC:normal"],
    "kidney": ["KIRC:normal"],
    "artery+bladder+bowel+stomach": ["STAD:normal", "BLCA:normal"],
}
HOLDOUT_TARGETS = {"myeloid_laml": "LAML", "lymphoid_dlbc": "DLBC"}
FRACTIONS = [0.01, 0.03, 0.1, 0.3]
SEED = 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstraps", type=int, default=SCORE["deconvolution_bootstraps"])
    parser.add_argument("--libraries", type=int, default=5, help="healthy plasma libraries mixed into")
    parser.add_argument("--aliquots", type=int, default=3, help="hold-out aliquots per blood-cell target")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    started = time.time()
    groups = mirbase_groups()
    profiles = pd.read_csv(BUNDLE / "atlas" / "tcga_profiles.tsv", sep="\t", index_col="group")
    info = pd.read_csv(BUNDLE / "atlas" / "tcga_profile_info.tsv", sep="\t")
    holdout = pd.read_csv(BUNDLE / "atlas" / "tcga_holdout.tsv.gz", sep="\t", index_col="barcode")
    tissues = load_reference(BUNDLE / "tissue_reference.csv", SCORE["tissues"])
    markers = load_markers(REPO / "resources" / "signatures" / "background_markers.tsv")
    design = design_matrix(groups, tissues, markers, blood_profiles(profiles, info), SCORE["deconvolution_min_overlap"])
    features = design.matrix.index
    print(
        f"design: {len(features)} groups, components {', '.join(dict.fromkeys(design.components))}; condition "
        f"number {design.condition_before:.1f} before merging, {design.condition_after:.1f} after\n"
    )

    names = accession_names(MIRBASE / "mature.fa", "hsa")
    baseline, _ = baseline_counts(load_accession_counts(BUNDLE / "healthy_baselines" / "all.tsv.gz"), names)
    libraries = pd.read_csv(BUNDLE / "healthy_baselines" / "libraries.tsv", sep="\t", index_col="library")
    plasma = libraries.index[libraries["biofluid"] == "plasma"][: args.libraries]
    backgrounds = group_table(baseline[plasma].T, groups).reindex(columns=features, fill_value=0)
    own, _ = deconvolve(backgrounds, design)

    additions = {
        (target, profile): profiles[profile].reindex(features, fill_value=0)
        for target, names_ in TARGETS.items()
        for profile in names_
    }
    for target, cancer_type in HOLDOUT_TARGETS.items():
        aliquots = holdout.index[holdout["cancer_type"] == cancer_type][: args.aliquots]
        for aliquot in aliquots:
            additions[(target, aliquot)] = (
                holdout.loc[aliquot].drop("cancer_type").astype(float).reindex(features, fill_value=0)
            )

    rng = np.random.default_rng(SEED)
    rows = []
    for (target, source), profile in additions.items():
        for fraction in FRACTIONS:
            mixtures = pd.DataFrame(
                [mix_counts(backgrounds.loc[library], profile, fraction, rng) for library in backgrounds.index],
                index=[f"{library}|{source}|{fraction}" for library in backgrounds.index],
                columns=features,
            )
            _, intervals = deconvolve(mixtures, design, args.bootstraps, int(rng.integers(2**31)))
            intervals = intervals[intervals["component"] == target].set_index("sample")
            truth = (1 - fraction) * own[target].to_numpy() + fraction
            estimate = intervals["share"].to_numpy()
            covered = (intervals["low"].to_numpy() <= truth) & (truth <= intervals["high"].to_numpy())
            for i in range(len(truth)):
                rows.append(
                    (
                        target,
                        source,
                        fraction,
                        estimate[i] - truth[i],
                        covered[i],
                        intervals["high"].iloc[i] - intervals["low"].iloc[i],
                    )
                )
    results = pd.DataFrame(rows, columns=["target", "source", "fraction", "error", "covered", "width"])
    summary = results.groupby(["target", "fraction"]).agg(
        mixtures=("error", "size"),
        median_error=("error", "median"),
        coverage=("covered", "mean"),
        median_width=("width", "median"),
    )
    print(f"{len(backgrounds)} plasma libraries × {len(additions)} held-out profiles × {len(FRACTIONS)} fractions; ")
    print(f"B = {args.bootstraps} read resamples, seed {SEED}\n")
    print(summary.round(4).to_markdown())
    print(f"\nall mixtures: coverage {results['covered'].mean():.3f} of {len(results)}")
    print(f"wall time {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
