"""Tumour-origin evidence per sample, with a calibrated call that can be `indeterminate`. Research use only.

Question asked of each sample: does its deviation from a healthy baseline look like tissue of a TCGA cancer
type shedding miRNA into the biofluid?

* Features are precursor groups (precursor_groups.py) without blood-cell markers and pan-cancer miRNAs,
  and proportions are taken over the kept features only: red-cell, platelet or leukocyte signal (hemolysis,
  processing) therefore cannot move the call.
* A sample's counts c over the features (depth n) are negative binomial with mean n·q and the per-feature
  dispersion of the healthy libraries, where q(f, k) = (1 − f)·μ + f·t_k: μ the mean healthy proportions,
  t_k a tumour prototype of the atlas, f the tumour share of the reads on a grid.
* Evidence for cancer type C is the likelihood-ratio statistic of "healthy plus tissue of C" against
  "healthy only": Λ_C = 2·max over C's prototypes and f of [ℓ(f, k) − ℓ(0)].
* Calibration: `indeterminate` when the best Λ is below an upper confidence bound of the
  (1 − false_call_rate) quantile of Λ over cross-validated healthy libraries, or when the deviance left after
  the best type is far beyond that of any healthy library (another protocol or biofluid); otherwise the top
  type, with a confidence from logistic (Platt) scaling of the margin Λ_1 − Λ_2 on in-silico mixtures of
  held-out TCGA tumours into healthy libraries.
* The normal-tissue profile of the called type is scored as well: `tumour_vs_normal` = Λ(tumour) −
  Λ(normal tissue) says whether the deviation looks more like the tumour than like the healthy organ.
"""

import os
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import binom

from exomir.common.markers import blood_cell_mirnas, load_markers
from exomir.common.normalise import proportions
from exomir.references.precursor_groups import mirna_to_group, sum_by_group

INDETERMINATE = "indeterminate"
NOT_CALLED = "not_called"
TISSUE_CALL_EXCLUDED_FLAGS = {"pan_cancer", "blood_cell"}
# Upper bound of the per-feature dispersion, so that one erratic feature still counts a little; the lower
# bound (config min_dispersion) keeps a few similar healthy libraries from claiming near-Poisson precision.
MAX_DISPERSION = 10.0
CALL_COLUMNS = [
    "sample",
    "biofluid",
    "baseline",
    "qc_verdict",
    "call",
    "confidence",
    "evidence",
    "threshold",
    "tumour_fraction",
    "runner_up",
    "runner_up_evidence",
    "tumour_vs_normal",
    "residual_deviance",
    "note",
]
NOT_CONFIGURED = (
    "tumour-origin references not configured (score.healthy_baseline, and score.tcga_atlas or score.tcga_rpm"
    " with score.tcga_samples)"
)
RANKING_COLUMNS = ["sample", "rank", "cancer_type", "evidence", "tumour_fraction"]


def excluded_mirnas(markers: pd.DataFrame, signatures: pd.DataFrame) -> set[str]:
    """Blood-cell markers (background marker table) and signature miRNAs flagged pan_cancer or blood_cell."""
    flagged = signatures.loc[signatures["flag"].isin(TISSUE_CALL_EXCLUDED_FLAGS), "mirna"]
    return blood_cell_mirnas(markers) | set(flagged)


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


