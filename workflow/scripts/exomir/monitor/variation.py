"""Within-donor variation: how much each monitored quantity changes between libraries of one healthy donor
when nothing about the disease changes.

The shipped exRNAQC017 baseline has 18 libraries per donor (3 blood tubes × 2 RNA isolation kits × 3
replicates). Pairs of libraries that share the donor and the columns of `same` (by default tube and RNA
isolation: replicates of one protocol) give, per quantity, the distribution of absolute differences; the
bound of a quantity is its `quantile` (0.99: a consecutive change beyond it happens in at most 1 % of
replicate pairs). Tumour-origin evidence of the baseline libraries is scored out of fold, as the tumour-origin
calibration does (exomir.scores.tumour_origin.score_baseline): each library by a model without its donor."""

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import anndata
import numpy as np
import pandas as pd

from exomir.common.normalise import counts_per_million
from exomir.scores.signatures import score_signatures
from exomir.scores.tumour_origin import Baseline, References, SampleInfo, score_baseline

ORIGIN = "tumour_origin"
SIGNATURE = "signature"
CLASSIFIER = "classifier"
# The top evidence of a sample (max over types, tumour_origin.tsv `evidence`).
TOP_EVIDENCE = f"{ORIGIN}:top"
# Signature methods with a within-donor bound: single-sample scores, and z-scores against the reference
# baseline. Cohort scores (scanpy_cohort) and z-scores against a cohort's healthy samples depend on the cohort
# a sample is scored in, so healthy libraries scored in another cohort say nothing of their variation.
BOUNDED_SIGNATURE_METHODS = ("rank_single_sample", "zscore_reference_baseline")
VARIATION_COLUMNS = [
    "quantity",
    "kind",
    "n_pairs",
    "n_donors",
    "quantile",
    "floor",
    "bound",
    "median_abs_change",
    "max_abs_change",
]


def origin_quantity(cancer_type: str) -> str:
    return f"{ORIGIN}:{cancer_type}"


def signature_quantity(signature: str, method: str) -> str:
    return f"{SIGNATURE}:{signature}:{method}"


def classifier_quantity(model: str) -> str:
    return f"{CLASSIFIER}:{model}"


def quantity_kind(quantity: str) -> str:
    return quantity.split(":", 1)[0]


