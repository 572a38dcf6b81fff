"""Validation of tumour origin on real data: the exRNAQC017 protocol shift and the GSE71008 plasma-vesicle
cohort, with the metrics the tests and bench/tumour_origin_validation.py report.

Thresholds are the tests' (tests/workflow/test_tumour_origin.py); this module only measures."""

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.scores.tumour_origin import (
    INDETERMINATE,
    NOT_CALLED,
    Baseline,
    Protocol,
    References,
    SampleInfo,
    mix_counts,
    score_baseline,
    tumour_origin_tables,
)

GSE71008 = SHARED_DATA / "cohorts" / "GSE71008"
EXRNAQC_ANNOTATION = SHARED_DATA / "expected" / "exRNAQC017" / "Annotation_exRNAQC017.tsv"
BUNDLE = REPO / "resources" / "bundle"
# GSE71008 labels → TCGA cancer type of the atlas.
GSE71008_TYPES = {"Colorectal Cancer": "COADREAD", "Prostate Cancer": "PRAD", "Pancreatic Cancer": "PAAD"}
HEALTHY = "healthy"


def default_params(**changes: object) -> SimpleNamespace:
    """The `tumour_origin` settings of config/config.yaml."""
    params = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["tumour_origin"]
    return SimpleNamespace(**(params | changes))


def load_references(references: str | os.PathLike) -> References:
    """References as the workflow loads them, from a run's results/references/ and the bundle."""
    folder = Path(references)
    return References.load(
        folder / "precursor_groups.tsv",
        folder / "healthy_baseline.tsv",
        BUNDLE / "healthy_baselines" / "libraries.tsv",
        folder / "atlas" / "tcga_profiles.tsv",
        folder / "atlas" / "tcga_profile_info.tsv",
        REPO / "resources" / "signatures" / "background_markers.tsv",
        REPO / "resources" / "signatures" / "literature_signatures.tsv",
        BUNDLE / "tissue_reference.csv",
        default_params().reference_biofluids,
    )


def gse71008() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(precursors × samples counts, sample sheet with biofluid, condition and true type) of the labelled
    samples of GSE71008 (the one unlabelled sample is left out)."""
    counts = pd.read_csv(GSE71008 / "precursor_counts.csv", index_col=0).T
    labels = pd.read_csv(GSE71008 / "labels.csv", index_col="sample_id")["label"]
    counts = counts[labels.index]
    truth = labels.map(GSE71008_TYPES).fillna(HEALTHY)
    samples = pd.DataFrame(
        {"biofluid": "plasma", "condition": np.where(truth == HEALTHY, HEALTHY, labels), "truth": truth},
        index=labels.index,
    )
    return counts, samples


def gse71008_calls(
    references: References, params: SimpleNamespace, mode: str, **declared: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GSE71008 calls and rankings: `mode` 'cohort' (its 50 healthy donors as baseline, scored out of fold)
    or 'reference' (the shipped baseline); `declared` adds sheet columns (kit, rna_isolation)."""
    counts, samples = gse71008()
    samples = samples.assign(**declared)
    if mode == "reference":
        params = SimpleNamespace(**(vars(params) | {"min_cohort_healthy": len(samples) + 1}))
    tables, _ = tumour_origin_tables(samples, counts, pd.DataFrame(index=samples.index), references, params)
    return tables["calls"].set_index("sample"), tables["ranking"]