class OriginModel:
    """Negative-binomial mixture evidence of atlas profiles against one healthy baseline.

    `healthy`: features × libraries counts; `profiles`: features × profiles (any scale); `labels`: one per
    profile (profiles sharing a label are alternatives, e.g. prototypes of one cancer type)."""

    def __init__(
        self,
        healthy: np.ndarray | pd.DataFrame,
        profiles: np.ndarray | pd.DataFrame,
        labels: Sequence[str] | np.ndarray,
        fractions: Sequence[float] | np.ndarray,
        min_dispersion: float,
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
        self.fractions = np.asarray(fractions, dtype=float)
        if self.fractions[0] != 0:
            raise ValueError("the fraction grid must start at 0 (the healthy-only model)")
        # Profiles sorted by label, so that a label's profiles are one slice (np.maximum.reduceat).
        labels = np.asarray(labels)
        order = np.argsort(labels, kind="stable")
        self.labels, starts = np.unique(labels[order], return_index=True)
        self._label_starts = starts
        profiles = proportions(np.asarray(profiles, dtype=float))[:, order]
        mixed = (1 - self.fractions)[None, None, :] * self.healthy_mean[:, None, None] + (
            self.fractions[None, None, :] * profiles[:, :, None]
        )
        self._shape = mixed.shape[1:]  # profiles × fractions
        self._mixed = mixed.reshape(len(mixed), -1).astype(np.float32)  # features × (profiles · fractions)
        self._log_mixed = np.log(self._mixed)
        self._size = (1 / self.dispersion).astype(np.float32)

    def log_likelihood_ratios(self, counts: np.ndarray) -> np.ndarray:
        """samples × profiles × fractions log-likelihood relative to f = 0, for features × samples counts."""
        counts = np.asarray(counts, dtype=np.float32)
        # NB log-likelihood up to terms that do not depend on the mean m = depth·q:
        # c·log(m) − (r + c)·log(r + m), with size r = 1/dispersion.
        log_likelihood = counts.T @ self._log_mixed
        for sample, depth in enumerate(counts.sum(axis=0)):
            log_likelihood[sample] -= (self._size + counts[:, sample]) @ np.log(
                self._size[:, None] + depth * self._mixed
            )
        log_likelihood = log_likelihood.reshape(counts.shape[1], *self._shape)
        return log_likelihood - log_likelihood[:, :, :1]

    def healthy_deviance(self, counts: np.ndarray) -> np.ndarray:
        """NB deviance of each sample (features × samples) under the healthy-only model: about the number of
        features for a library like the baseline ones, far more for one from another protocol or biofluid."""
        counts = np.asarray(counts, dtype=float)
        mean = self.healthy_mean[:, None] * counts.sum(axis=0)
        size = 1 / self.dispersion[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            by_count = np.where(counts > 0, counts * np.log(counts / mean), 0.0)
        return 2 * (by_count - (counts + size) * np.log((counts + size) / (mean + size))).sum(axis=0)

    def evidence(self, counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Λ = 2·max log-likelihood ratio per label, and the fraction at the maximum (samples × labels),
        for a features × samples table."""
        counts = pd.DataFrame(counts)
        ratios = self.log_likelihood_ratios(counts.to_numpy())
        best_fraction = ratios.argmax(axis=2)
        best = np.take_along_axis(ratios, best_fraction[:, :, None], axis=2)[:, :, 0]
        per_label = np.maximum.reduceat(best, self._label_starts, axis=1)
        # The fraction of the label's best profile.
        is_best = best == np.repeat(per_label, np.diff(np.append(self._label_starts, best.shape[1])), axis=1)
        fraction = np.where(is_best, self.fractions[best_fraction], np.inf)
        per_label_fraction = np.minimum.reduceat(fraction, self._label_starts, axis=1)
        evidence = pd.DataFrame(2 * np.clip(per_label, 0, None), index=counts.columns, columns=self.labels)
        return evidence, pd.DataFrame(per_label_fraction, index=counts.columns, columns=self.labels)


def mix_counts(
    healthy_counts: np.ndarray | pd.Series,
    tumour_profile: np.ndarray | pd.Series,
    fraction: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """An in-silico library: `fraction` of its reads from a tumour profile, the rest from a healthy library.

    Healthy reads are binomially thinned to (1 − fraction), tumour reads drawn as Poisson with mean
    fraction × depth × tumour proportions; both vectors share one feature index."""
    healthy_counts = np.asarray(healthy_counts)
    tumour = np.asarray(tumour_profile, dtype=float)
    depth = healthy_counts.sum()
    kept = rng.binomial(np.round(healthy_counts).astype(np.int64), 1 - fraction)
    return kept + rng.poisson(fraction * depth * tumour / tumour.sum())


@dataclass
class Atlas:
    """Tumour prototypes and normal-tissue profiles (groups × profiles) with each profile's cancer type."""

    profiles: pd.DataFrame
    info: pd.DataFrame

    @property
    def tumour_types(self) -> pd.Series:
        return self.info.loc[self.info["kind"] == "tumour"].set_index("profile")["cancer_type"]

    def labels(self) -> np.ndarray:
        """Model labels: the cancer type for tumour prototypes, '<type> normal' for normal tissue."""
        info = self.info.set_index("profile").loc[self.profiles.columns]
        return np.where(info["kind"] == "tumour", info["cancer_type"], info["cancer_type"] + " normal")


@dataclass
class Calibration:
    """What a call needs from the healthy libraries and the held-out tumour mixtures."""

    threshold: float  # Λ below which a sample is indeterminate
    deviance_limit: float  # residual deviance above which a sample is unlike baseline and atlas alike
    platt_intercept: float
    platt_slope: float
    n_healthy: int
    n_mixtures: int
    mixture_accuracy: float

    def confidence(self, margin: float) -> float:
        """Calibrated probability that the top-ranked type is the true one, from Λ_1 − Λ_2."""
        return float(expit(self.platt_intercept + self.platt_slope * np.log1p(max(margin, 0.0))))

    def decide(self, tumour_evidence: pd.Series, residual_deviance: float, verdict: str = "") -> tuple[str, float, str]:
        """(call, confidence, note) from one sample's evidence per cancer type, sorted descending."""
        if verdict == "fail":
            return NOT_CALLED, np.nan, "QC verdict fail: no tumour-origin call"
        if residual_deviance > self.deviance_limit:
            return (
                INDETERMINATE,
                np.nan,
                ("profile unlike the healthy baseline and every atlas type (another protocol or biofluid?)"),
            )
        if tumour_evidence.iloc[0] < self.threshold:
            return INDETERMINATE, np.nan, "no cancer type stands out from the healthy baseline"
        return (
            tumour_evidence.index[0],
            self.confidence(tumour_evidence.iloc[0] - tumour_evidence.iloc[1]),
            ("research use only"),
        )


@dataclass
class Assessment:
    """Per sample: evidence Λ and tumour fraction per label, and the deviance left after the best type."""

    evidence: pd.DataFrame
    fractions: pd.DataFrame
    residual_deviance: pd.Series

    def tumour_evidence(self, sample: Hashable, cancer_types: list[str]) -> pd.Series:
        return self.evidence.loc[sample, cancer_types].sort_values(ascending=False, kind="stable")


class OriginScorer:
    """A baseline, the atlas and the chosen features: evidence, calibration and calls."""

    def __init__(
        self,
        healthy_groups: pd.DataFrame,
        atlas: Atlas,
        features: Iterable[str],
        fractions: np.ndarray,
        min_dispersion: float,
    ) -> None:
        self.features = list(features)
        self.healthy_groups = healthy_groups
        self.atlas = atlas
        self.fractions = fractions
        self.min_dispersion = min_dispersion
        self.cancer_types = list(pd.unique(atlas.tumour_types))
        self.model = self._model(healthy_groups.columns)

    def _model(self, libraries: Sequence[str] | pd.Index) -> OriginModel:
        healthy = self.healthy_groups.loc[:, libraries].reindex(self.features).fillna(0)
        profiles = self.atlas.profiles.reindex(self.features).fillna(0)
        return OriginModel(healthy, profiles, self.atlas.labels(), self.fractions, self.min_dispersion)

    def assess(self, counts: pd.DataFrame, model: OriginModel | None = None) -> Assessment:
        """Assessment of group counts (groups × samples)."""
        model = model or self.model
        on_features = pd.DataFrame(counts).reindex(self.features).fillna(0)
        evidence, fractions = model.evidence(on_features)
        deviance = pd.Series(model.healthy_deviance(on_features.to_numpy()), index=on_features.columns)
        return Assessment(evidence, fractions, deviance - evidence[self.cancer_types].max(axis=1))

    def calibrate(
        self,
        holdout: pd.DataFrame,
        tumours_per_type: int,
        mixture_fractions: Sequence[float],
        false_call_rate: float,
        threshold_confidence: float,
        deviance_factor: float,
        folds: int,
        seed: int,
    ) -> Calibration:
        """Cross-validated null of the healthy libraries and Platt scaling on held-out tumour mixtures.

        The healthy libraries are split into `folds`; each fold is scored by the model built without it, as
        are the mixtures of held-out tumours into its libraries. Scoring libraries the model has never seen
        matters: a library left out alone still has siblings (same donor, tube or kit) in the baseline and
        looks more typical than a new sample does. The deviance limit is `deviance_factor` times the largest
        healthy deviance."""
        rng = np.random.default_rng(seed)
        libraries = list(rng.permutation(self.healthy_groups.columns))
        profiles = holdout.drop(columns="cancer_type").astype(float)
        universe = self.healthy_groups.index.union(profiles.columns)
        healthy_all = self.healthy_groups.reindex(universe).fillna(0)
        plan = [
            (cancer_type, barcode, fraction, libraries[index % len(libraries)])
            for index, (cancer_type, barcode, fraction) in enumerate(
                (cancer_type, barcode, fraction)
                for cancer_type in self.cancer_types
                for barcode in holdout.index[holdout["cancer_type"] == cancer_type][:tumours_per_type]
                for fraction in mixture_fractions
            )
        ]
        n_folds = min(folds, len(libraries))
        null_evidence, null_deviance, outcomes = [], [], []
        for fold in range(n_folds):
            left_out = libraries[fold::n_folds]
            model = self._model([library for library in libraries if library not in left_out] or libraries)
            # Column names "<true type>|<id>", with "healthy" as the type of the fold's own libraries.
            columns = {f"healthy|{library}": healthy_all[library].to_numpy() for library in left_out}
            mixtures = [entry for entry in plan if entry[3] in left_out]
            for index, (cancer_type, barcode, fraction, library) in enumerate(mixtures):
                tumour = profiles.loc[barcode].reindex(universe).fillna(0)
                columns[f"{cancer_type}|{index}"] = mix_counts(healthy_all[library], tumour, fraction, rng)
            assessment = self.assess(pd.DataFrame(columns, index=universe), model)
            for key in columns:
                ranked = assessment.tumour_evidence(key, self.cancer_types)
                truth = key.split("|")[0]
                if truth == "healthy":
                    null_evidence.append(ranked.iloc[0])
                    null_deviance.append(assessment.residual_deviance[key] + ranked.iloc[0])
                else:
                    outcomes.append((ranked.iloc[0], ranked.iloc[0] - ranked.iloc[1], ranked.index[0] == truth))
        threshold = upper_quantile_bound(null_evidence, 1 - false_call_rate, threshold_confidence)
        outcomes = pd.DataFrame(outcomes, columns=["evidence", "margin", "correct"])
        called = outcomes[outcomes["evidence"] >= threshold]
        intercept, slope = platt_scaling(np.log1p(called["margin"].to_numpy()), called["correct"].to_numpy())
        accuracy = float(called["correct"].mean()) if len(called) else float("nan")
        return Calibration(
            threshold, deviance_factor * max(null_deviance), intercept, slope, len(libraries), len(called), accuracy
        )


def upper_quantile_bound(values: Sequence[float] | np.ndarray, quantile: float, confidence: float) -> float:
    """Distribution-free upper confidence bound of a quantile: the smallest order statistic that lies above
    the `quantile` with probability `confidence` (binomial count of values below the quantile). With few
    values this is their maximum."""
    ordered = np.sort(np.asarray(values, dtype=float))
    below = binom.cdf(np.arange(len(ordered)), len(ordered), quantile)  # P(fewer than k+1 values below)
    rank = int(np.searchsorted(below, confidence))
    return float(ordered[min(rank, len(ordered) - 1)])


def platt_scaling(score: np.ndarray, correct: np.ndarray) -> tuple[float, float]:
    """Logistic regression of correctness on a score (intercept, slope); a weak ridge keeps it finite when
    every calibration call is right. With no data the slope is 0 and the intercept gives 0.5."""
    if len(score) == 0:
        return 0.0, 0.0
    correct = np.asarray(correct, dtype=float)

    def loss(parameters: np.ndarray) -> float:
        logits = parameters[0] + parameters[1] * score
        return np.sum(np.logaddexp(0, logits) - correct * logits) + 1e-3 * np.sum(parameters**2)

    fitted = minimize(loss, x0=np.zeros(2), method="BFGS")
    return float(fitted.x[0]), float(fitted.x[1])


def call_samples(
    scorer: OriginScorer,
    calibration: Calibration,
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    baseline_name: str,
    qc: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Calls and full rankings for the samples (group counts, columns) that share one baseline."""
    assessment = scorer.assess(counts)
    calls, rankings = [], []
    for sample in counts.columns:
        ranked = assessment.tumour_evidence(sample, scorer.cancer_types)
        top, runner_up = ranked.index[0], ranked.index[1]
        normal = f"{top} normal"
        evidence = assessment.evidence.loc[sample]
        tumour_vs_normal = ranked[top] - evidence[normal] if normal in evidence else np.nan
        verdict = qc.get(sample, "")
        call, confidence, note = calibration.decide(ranked, assessment.residual_deviance[sample], verdict)
        calls.append(
            (
                sample,
                samples.loc[sample, "biofluid"],
                baseline_name,
                verdict,
                call,
                confidence,
                ranked[top],
                calibration.threshold,
                assessment.fractions.loc[sample, top],
                runner_up,
                ranked[runner_up],
                tumour_vs_normal,
                assessment.residual_deviance[sample],
                note,
            )
        )
        rankings += [
            (sample, rank, cancer_type, value, assessment.fractions.loc[sample, cancer_type])
            for rank, (cancer_type, value) in enumerate(ranked.items(), 1)
        ]
    return pd.DataFrame(calls, columns=CALL_COLUMNS), pd.DataFrame(rankings, columns=RANKING_COLUMNS)


def not_called(
    samples: pd.DataFrame, names: Iterable[str], baseline_name: str, qc: Mapping[str, str], note: str
) -> pd.DataFrame:
    """Rows for samples that cannot be assessed at all (no baseline for their biofluid)."""
    rows = [
        {
            "sample": sample,
            "biofluid": samples.loc[sample, "biofluid"],
            "baseline": baseline_name,
            "qc_verdict": qc.get(sample, ""),
            "call": NOT_CALLED,
            "note": note,
        }
        for sample in names
    ]
    return pd.DataFrame(rows, columns=CALL_COLUMNS)


def choose_baselines(
    samples: pd.DataFrame, reference_biofluids: Collection[str], min_cohort_healthy: int
) -> dict[str | None, tuple[list[str], list[str] | None]]:
    """{baseline name: (samples scored against it, cohort healthy samples or None for the reference)}.

    A biofluid with at least `min_cohort_healthy` healthy samples in the cohort is scored against them;
    otherwise against the reference baseline if it covers the biofluid; otherwise it has no baseline
    (name None)."""
    healthy = samples["condition"].astype(str).str.strip().str.lower() == "healthy"
    plan = {}
    for biofluid, members in samples.groupby("biofluid", sort=False, observed=True):
        cohort_healthy = list(members.index[healthy[members.index]])
        if len(cohort_healthy) >= min_cohort_healthy:
            plan[f"cohort healthy {biofluid}"] = (list(members.index), cohort_healthy)
        else:
            name = "reference" if biofluid in reference_biofluids else None
            plan.setdefault(name, ([], None))[0].extend(members.index)
    return plan


def mixture_trials(
    scorer: OriginScorer,
    calibration: Calibration,
    healthy: pd.DataFrame,
    holdout: pd.DataFrame,
    fractions: Iterable[float],
    tumours_per_type: int,
    skip: int,
    seed: int,
) -> pd.DataFrame:
    """Score in-silico mixtures: for each fraction > 0 and cancer type, held-out tumours number
    skip .. skip + tumours_per_type − 1 each mixed into a randomly chosen library of `healthy` (groups ×
    libraries, not part of the scorer's baseline); fraction 0 scores each healthy library as it is.

    Returns one row per trial: fraction, true type ('healthy' at 0), top type, evidence and call."""
    rng = np.random.default_rng(seed)
    profiles = holdout.drop(columns="cancer_type").astype(float)
    universe = healthy.index.union(profiles.columns)
    healthy = healthy.reindex(universe).fillna(0)
    libraries, truth = {}, []
    for fraction in fractions:
        if fraction == 0:
            for library in healthy.columns:
                libraries[len(truth)] = healthy[library].to_numpy()
                truth.append((fraction, "healthy"))
            continue
        for cancer_type in scorer.cancer_types:
            barcodes = holdout.index[holdout["cancer_type"] == cancer_type][skip : skip + tumours_per_type]
            for barcode in barcodes:
                tumour = profiles.loc[barcode].reindex(universe).fillna(0)
                library = healthy.columns[rng.integers(healthy.shape[1])]
                libraries[len(truth)] = mix_counts(healthy[library], tumour, fraction, rng)
                truth.append((fraction, cancer_type))
    assessment = scorer.assess(pd.DataFrame(libraries, index=universe))
    trials = pd.DataFrame(truth, columns=["fraction", "true_type"])
    decisions = [
        (ranked.index[0], ranked.iloc[0], *calibration.decide(ranked, assessment.residual_deviance[trial])[:2])
        for trial in trials.index
        for ranked in [assessment.tumour_evidence(trial, scorer.cancer_types)]
    ]
    trials[["top_type", "evidence", "call", "confidence"]] = pd.DataFrame(decisions, index=trials.index)
    return trials


@dataclass
class References:
    """What every tumour-origin run reads: group map, healthy baseline (group counts), atlas, held-out
    tumours and the groups left out of the features."""

    groups: dict
    baseline: pd.DataFrame
    atlas: Atlas
    holdout: pd.DataFrame
    excluded_groups: set

    @classmethod
    def load(
        cls,
        groups: str | os.PathLike,
        baseline: str | os.PathLike,
        profiles: str | os.PathLike,
        profile_info: str | os.PathLike,
        holdout: str | os.PathLike,
        markers: str | os.PathLike,
        signatures: str | os.PathLike,
    ) -> Self:
        mapping = mirna_to_group(pd.read_csv(groups, sep="\t"))
        excluded = excluded_mirnas(load_markers(markers), pd.read_csv(signatures, sep="\t", keep_default_na=False))
        return cls(
            groups=mapping,
            baseline=sum_by_group(pd.read_csv(baseline, sep="\t", index_col="mirna"), mapping),
            atlas=Atlas(pd.read_csv(profiles, sep="\t", index_col="group"), pd.read_csv(profile_info, sep="\t")),
            holdout=pd.read_csv(holdout, sep="\t", index_col="barcode"),
            excluded_groups={mapping[mirna] for mirna in excluded if mirna in mapping},
        )

    def scorer(self, healthy: pd.DataFrame, params: Any) -> OriginScorer:
        """OriginScorer on `healthy` group counts with the config's feature and grid settings."""
        features = select_features(
            self.atlas.profiles, healthy, self.atlas.tumour_types, self.excluded_groups, params.min_proportion
        )
        fractions = np.concatenate(
            [[0.0], np.geomspace(params.min_fraction, params.max_fraction, params.fraction_steps)]
        )
        return OriginScorer(healthy, self.atlas, features, fractions, params.min_dispersion)

    def calibrate(self, scorer: OriginScorer, params: Any) -> Calibration:
        return scorer.calibrate(
            self.holdout,
            params.calibration_tumours_per_type,
            params.calibration_fractions,
            params.false_call_rate,
            params.threshold_confidence,
            params.deviance_factor,
            params.calibration_folds,
            params.seed,
        )


def tumour_origin_tables(
    samples: pd.DataFrame, counts: pd.DataFrame, qc: dict[str, str], references: References | None, params: Any
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Calls, rankings and calibrations of every sample ({calls, ranking, calibration}) and log lines.

    `counts` is miRNAs × samples; `qc` the QC verdict per sample; `references` None when the
    tumour-origin references are not configured; `params` has the config's `tumour_origin`
    settings as attributes."""
    calls, rankings, calibrations, log = [], [], [], []
    if references is not None:
        sample_groups = sum_by_group(counts, references.groups)
        baselines = choose_baselines(samples, params.reference_biofluids, params.min_cohort_healthy)
    else:
        calls.append(not_called(samples, samples.index, "none", qc, NOT_CONFIGURED))
        baselines = {}

    for baseline_name, (members, cohort_healthy) in baselines.items():
        if baseline_name is None:
            calls.append(not_called(samples, members, "none", qc, "no healthy baseline for this biofluid"))
            continue
        scorer = references.scorer(
            references.baseline if cohort_healthy is None else sample_groups[cohort_healthy], params
        )
        calibration = references.calibrate(scorer, params)
        log.append(f"baseline {baseline_name}: {len(scorer.features)} features, {calibration}")
        sample_calls, sample_rankings = call_samples(
            scorer, calibration, sample_groups[members], samples, baseline_name, qc
        )
        calls.append(sample_calls)
        rankings.append(sample_rankings)
        calibrations.append({"baseline": baseline_name, "features": len(scorer.features), **vars(calibration)})

    calls = pd.concat(calls).set_index("sample").loc[samples.index].rename_axis("sample").reset_index()
    tables = {
        "calls": calls,
        "ranking": pd.concat(rankings) if rankings else pd.DataFrame(columns=RANKING_COLUMNS),
        "calibration": pd.DataFrame(calibrations),
    }
    return tables, log
