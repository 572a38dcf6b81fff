"""Tumour-origin evidence per sample, a call only where the baseline can judge it, and one reason for every
refusal. Research use only: evidence of tissue-like deviation, not a diagnosis.

Question asked of each sample: beyond everything a non-tumour source explains, does its deviation from a
healthy baseline look like tissue of a TCGA cancer type shedding miRNA into the biofluid?

* Features are precursor groups (precursor_groups.py), without pan-cancer and blood-flagged signature
  miRNAs. Counts c (depth n) are negative binomial with mean n·q and the per-feature dispersion of the
  healthy libraries.
* The null explains a sample by the mean healthy profile μ plus non-tumour components: one per blood-cell
  component of the marker table (red cells, i.e. hemolysis; myeloid cells with platelets; lymphocytes), the
  TCGA normal-tissue profiles and the normal tissues of the tissue reference, with weights fitted per sample
  (q₀ = Σ πⱼ·bⱼ, π on the simplex). A tumour type therefore has to beat the blood-cell components and the
  normal tissues. Blood-derived types (LAML, DLBC) cannot: the marker table covers 16 blood-cell miRNAs, and
  no whole-profile blood-cell reference exists to tell leukaemia or lymphoma from blood-cell content; with
  them in the atlas, 3 of 45 healthy exRNAQC017 libraries of one isolation kit scored against the other
  kit's were called LAML. The config's `excluded_types` leaves them out by default.
* Evidence for cancer type C is the likelihood-ratio statistic of "null plus tissue of C" against the null:
  Λ_C = 2·max over C's prototypes and f of [ℓ((1 − f)·q₀ + f·t_k) − ℓ(q₀)].
* Types differ in how many prototypes they have and how heterogeneous those are, and the maximum over more
  or more varied prototypes is larger by chance; some types' profiles also follow protocol shifts. Each
  type's Λ is therefore standardised by its own null over healthy libraries the model has not seen:
  evidence E_C = (Λ_C − median(Λ_C)) / max(q90(Λ_C) − median(Λ_C), 1).
* Calibration by cross-validation grouped by donor and by protocol where the baseline documents them: every
  healthy library is scored by a model built from libraries of other donors and, when the baseline holds
  several pre-analytical protocols (blood tube, RNA isolation), of other protocols too, so that the null
  carries the shift a new sample's protocol brings. The call threshold is the distribution-free upper
  confidence bound of the (1 − false_call_rate) quantile of max_C E_C over these libraries; it exists only
  from `min_libraries(false_call_rate, threshold_confidence)` libraries on (45 for 5 % at 90 %).
  The p-value of a sample is the share of those healthy libraries with at least its evidence: a probability
  under the stated assumption that a healthy sample is exchangeable with the baseline libraries. No
  probability is given for the type itself: mixtures of TCGA tissue into plasma do not deviate like real
  cancers, so a type confidence learnt from them would not hold.
* Refusals, before any tumour prototype is fitted: a baseline judges only samples of its protocol (biofluid,
  library kit and, where the baseline documents it, RNA isolation); the out-of-distribution guard is the
  deviance under the healthy-only model on the features that are not blood-cell markers, against
  `deviance_factor` × the largest deviance of the cross-validated healthy libraries.
"""

import os
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import softmax
from scipy.stats import binom

from exomir.common.markers import BLOOD_COMPONENTS, component_markers, load_markers
from exomir.common.normalise import proportions
from exomir.references.precursor_groups import sum_by_group

INDETERMINATE = "indeterminate"
NOT_CALLED = "not_called"
# One reason for every refusal.
BELOW_THRESHOLD = "below threshold"
PROTOCOL_MISMATCH = "protocol mismatch"
OUT_OF_DISTRIBUTION = "out of distribution"
QC_FAIL = "QC fail"
TOO_FEW_HEALTHY = "too few healthy libraries"
NOT_CONFIGURED = "not configured"
NOT_CONFIGURED_NOTE = (
    "tumour-origin references not configured (score.healthy_baseline, and score.tcga_atlas or score.tcga_rpm"
    " with score.tcga_samples)"
)
TISSUE_CALL_EXCLUDED_FLAGS = {"pan_cancer", "blood_cell"}
# Upper bound of the per-feature dispersion, so that one erratic feature still counts a little; the lower
# bound (config min_dispersion) keeps a few similar healthy libraries from claiming near-Poisson precision.
MAX_DISPERSION = 10.0
CALL_COLUMNS = [
    "sample",
    "biofluid",
    "kit",
    "baseline",
    "baseline_libraries",
    "qc_verdict",
    "call",
    "reason",
    "top_type",
    "evidence",
    "threshold",
    "p_value",
    "runner_up",
    "runner_up_evidence",
    "tumour_fraction",
    "null_components",
    "healthy_deviance",
    "deviance_limit",
    "note",
]
# Each type's evidence is scaled by the spread of its healthy null from the median to this quantile (at least 1):
# types whose profiles follow protocol shifts have wide nulls and would otherwise set the threshold for all.
# Project choice, measured (bench/tumour_origin_validation.py, exRNAQC017 and GSE71008): with the 90 %
# quantile, 0 of 90 kit-shifted healthy libraries were called and 23 % of 1 % mixtures (5 % unscaled).
NULL_SPREAD_QUANTILE = 0.9
# Most EM steps of a null fit before its NB polish.
NULL_EM_STEPS = 500
# Columns of a baseline's library table whose combination is a library's pre-analytical protocol.
PROTOCOL_COLUMNS = ("tube", "rna_isolation")
RANKING_COLUMNS = ["sample", "rank", "cancer_type", "evidence", "likelihood_ratio", "tumour_fraction"]