def protocol_shift_calls(
    references: References, params: SimpleNamespace, baseline_isolation: str, declare_isolation: bool
) -> pd.DataFrame:
    """exRNAQC017: the libraries of one RNA isolation kit as baseline, the other kit's libraries scored.
    With `declare_isolation` the scored libraries state their kit (and are refused as another protocol);
    without, they claim the baseline's, which measures what the model itself does with the shift."""
    libraries = pd.read_csv(BUNDLE / "healthy_baselines" / "libraries.tsv", sep="\t", index_col="library")
    libraries = libraries.loc[references.reference.counts.columns]
    inside = libraries.index[libraries["rna_isolation"] == baseline_isolation]
    scored = libraries.index[libraries["rna_isolation"] != baseline_isolation]
    reference = references.reference
    baseline = replace(
        reference,
        name=f"exRNAQC017 {baseline_isolation}",
        counts=reference.counts[inside],
        protocol=Protocol(reference.protocol.biofluids, reference.protocol.kits, frozenset([baseline_isolation])),
    )
    isolation = libraries.loc[scored, "rna_isolation"] if declare_isolation else baseline_isolation
    sheet = pd.DataFrame(
        {"biofluid": libraries.loc[scored, "biofluid"], "condition": HEALTHY, "kit": "truseq"}, index=scored
    ).assign(rna_isolation=isolation)
    info = SampleInfo.from_tables(sheet)
    calls, _, _ = score_baseline(references, baseline, reference.counts, list(scored), info, params)
    return calls.set_index("sample")


def split_by_donor(references: References, baseline_donors: int) -> tuple[Baseline, list[str]]:
    """The shipped baseline cut in two: the libraries of `baseline_donors` donors as a baseline, and the
    other donors' libraries, which it has never seen, to mix tumours into."""
    reference = references.reference
    donors = sorted(set(reference.donors.values()))[:baseline_donors]
    inside = [library for library in reference.counts.columns if reference.donors[library] in donors]
    outside = [library for library in reference.counts.columns if library not in inside]
    baseline = replace(reference, name=f"exRNAQC017 {len(donors)} donors", counts=reference.counts[inside])
    return baseline, outside


def mixtures(
    references: References,
    holdout: pd.DataFrame,
    recipients: pd.DataFrame,
    fraction: float,
    tumours_per_type: int,
    bias_sd_log2: float,
    blood_spikes: bool,
    seed: int,
) -> tuple[pd.DataFrame, pd.Series]:
    """(groups × mixtures counts, true type per mixture): held-out TCGA tumours of every atlas type, each
    mixed at `fraction` into a random recipient library, with per-miRNA log-normal bias of the tumour
    profile; with `blood_spikes` half the mixtures also get a red-cell spike of up to 30 % of their reads
    and a third a myeloid/platelet or lymphocyte spike of up to 10 %."""
    rng = np.random.default_rng(seed)
    types = set(references.atlas.tumour_types)
    profiles = holdout.drop(columns="cancer_type").astype(float)
    universe = recipients.index.union(profiles.columns)
    recipients = recipients.reindex(universe).fillna(0)
    blood = references.null_profiles.reindex(universe).fillna(0)
    columns, truth = {}, {}
    for cancer_type in sorted(types & set(holdout["cancer_type"])):
        for barcode in holdout.index[holdout["cancer_type"] == cancer_type][:tumours_per_type]:
            library = recipients[recipients.columns[rng.integers(recipients.shape[1])]]
            if blood_spikes and rng.random() < 0.5:
                library = pd.Series(mix_counts(library, blood["red_cells"], rng.uniform(0, 0.3), rng), index=universe)
            if blood_spikes and rng.random() < 1 / 3:
                component = blood[rng.choice(["myeloid_platelets", "lymphocytes"])]
                library = pd.Series(mix_counts(library, component, rng.uniform(0, 0.1), rng), index=universe)
            tumour = profiles.loc[barcode].reindex(universe).fillna(0)
            name = f"{cancer_type}:{barcode}"
            columns[name] = mix_counts(library, tumour, fraction, rng, bias_sd_log2)
            truth[name] = cancer_type
    return pd.DataFrame(columns, index=universe), pd.Series(truth)