def origin_values(calls: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """Long table (sample, quantity, value) of tumour-origin evidence: the top evidence of each sample and the
    standardised evidence of every type."""
    top = pd.DataFrame(
        {"sample": calls["sample"].astype(str), "quantity": TOP_EVIDENCE, "value": calls["evidence"].astype(float)}
    )
    per_type = pd.DataFrame(
        {
            "sample": ranking["sample"].astype(str),
            "quantity": [origin_quantity(name) for name in ranking["cancer_type"]],
            "value": ranking["evidence"].astype(float),
        }
    )
    return pd.concat([top, per_type], ignore_index=True)


def signature_values(scores: pd.DataFrame, methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Long table (sample, quantity, value) of signature scores, of `methods` only when given."""
    if methods is not None:
        scores = scores[scores["method"].isin(list(methods))]
    return pd.DataFrame(
        {
            "sample": scores["sample"].astype(str),
            "quantity": [signature_quantity(s, m) for s, m in zip(scores["signature"], scores["method"])],
            "value": scores["score"].astype(float),
        }
    )


def classifier_values(applied: pd.DataFrame) -> pd.DataFrame:
    """Long table (sample, quantity, value) of classifier probabilities (results/classify/applied.tsv)."""
    return pd.DataFrame(
        {
            "sample": applied["sample"].astype(str),
            "quantity": [classifier_quantity(str(model)) for model in applied["model"]],
            "value": pd.to_numeric(applied["probability"], errors="coerce"),
        }
    )


def baseline_origin_values(references: References, baseline: Baseline, params: Any) -> pd.DataFrame:
    """Tumour-origin evidence of every library of `baseline`, each scored out of fold (without its donor, and
    without its protocol when the baseline holds several), standardised as the calls are."""
    libraries = list(baseline.counts.columns)
    sheet = pd.DataFrame({"biofluid": "", "condition": "healthy"}, index=libraries)
    calls, ranking, _ = score_baseline(
        references, baseline, baseline.counts, libraries, SampleInfo.from_tables(sheet), params
    )
    return origin_values(calls, ranking)


def baseline_signature_values(mature_counts: pd.DataFrame, signatures: pd.DataFrame) -> pd.DataFrame:
    """Signature scores of the baseline libraries (miRNAs × libraries counts, mature level), by the methods
    that do not depend on the cohort; z-scores against the same baseline the workflow's z-scores use."""
    counts = mature_counts.T.astype(float)
    adata = anndata.AnnData(
        X=counts.to_numpy(),
        obs=pd.DataFrame({"condition": ""}, index=counts.index.astype(str)),
        var=pd.DataFrame(index=counts.columns.astype(str)),
    )
    adata.layers["counts"] = counts.to_numpy()
    adata.layers["cpm"] = counts_per_million(counts, axis=1).to_numpy()
    scores = score_signatures(adata, signatures, mature_counts, min_cohort_healthy=len(counts) + 1)
    return signature_values(scores, BOUNDED_SIGNATURE_METHODS)


def replicate_pairs(libraries: pd.DataFrame, same: Sequence[str] = ("tube", "rna_isolation")) -> pd.DataFrame:
    """Pairs (first, second, donor) of libraries of one donor that share every column of `same` (a library
    table with columns library, donor and those)."""
    keys = ["donor", *same]
    rows = []
    for group, members in libraries.groupby(keys, sort=True):
        donor = group[0] if isinstance(group, tuple) else group
        names = sorted(members["library"].astype(str))
        rows += [(first, second, donor) for first, second in combinations(names, 2)]
    return pd.DataFrame(rows, columns=["first", "second", "donor"])


def pair_differences(values: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Long table (quantity, first, second, donor, difference = second − first) over the pairs whose both
    libraries have a value."""
    wide = values.pivot_table(index="sample", columns="quantity", values="value", aggfunc="first")
    pairs = pairs[pairs["first"].isin(wide.index) & pairs["second"].isin(wide.index)]
    difference = wide.loc[pairs["second"]].to_numpy() - wide.loc[pairs["first"]].to_numpy()
    table = pd.DataFrame(difference, columns=wide.columns)
    table[["first", "second", "donor"]] = pairs[["first", "second", "donor"]].to_numpy()
    long = table.melt(id_vars=["first", "second", "donor"], var_name="quantity", value_name="difference")
    return long.dropna(subset=["difference"])[["quantity", "first", "second", "donor", "difference"]]


def quantile_bound(differences: Sequence[float] | np.ndarray, quantile: float) -> float:
    """The `quantile` of the absolute differences, taken at the next order statistic up (never interpolated
    below an observed value); NaN without differences."""
    absolute = np.abs(np.asarray(differences, dtype=float))
    if not len(absolute):
        return float("nan")
    return float(np.quantile(absolute, quantile, method="higher"))


def within_donor_variation(
    differences: pd.DataFrame, quantile: float, min_pairs: int, floors: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Per quantity: number of pairs and donors, the bound (the quantile of |difference|, at least the floor of
    the quantity's kind in `floors`), median and largest |difference|. Quantities with fewer than `min_pairs`
    pairs get no bound (NaN). The floor keeps a quantity that no healthy replicate pair moved (a type's
    evidence is 0 in most healthy libraries) from flagging any change at all."""
    floors = dict(floors or {})
    rows = []
    for quantity, group in differences.groupby("quantity", sort=True):
        absolute = group["difference"].abs()
        enough = len(group) >= min_pairs
        floor = float(floors.get(quantity_kind(str(quantity)), 0.0))
        rows.append(
            (
                quantity,
                quantity_kind(str(quantity)),
                len(group),
                group["donor"].nunique(),
                quantile,
                floor,
                max(quantile_bound(absolute, quantile), floor) if enough else np.nan,
                absolute.median(),
                absolute.max(),
            )
        )
    return pd.DataFrame(rows, columns=VARIATION_COLUMNS)


def variation_table(
    values: pd.DataFrame,
    libraries: pd.DataFrame,
    quantile: float,
    min_pairs: int,
    same: Sequence[str] = ("tube", "rna_isolation"),
    floors: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The within-donor variation table of baseline `values` (long: sample = library) over the pairs of
    `libraries` that share the donor and `same`."""
    pairs = replicate_pairs(libraries[libraries["library"].isin(set(values["sample"]))], same)
    return within_donor_variation(pair_differences(values, pairs), quantile, min_pairs, floors)


def bounds(variation: pd.DataFrame) -> Mapping[str, float]:
    return dict(zip(variation["quantity"], variation["bound"]))