def excluded_mirnas(signatures: pd.DataFrame) -> set[str]:
    """Signature miRNAs flagged pan_cancer or blood_cell: shared by many cancers or by blood cells, they say
    nothing of a tissue of origin."""
    return set(signatures.loc[signatures["flag"].isin(TISSUE_CALL_EXCLUDED_FLAGS), "mirna"])


def feature_groups(names: Iterable[str], groups: pd.DataFrame) -> dict[str, str]:
    """{feature name: precursor group} for mature names (hsa-miR-21-5p) and precursor names (hsa-mir-21)
    alike, so that counts at either level meet the atlas."""
    mapping = dict(zip(groups["precursor"], groups["group"])) | dict(zip(groups["mirna"], groups["group"]))
    return {name: mapping[name] for name in names if name in mapping}


def select_features(
    profiles: pd.DataFrame,
    healthy: pd.DataFrame,
    tumour_types: pd.Series,
    excluded_groups: Iterable[str],
    min_proportion: float,
) -> list[str]:
    """Groups of the atlas, minus excluded ones, that reach `min_proportion` of the kept reads in the mean
    healthy profile or in the mean prototype of some cancer type (rarer groups carry noise, not signal)."""
    candidates = profiles.index.difference(list(excluded_groups))
    healthy_share = proportions(healthy.reindex(candidates).fillna(0).to_numpy()).mean(axis=1)
    atlas = profiles.loc[candidates]
    type_share = (atlas / atlas.sum()).T.groupby(tumour_types).mean().max()
    keep = (healthy_share >= min_proportion) | (type_share.to_numpy() >= min_proportion)
    return list(candidates[keep])


def min_libraries(false_call_rate: float, confidence: float) -> int:
    """Fewest healthy libraries for which some order statistic bounds the (1 − false_call_rate) quantile
    with `confidence`: the maximum of n values exceeds it with probability 1 − (1 − rate)ⁿ."""
    return int(np.ceil(np.log(1 - confidence) / np.log(1 - false_call_rate)))


def upper_quantile_bound(values: Sequence[float] | np.ndarray, quantile: float, confidence: float) -> float:
    """Distribution-free upper confidence bound of a quantile: the smallest order statistic that lies above
    the `quantile` with probability `confidence` (binomial count of values below the quantile); NaN when
    there are too few values for any order statistic to do so (see min_libraries)."""
    ordered = np.sort(np.asarray(values, dtype=float))
    below = binom.cdf(np.arange(len(ordered)), len(ordered), quantile)  # P(fewer than k+1 values below)
    rank = int(np.searchsorted(below, confidence))
    return float(ordered[rank]) if rank < len(ordered) else float("nan")