def mixture_metrics(
    references: References,
    params: SimpleNamespace,
    holdout: pd.DataFrame,
    fractions: Sequence[float],
    tumours_per_type: int,
    bias_sd_log2: float,
    blood_spikes: bool,
    seed: int = 1,
) -> pd.DataFrame:
    """Per tumour fraction: share of mixtures called (as any type), called as the true type, and with the
    true type first; fraction 0 is the recipient libraries themselves (the false-call rate)."""
    baseline, outside = split_by_donor(references, baseline_donors=3)
    recipients = references.reference.counts[outside]
    rows = []
    for fraction in fractions:
        if fraction == 0:
            counts, truth = recipients, pd.Series(HEALTHY, index=recipients.columns)
        else:
            counts, truth = mixtures(
                references, holdout, recipients, fraction, tumours_per_type, bias_sd_log2, blood_spikes, seed
            )
        sheet = pd.DataFrame({"biofluid": "plasma", "condition": "", "kit": "truseq"}, index=counts.columns)
        info = SampleInfo.from_tables(sheet.assign(rna_isolation=next(iter(baseline.protocol.rna_isolation), "")))
        calls, ranking, _ = score_baseline(references, baseline, counts, list(counts.columns), info, params)
        calls = calls.set_index("sample")
        called = is_called(calls)
        rows.append(
            {
                "fraction": fraction,
                "n": len(calls),
                "called": called.mean(),
                "called_true_type": (calls["call"] == truth[calls.index]).mean(),
                "true_type_first": (calls["top_type"] == truth[calls.index]).mean(),
                "out_of_distribution": (calls["reason"] == "out of distribution").mean(),
            }
        )
    return pd.DataFrame(rows)


def wilson(successes: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if total == 0:
        return float("nan"), float("nan")
    z = norm.ppf(0.5 + level / 2)
    share = successes / total
    centre = (share + z**2 / (2 * total)) / (1 + z**2 / total)
    half = z * np.sqrt(share * (1 - share) / total + z**2 / (4 * total**2)) / (1 + z**2 / total)
    return float(centre - half), float(centre + half)


def auc_interval(
    positive: Sequence[float], negative: Sequence[float], seed: int = 0, draws: int = 2000
) -> tuple[float, float, float]:
    """AUC of a score (positive above negative) with a 95 % percentile-bootstrap interval."""
    positive, negative = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    auc = roc_auc_score(labels, np.r_[positive, negative])
    rng = np.random.default_rng(seed)
    boot = [
        roc_auc_score(labels, np.r_[rng.choice(positive, len(positive)), rng.choice(negative, len(negative))])
        for _ in range(draws)
    ]
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(auc), float(low), float(high)


def is_called(calls: pd.DataFrame) -> pd.Series:
    return ~calls["call"].isin([INDETERMINATE, NOT_CALLED])


def cohort_metrics(calls: pd.DataFrame, ranking: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """Per cancer type of `truth` (sample → type or 'healthy'): n, sensitivity (called as any cancer),
    top-1 and top-3 type accuracy (rank of the true type, called or not), AUC of the evidence against the
    healthy samples, each with a 95 % interval; and a row 'healthy' with the specificity."""
    called = is_called(calls)
    healthy = truth.index[truth == HEALTHY]
    rank = ranking.set_index(["sample", "cancer_type"])["rank"]
    rows = [
        {
            "group": HEALTHY,
            "n": len(healthy),
            "specificity": 1 - called[healthy].mean(),
            "specificity_ci": wilson(int((~called[healthy]).sum()), len(healthy)),
        }
    ]
    for cancer_type in sorted(set(truth) - {HEALTHY}):
        members = truth.index[truth == cancer_type]
        true_rank = np.array([rank.get((sample, cancer_type), np.inf) for sample in members])
        row = {"group": cancer_type, "n": len(members)}
        for name, hits in (
            ("sensitivity", int(called[members].sum())),
            ("top1", int((true_rank <= 1).sum())),
            ("top3", int((true_rank <= 3).sum())),
        ):
            row[name], row[f"{name}_ci"] = hits / len(members), wilson(hits, len(members))
        auc, low, high = auc_interval(calls.loc[members, "evidence"], calls.loc[healthy, "evidence"])
        row["auc"], row["auc_ci"] = auc, (low, high)
        rows.append(row)
    return pd.DataFrame(rows).set_index("group")