class OriginModel:
    """Negative-binomial evidence of tumour prototypes beyond a fitted non-tumour null, on one baseline.

    `healthy`: features × libraries counts; `null_profiles` and `tumour_profiles`: features × profiles (any
    scale); `tumour_labels`: one per tumour profile (profiles sharing a label are alternatives, e.g.
    prototypes of one cancer type); `deviance_features`: mask of the features the out-of-distribution
    deviance is measured on."""

    def __init__(
        self,
        healthy: np.ndarray | pd.DataFrame,
        null_profiles: np.ndarray | pd.DataFrame,
        tumour_profiles: np.ndarray | pd.DataFrame,
        tumour_labels: Sequence[str] | np.ndarray,
        fractions: Sequence[float] | np.ndarray,
        min_dispersion: float,
        deviance_features: np.ndarray | None = None,
    ) -> None:
        healthy = np.asarray(healthy, dtype=float)
        depth = healthy.sum(axis=0)
        if (depth <= 0).any():
            raise ValueError("a healthy baseline library has no reads on the features")
        shares = healthy / depth
        # Half a read at the mean depth keeps features never seen in healthy libraries possible.
        mean = shares.mean(axis=1) + 0.5 / depth.mean()
        self.healthy_mean = mean / mean.sum()
        excess_variance = shares.var(axis=1, ddof=1) - (shares / depth).mean(axis=1) if shares.shape[1] > 1 else 0
        self.dispersion = np.clip(excess_variance / self.healthy_mean**2, min_dispersion, MAX_DISPERSION)
        self.size = 1 / self.dispersion
        self.deviance_features = (
            np.ones(len(healthy), dtype=bool) if deviance_features is None else np.asarray(deviance_features)
        )
        # Null components: μ first, then the non-tumour profiles.
        null = np.asarray(null_profiles, dtype=float).reshape(len(healthy), -1)
        self.components = np.column_stack([self.healthy_mean, proportions(null) if null.shape[1] else null])
        self.fractions = np.asarray(fractions, dtype=float)
        if self.fractions[0] != 0:
            raise ValueError("the fraction grid must start at 0 (the null alone)")
        # Tumour profiles sorted by label, so that a label's profiles are one slice (np.maximum.reduceat).
        labels = np.asarray(tumour_labels)
        order = np.argsort(labels, kind="stable")
        self.labels, self._label_starts = np.unique(labels[order], return_index=True)
        self.tumours = proportions(np.asarray(tumour_profiles, dtype=float))[:, order]

    def log_likelihood(self, counts: np.ndarray, mean_share: np.ndarray) -> np.ndarray:
        """NB log-likelihood up to terms free of the mean m = n·q: Σ c·log(m) − (r + c)·log(r + m), for one
        sample's counts (features) and shares q (features × any)."""
        depth = counts.sum()
        size = self.size.reshape(-1, *([1] * (mean_share.ndim - 1)))
        count = counts.reshape(size.shape)
        mean = depth * mean_share
        return (count * np.log(mean) - (size + count) * np.log(size + mean)).sum(axis=0)

    def fit_null(self, counts: np.ndarray) -> np.ndarray:
        """Weights of the null components (μ first) that maximise one sample's NB likelihood."""
        counts = np.asarray(counts, dtype=float)
        depth = counts.sum()
        if self.components.shape[1] == 1:
            return np.ones(1)

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            weights = softmax(theta)
            share = np.maximum(self.components @ weights, 1e-12)
            mean = depth * share
            value = (counts * np.log(mean) - (self.size + counts) * np.log(self.size + mean)).sum()
            by_share = counts / share - depth * (self.size + counts) / (self.size + mean)
            by_weight = self.components.T @ by_share
            return -value, -(weights * (by_weight - weights @ by_weight))

        # Start from the multinomial maximum (EM for mixture weights, which cannot stall at a corner the way
        # a gradient from near-zero weights does), then maximise the NB likelihood from there.
        weights = np.full(self.components.shape[1], 0.5 / (self.components.shape[1] - 1))
        weights[0] = 0.5
        for _ in range(NULL_EM_STEPS):
            share = np.maximum(self.components @ weights, 1e-300)
            updated = weights * (self.components.T @ (counts / share)) / depth
            converged = np.abs(updated - weights).max() < 1e-6
            weights = updated
            if converged:
                break
        fitted = minimize(loss, np.log(weights + 1e-9), jac=True, method="L-BFGS-B", options={"maxiter": 200})
        return softmax(fitted.x)

    def healthy_deviance(self, counts: np.ndarray) -> np.ndarray:
        """NB deviance of each sample (features × samples) under the healthy-only model, on the deviance
        features: about their number for a library like the baseline ones, far more for one from another
        protocol or biofluid. No component is fitted first, so nothing can absorb such a shift."""
        counts = np.asarray(counts, dtype=float)[self.deviance_features]
        share = self.healthy_mean[self.deviance_features]
        mean = share[:, None] / share.sum() * counts.sum(axis=0)
        size = self.size[self.deviance_features, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            by_count = np.where(counts > 0, counts * np.log(counts / mean), 0.0)
        return 2 * (by_count - (counts + size) * np.log((counts + size) / (mean + size))).sum(axis=0)

    def assess(self, counts: pd.DataFrame) -> "Assessment":
        """Λ per label, the fraction at its maximum, the null weights and the healthy-only deviance of each
        sample of a features × samples table."""
        counts = pd.DataFrame(counts)
        values = counts.to_numpy(dtype=float)
        ratios, fractions, weights = [], [], []
        ends = np.append(self._label_starts[1:], self.tumours.shape[1])
        for column in values.T:
            weight = self.fit_null(column)
            null_share = self.components @ weight
            mixed = (1 - self.fractions[None, 1:, None]) * null_share[:, None, None] + (
                self.fractions[None, 1:, None] * self.tumours[:, None, :]
            )  # features × fractions × profiles
            gain = self.log_likelihood(column, mixed) - self.log_likelihood(column, null_share)
            best = gain.argmax(axis=0)
            per_profile = gain[best, np.arange(gain.shape[1])]
            per_label = np.maximum.reduceat(per_profile, self._label_starts)
            winner = [start + int(np.argmax(per_profile[start:end])) for start, end in zip(self._label_starts, ends)]
            ratios.append(2 * np.clip(per_label, 0, None))
            fractions.append(np.where(per_label > 0, self.fractions[1:][best[winner]], 0.0))
            weights.append(weight)
        return Assessment(
            pd.DataFrame(ratios, index=counts.columns, columns=self.labels),
            pd.DataFrame(fractions, index=counts.columns, columns=self.labels),
            np.asarray(weights).reshape(len(counts.columns), -1),
            pd.Series(self.healthy_deviance(values), index=counts.columns),
        )


@dataclass
class Assessment:
    """Per sample: Λ and tumour fraction per cancer type, null weights (μ first) and healthy-only deviance."""

    likelihood_ratio: pd.DataFrame
    fractions: pd.DataFrame
    null_weights: np.ndarray
    deviance: pd.Series

    def subset(self, samples: Sequence[Hashable]) -> Self:
        positions = self.likelihood_ratio.index.get_indexer(samples)
        return type(self)(
            self.likelihood_ratio.iloc[positions],
            self.fractions.iloc[positions],
            self.null_weights[positions],
            self.deviance.iloc[positions],
        )

    @classmethod
    def concat(cls, parts: Sequence[Self]) -> Self:
        return cls(
            pd.concat([part.likelihood_ratio for part in parts]),
            pd.concat([part.fractions for part in parts]),
            np.concatenate([part.null_weights for part in parts]),
            pd.concat([part.deviance for part in parts]),
        )


def mix_counts(
    healthy_counts: np.ndarray | pd.Series,
    tumour_profile: np.ndarray | pd.Series,
    fraction: float,
    rng: np.random.Generator,
    bias_sd_log2: float = 0.0,
) -> np.ndarray:
    """An in-silico library: `fraction` of its reads from a tumour profile, the rest from a healthy library.

    Healthy reads are binomially thinned to (1 − fraction), tumour reads drawn as Poisson with mean
    fraction × depth × tumour proportions; both vectors share one feature index. `bias_sd_log2` multiplies
    each feature of the tumour profile by an independent log-normal factor (σ in log2 units): the bias of
    tissue sequencing against a biofluid protocol, miRNA by miRNA."""
    healthy_counts = np.asarray(healthy_counts)
    tumour = np.asarray(tumour_profile, dtype=float)
    if bias_sd_log2:
        tumour = tumour * np.exp2(rng.normal(0, bias_sd_log2, len(tumour)))
    depth = healthy_counts.sum()
    kept = rng.binomial(np.round(healthy_counts).astype(np.int64), 1 - fraction)
    return kept + rng.poisson(fraction * depth * tumour / tumour.sum())


@dataclass
class Atlas:
    """Tumour prototypes and normal-tissue profiles (groups × profiles) with each profile's cancer type."""

    profiles: pd.DataFrame
    info: pd.DataFrame

    def _kind(self, kind: str) -> pd.Series:
        info = self.info.set_index("profile").loc[self.profiles.columns]
        return info.loc[info["kind"] == kind, "cancer_type"]

    @property
    def tumour_types(self) -> pd.Series:
        """Cancer type of each tumour prototype."""
        return self._kind("tumour")

    @property
    def normal_profiles(self) -> pd.DataFrame:
        """The normal-tissue profiles, named '<type> normal'."""
        normal = self._kind("normal")
        return self.profiles[normal.index].set_axis([f"{name} normal" for name in normal], axis=1)


@dataclass(frozen=True)
class Protocol:
    """What a baseline represents: biofluids, library kits and RNA isolation kits (kits or isolation empty:
    not documented, any is accepted)."""

    biofluids: frozenset[str]
    kits: frozenset[str]
    rna_isolation: frozenset[str] = frozenset()

    def mismatch(self, biofluid: str, kit: str, rna_isolation: str) -> str:
        """Why a sample is outside this protocol, or '' when it is inside."""
        if biofluid not in self.biofluids:
            return f"biofluid {biofluid} is not the baseline's ({', '.join(sorted(self.biofluids))})"
        if self.kits and kit not in self.kits:
            stated = f"library kit {kit}" if kit else "library kit not known"
            return f"{stated}; the baseline's is {', '.join(sorted(self.kits))}"
        if self.rna_isolation and rna_isolation not in self.rna_isolation:
            stated = (
                f"RNA isolation {rna_isolation}"
                if rna_isolation
                else "RNA isolation not stated (sheet column rna_isolation)"
            )
            return f"{stated}; the baseline's is {', '.join(sorted(self.rna_isolation))}"
        return ""


@dataclass
class Calibration:
    """The healthy null of one baseline, from its libraries scored out of fold."""

    offsets: pd.Series  # per cancer type: median Λ of the healthy libraries
    scales: pd.Series  # per cancer type: spread of Λ over the healthy libraries above the median
    null: np.ndarray  # max adjusted evidence of each healthy library
    deviance_limit: float
    false_call_rate: float
    threshold_confidence: float
    needed: int = field(init=False)

    def __post_init__(self) -> None:
        self.needed = min_libraries(self.false_call_rate, self.threshold_confidence)

    @property
    def n_healthy(self) -> int:
        return len(self.null)

    def threshold(self, leave_out: float | None = None) -> float:
        """Evidence from which a type is called (NaN with too few libraries); `leave_out` drops one healthy
        library's own value, so that a healthy sample is never judged by a bound it helped to set."""
        null = self.null
        if leave_out is not None:
            null = np.delete(null, int(np.argmin(np.abs(null - leave_out))))
        if len(null) < self.needed:
            return float("nan")
        return upper_quantile_bound(null, 1 - self.false_call_rate, self.threshold_confidence)

    def p_value(self, evidence: float, leave_out: float | None = None) -> float:
        """Share of healthy libraries with at least this evidence, counting the sample itself."""
        null = self.null if leave_out is None else np.delete(self.null, int(np.argmin(np.abs(self.null - leave_out))))
        return float((1 + (null >= evidence).sum()) / (len(null) + 1))

    def summary(self) -> dict[str, Any]:
        return {
            "n_healthy": self.n_healthy,
            "needed": self.needed,
            "threshold": self.threshold(),
            "deviance_limit": self.deviance_limit,
            "false_call_rate": self.false_call_rate,
            "threshold_confidence": self.threshold_confidence,
        }


def donor_folds(libraries: Sequence[str], donors: Mapping[str, str], folds: int, seed: int) -> list[list[str]]:
    """Libraries split into folds so that all libraries of a donor share one (a library without a donor is
    its own); at most `folds` folds, fewer when there are fewer donors."""
    donor = [donors.get(library) or f"library:{library}" for library in libraries]
    unique = list(np.random.default_rng(seed).permutation(sorted(set(donor))))
    n_folds = min(folds, len(unique))
    fold_of = {name: index % n_folds for index, name in enumerate(unique)}
    return [[lib for lib, name in zip(libraries, donor) if fold_of[name] == fold] for fold in range(n_folds)]


class OriginScorer:
    """One baseline with the atlas, the null components and the chosen features."""

    def __init__(
        self,
        healthy: pd.DataFrame,
        atlas: Atlas,
        null_profiles: pd.DataFrame,
        features: Iterable[str],
        deviance_excluded: Collection[str],
        fractions: np.ndarray,
        min_dispersion: float,
        donors: Mapping[str, str] | None = None,
        protocols: Mapping[str, str] | None = None,
    ) -> None:
        self.features = list(features)
        self.healthy = healthy.reindex(self.features).fillna(0)
        self.atlas = atlas
        self.null_profiles = null_profiles.reindex(self.features).fillna(0)
        self.null_names = ["healthy", *self.null_profiles.columns]
        self.deviance_features = ~pd.Index(self.features).isin(list(deviance_excluded))
        self.fractions = fractions
        self.min_dispersion = min_dispersion
        self.donors = dict(donors or {})
        self.protocols = dict(protocols or {})
        self.model = self._model(list(self.healthy.columns))
        self.cancer_types = list(self.model.labels)

    def _model(self, libraries: Sequence[str]) -> OriginModel:
        tumours = self.atlas.tumour_types
        return OriginModel(
            self.healthy[list(libraries)],
            self.null_profiles,
            self.atlas.profiles.reindex(self.features).fillna(0)[tumours.index],
            tumours.to_numpy(),
            self.fractions,
            self.min_dispersion,
            self.deviance_features,
        )

    def assess(self, counts: pd.DataFrame) -> Assessment:
        """Assessment of group counts (groups × samples) against the whole baseline."""
        return self.model.assess(pd.DataFrame(counts).reindex(self.features).fillna(0))

    def cross_validate(self, folds: int, seed: int) -> Assessment:
        """Every baseline library assessed by a model built without its donor fold and, when the baseline
        holds several protocols, without its protocol."""
        libraries = list(self.healthy.columns)
        protocol = {library: self.protocols.get(library, "") for library in libraries}
        several = len(set(protocol.values())) > 1
        parts = []
        for fold in donor_folds(libraries, self.donors, folds, seed):
            fold_donors = {self.donors.get(library) or library for library in fold}
            others = [library for library in libraries if (self.donors.get(library) or library) not in fold_donors]
            for name in sorted({protocol[library] for library in fold}) if several else [None]:
                held = [library for library in fold if name is None or protocol[library] == name]
                kept = [library for library in others if name is None or protocol[library] != name]
                parts.append(self._model(kept).assess(self.healthy[held]))
        return Assessment.concat(parts).subset(libraries)

    def calibrate(
        self, out_of_fold: Assessment, false_call_rate: float, threshold_confidence: float, deviance_factor: float
    ) -> Calibration:
        """The null from out-of-fold assessments of the baseline libraries."""
        ratio = out_of_fold.likelihood_ratio
        offsets = ratio.median()
        scales = (ratio.quantile(NULL_SPREAD_QUANTILE) - offsets).clip(lower=1.0)
        null = ((ratio - offsets) / scales).max(axis=1).to_numpy()
        return Calibration(
            offsets,
            scales,
            null,
            deviance_factor * float(out_of_fold.deviance.max()),
            false_call_rate,
            threshold_confidence,
        )


def null_description(weights: np.ndarray, names: Sequence[str], min_weight: float = 0.01) -> str:
    """The non-tumour components of a null fit with weight ≥ `min_weight`, e.g. 'red_cells 0.12'."""
    shown = [(weight, name) for weight, name in zip(weights[1:], names[1:]) if weight >= min_weight]
    return "; ".join(f"{name} {weight:.2f}" for weight, name in sorted(shown, reverse=True))


@dataclass
class SampleInfo:
    """What the calls need to know of each sample besides its counts."""

    biofluid: pd.Series
    kit: pd.Series
    rna_isolation: pd.Series
    verdict: pd.Series
    healthy: pd.Series  # condition is healthy
    donor: pd.Series

    @classmethod
    def from_tables(cls, samples: pd.DataFrame, qc: pd.DataFrame | None = None) -> Self:
        """From the sample sheet and the sample QC table (its detected or declared `kit` wins over the
        sheet's)."""
        index = samples.index

        def column(table: pd.DataFrame | None, name: str) -> pd.Series:
            if table is None or name not in table.columns:
                return pd.Series("", index=index)
            return table[name].astype(object).reindex(index).fillna("").astype(str).str.strip()

        kit = column(qc, "kit")
        kit = kit.where(kit != "", column(samples, "kit").replace("auto", ""))
        return cls(
            biofluid=column(samples, "biofluid"),
            kit=kit,
            rna_isolation=column(samples, "rna_isolation"),
            verdict=column(qc, "verdict"),
            healthy=column(samples, "condition").str.lower() == "healthy",
            donor=column(samples, "donor"),
        )


def call_samples(
    scorer: OriginScorer,
    calibration: Calibration,
    assessment: Assessment,
    info: SampleInfo,
    baseline_name: str,
    protocol: Protocol,
    out_of_fold: Collection[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Calls and full rankings for the assessed samples of one baseline. Samples in `out_of_fold` are
    baseline libraries scored out of fold: their threshold and p-value leave their own value out."""
    types = scorer.cancer_types
    adjusted = (assessment.likelihood_ratio[types] - calibration.offsets[types]) / calibration.scales[types]
    calls, rankings = [], []
    for position, sample in enumerate(assessment.likelihood_ratio.index):
        ranked = adjusted.loc[sample].sort_values(ascending=False, kind="stable")
        top, runner_up = ranked.index[0], ranked.index[1]
        own = ranked.iloc[0] if sample in out_of_fold else None
        threshold = calibration.threshold(own)
        deviance = assessment.deviance[sample]
        mismatch = protocol.mismatch(info.biofluid[sample], info.kit[sample], info.rna_isolation[sample])
        if mismatch:
            call, reason, note = NOT_CALLED, PROTOCOL_MISMATCH, mismatch
        elif info.verdict[sample] == "fail":
            call, reason, note = NOT_CALLED, QC_FAIL, "the sample failed QC"
        elif np.isnan(threshold):
            call, reason = NOT_CALLED, TOO_FEW_HEALTHY
            note = (
                f"{calibration.n_healthy - (own is not None)} healthy libraries; the false-call bound needs"
                f" {calibration.needed} ({calibration.false_call_rate:.0%} at {calibration.threshold_confidence:.0%}"
                " confidence)"
            )
        elif deviance > calibration.deviance_limit:
            call, reason = INDETERMINATE, OUT_OF_DISTRIBUTION
            note = f"healthy-only deviance {deviance:.0f} > limit {calibration.deviance_limit:.0f}"
        elif ranked.iloc[0] < threshold:
            call, reason, note = INDETERMINATE, BELOW_THRESHOLD, "no cancer type stands out from the null"
        else:
            call, reason, note = top, "", "research use only: evidence of tissue-like deviation, not a diagnosis"
        calls.append(
            (
                sample,
                info.biofluid[sample],
                info.kit[sample],
                baseline_name,
                calibration.n_healthy - (own is not None),
                info.verdict[sample],
                call,
                reason,
                top,
                ranked.iloc[0],
                threshold,
                # A p-value only where its assumption (a sample like the baseline libraries) is not refuted.
                calibration.p_value(ranked.iloc[0], own) if reason in ("", BELOW_THRESHOLD) else np.nan,
                runner_up,
                ranked.iloc[1],
                assessment.fractions.loc[sample, top],
                null_description(assessment.null_weights[position], scorer.null_names),
                deviance,
                calibration.deviance_limit,
                note,
            )
        )
        rankings += [
            (
                sample,
                rank,
                cancer_type,
                value,
                assessment.likelihood_ratio.loc[sample, cancer_type],
                assessment.fractions.loc[sample, cancer_type],
            )
            for rank, (cancer_type, value) in enumerate(ranked.items(), 1)
        ]
    return pd.DataFrame(calls, columns=CALL_COLUMNS), pd.DataFrame(rankings, columns=RANKING_COLUMNS)


def not_called(info: SampleInfo, names: Iterable[str], baseline_name: str, reason: str, note: str) -> pd.DataFrame:
    """Rows for samples that cannot be assessed at all (no baseline for their biofluid, or no references)."""
    rows = [
        {
            "sample": sample,
            "biofluid": info.biofluid[sample],
            "kit": info.kit[sample],
            "baseline": baseline_name,
            "qc_verdict": info.verdict[sample],
            "call": NOT_CALLED,
            "reason": reason,
            "note": note,
        }
        for sample in names
    ]
    return pd.DataFrame(rows, columns=CALL_COLUMNS)


@dataclass
class Baseline:
    """A healthy baseline of group counts, the protocol it represents, and its libraries' donors and
    pre-analytical protocols (library → label; empty when not documented)."""

    name: str
    counts: pd.DataFrame
    protocol: Protocol
    donors: dict[str, str]
    protocols: dict[str, str] = field(default_factory=dict)


def choose_baselines(
    info: SampleInfo, counts: pd.DataFrame, reference: Baseline, min_cohort_healthy: int
) -> list[tuple[Baseline | None, list[str]]]:
    """[(baseline, samples scored against it)]: per biofluid the cohort's own healthy samples when there are
    at least `min_cohort_healthy` of them, else the reference baseline, with every library of a cohort sample
    (same name) or of its donor left out; None for samples no baseline covers."""
    plan: list[tuple[Baseline | None, list[str]]] = []
    to_reference, uncovered = [], []
    for biofluid in pd.unique(info.biofluid):
        members = list(info.biofluid.index[info.biofluid == biofluid])
        cohort_healthy = [sample for sample in members if info.healthy[sample]]
        if len(cohort_healthy) >= min_cohort_healthy:
            protocol = Protocol(
                frozenset([biofluid]),
                frozenset(info.kit[cohort_healthy]),
                frozenset(info.rna_isolation[cohort_healthy]) - {""},
            )
            donors = {sample: info.donor[sample] for sample in cohort_healthy if info.donor[sample]}
            plan.append((Baseline(f"cohort healthy {biofluid}", counts[cohort_healthy], protocol, donors), members))
        elif biofluid in reference.protocol.biofluids:
            to_reference += members
        else:
            uncovered += members
    if to_reference:
        own = set(to_reference)
        donors = {info.donor[sample] for sample in to_reference} - {""}
        kept = [lib for lib in reference.counts.columns if lib not in own and reference.donors.get(lib) not in donors]
        plan.append((replace(reference, counts=reference.counts[kept]), to_reference))
    if uncovered:
        plan.append((None, uncovered))
    return plan


@dataclass
class References:
    """What every tumour-origin run reads: feature → group map, reference baseline, atlas, the non-tumour
    null components and the groups left out of the features."""

    groups: pd.DataFrame
    reference: Baseline
    atlas: Atlas
    null_profiles: pd.DataFrame
    excluded_groups: set
    marker_groups: set

    @classmethod
    def load(
        cls,
        groups: str | os.PathLike,
        baseline: str | os.PathLike,
        baseline_libraries: str | os.PathLike | None,
        profiles: str | os.PathLike,
        profile_info: str | os.PathLike,
        markers: str | os.PathLike,
        signatures: str | os.PathLike,
        tissue_reference: str | os.PathLike | None,
        reference_biofluids: Collection[str],
        excluded_types: Collection[str] = (),
    ) -> Self:
        """`excluded_types`: cancer types left out of the atlas (neither ranked nor called)."""
        group_table = pd.read_csv(groups, sep="\t")
        baseline_counts = pd.read_csv(baseline, sep="\t", index_col="mirna")
        baseline_groups = sum_by_group(baseline_counts, feature_groups(baseline_counts.index, group_table))
        info = pd.read_csv(profile_info, sep="\t")
        info = info[~(info["cancer_type"].isin(list(excluded_types)) & (info["kind"] == "tumour"))]
        atlas = Atlas(pd.read_csv(profiles, sep="\t", index_col="group")[list(info["profile"])], info)
        mature_groups = feature_groups(group_table["mirna"], group_table)
        marker_table = load_markers(markers)
        # Blood-cell components: the healthy mean on each component's marker groups.
        healthy_mean = pd.Series(proportions(baseline_groups.to_numpy()).mean(axis=1), index=baseline_groups.index)
        blood = {}
        for component in BLOOD_COMPONENTS:
            member_groups = {mature_groups[m] for m in component_markers(marker_table, component) if m in mature_groups}
            blood[component.name] = healthy_mean.where(healthy_mean.index.isin(list(member_groups)), 0.0)
        null_profiles = [pd.DataFrame(blood), atlas.normal_profiles]
        if tissue_reference:
            tissues = pd.read_csv(tissue_reference, index_col=0)
            null_profiles.append(
                sum_by_group(tissues, feature_groups(tissues.index, group_table)).add_prefix("tissue ")
            )
        protocol = Protocol(frozenset(reference_biofluids), frozenset())
        donors: dict[str, str] = {}
        protocols: dict[str, str] = {}
        if baseline_libraries:
            libraries = pd.read_csv(baseline_libraries, sep="\t", dtype=str, keep_default_na=False)
            libraries = libraries[libraries["library"].isin(baseline_groups.columns)]
            protocol = Protocol(
                frozenset(libraries["biofluid"]), frozenset(libraries["kit"]), frozenset(libraries["rna_isolation"])
            )
            donors = dict(zip(libraries["library"], libraries["donor"]))
            labels = libraries[[column for column in PROTOCOL_COLUMNS if column in libraries.columns]]
            protocols = dict(zip(libraries["library"], labels.agg("/".join, axis=1)))
        signature_table = pd.read_csv(signatures, sep="\t", keep_default_na=False)
        marker_groups = {mature_groups[m] for m in marker_table["mirna"] if m in mature_groups}
        return cls(
            groups=group_table,
            reference=Baseline("reference", baseline_groups, protocol, donors, protocols),
            atlas=atlas,
            null_profiles=pd.concat(null_profiles, axis=1).fillna(0),
            # Marker groups stay features: the null's blood-cell components explain them.
            excluded_groups={mature_groups[m] for m in excluded_mirnas(signature_table) if m in mature_groups}
            - marker_groups,
            marker_groups=marker_groups,
        )

    def group_counts(self, counts: pd.DataFrame) -> pd.DataFrame:
        """Feature × sample counts (mature or precursor names) summed into precursor groups."""
        return sum_by_group(counts, feature_groups(counts.index, self.groups))

    def scorer(self, baseline: Baseline, params: Any) -> OriginScorer:
        """OriginScorer on a baseline with the config's feature and grid settings."""
        features = select_features(
            self.atlas.profiles, baseline.counts, self.atlas.tumour_types, self.excluded_groups, params.min_proportion
        )
        fractions = np.concatenate(
            [[0.0], np.geomspace(params.min_fraction, params.max_fraction, params.fraction_steps)]
        )
        return OriginScorer(
            baseline.counts,
            self.atlas,
            self.null_profiles,
            features,
            self.marker_groups,
            fractions,
            params.min_dispersion,
            baseline.donors,
            baseline.protocols,
        )


def score_baseline(
    references: References,
    baseline: Baseline,
    counts: pd.DataFrame,
    members: Sequence[str],
    info: SampleInfo,
    params: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Calls, rankings and the calibration summary of the samples scored against one baseline. Samples that
    are libraries of the baseline (a cohort's own healthy samples) are scored out of fold."""
    scorer = references.scorer(baseline, params)
    out_of_fold = scorer.cross_validate(params.calibration_folds, params.seed)
    calibration = scorer.calibrate(
        out_of_fold, params.false_call_rate, params.threshold_confidence, params.deviance_factor
    )
    inside = [sample for sample in members if sample in baseline.counts.columns]
    outside = [sample for sample in members if sample not in baseline.counts.columns]
    parts = ([scorer.assess(counts[outside])] if outside else []) + ([out_of_fold.subset(inside)] if inside else [])
    assessment = Assessment.concat(parts)
    calls, ranking = call_samples(scorer, calibration, assessment, info, baseline.name, baseline.protocol, inside)
    summary = {"baseline": baseline.name, "features": len(scorer.features), **calibration.summary()}
    return calls, ranking, summary


def tumour_origin_tables(
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    qc: pd.DataFrame,
    references: References | None,
    params: Any,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Calls, rankings and calibrations of every sample ({calls, ranking, calibration}) and log lines.

    `counts` is features × samples (mature or precursor names); `qc` the sample QC table; `references` None
    when the tumour-origin references are not configured; `params` has the config's `tumour_origin` settings
    as attributes."""
    info = SampleInfo.from_tables(samples, qc)
    calls, rankings, calibrations, log = [], [], [], []
    if references is None:
        calls.append(not_called(info, samples.index, "none", NOT_CONFIGURED, NOT_CONFIGURED_NOTE))
        plan = []
    else:
        group_counts = references.group_counts(counts)
        log.append(f"{len(group_counts)} precursor groups from {len(counts)} features")
        plan = choose_baselines(info, group_counts, references.reference, params.min_cohort_healthy)
    for baseline, members in plan:
        if baseline is None:
            calls.append(not_called(info, members, "none", PROTOCOL_MISMATCH, "no healthy baseline for this biofluid"))
            continue
        sample_calls, sample_rankings, summary = score_baseline(
            references, baseline, group_counts, members, info, params
        )
        log.append(f"baseline {baseline.name}: {summary}")
        calls.append(sample_calls)
        rankings.append(sample_rankings)
        calibrations.append(summary)
    calls = pd.concat(calls).set_index("sample").loc[samples.index].rename_axis("sample").reset_index()
    tables = {
        "calls": calls,
        "ranking": pd.concat(rankings) if rankings else pd.DataFrame(columns=RANKING_COLUMNS),
        "calibration": pd.DataFrame(calibrations),
    }
    return tables, log
