"""Nested cross-validation: the outer folds measure, the inner folds choose C and the number of features.

* Outer folds: StratifiedGroupKFold by batch when batches are given (no batch is in both the training and
  the test part of a fold), StratifiedKFold otherwise; leave-one-batch-out is reported beside.
* Every outer training part runs its own GridSearchCV (inner folds of the same kind) on the pipeline of
  exomir.classify.model; the held-out samples' probabilities (out of fold) give every figure.
* AUC (one-vs-rest macro mean for several classes) with a 95 % percentile-bootstrap interval over samples,
  sensitivity at 95 % specificity, Brier score (mean over classes of the one-vs-rest squared error),
  the label-permutation p-value of the whole nested CV ((1 + #{AUC_perm ≥ AUC}) / (1 + n)), and
  batch_only_auc: the stratified-CV AUC of a logistic regression on the one-hot batch alone, i.e. how
  much of the label the batch gives away.
"""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import (
    GridSearchCV,
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

METRIC_COLUMNS = ["metric", "value", "ci_low", "ci_high"]
TARGET_SPECIFICITY = 0.95


@dataclass
class CvSettings:
    """How the nested CV runs."""

    outer_folds: int = 5
    inner_folds: int = 3
    grid: dict[str, list[Any]] = field(default_factory=dict)
    permutations: int = 100
    # "nested": each permutation repeats the whole nested CV; "fixed": each repeats the outer folds with
    # the grid point the inner folds chose most often on the real labels (filter and selection still
    # learnt inside every fold), far cheaper and slightly optimistic for the real labels' search.
    permutation_search: str = "nested"
    bootstrap: int = 1000
    seed: int = 1
    threads: int = 1


def folds(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int, test_needs_all: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds, grouped by batch when given; never more folds than the smallest class or the
    batches allow. Grouped folds whose training part (or, with `test_needs_all`, test part) lacks a class,
    as when classes are confounded with batches, give way to ungrouped stratified folds."""
    n_classes = len(np.unique(y))
    smallest = int(np.bincount(y).min())
    placeholder = np.zeros(len(y))
    if groups is not None and len(np.unique(groups)) >= 2:
        n = max(2, min(n_splits, len(np.unique(groups)), smallest))
        splits = list(StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=seed).split(placeholder, y, groups))
        complete = all(
            len(np.unique(y[train])) == n_classes and (not test_needs_all or len(np.unique(y[test])) == n_classes)
            for train, test in splits
        )
        if complete:
            return splits
    n = max(2, min(n_splits, smallest))
    return list(StratifiedKFold(n_splits=n, shuffle=True, random_state=seed).split(placeholder, y))


def grouped(splits: list[tuple[np.ndarray, np.ndarray]], groups: np.ndarray | None) -> bool:
    """Whether no group is on both sides of any split."""
    if groups is None:
        return False
    return all(not set(groups[train]) & set(groups[test]) for train, test in splits)


def _score_matrix(probabilities: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    return probabilities if n_classes > 2 else probabilities[:, 1]


def auc(y: np.ndarray, probabilities: np.ndarray) -> float:
    """ROC AUC; one-vs-rest macro mean for more than two classes; NaN when a class is missing."""
    n_classes = probabilities.shape[1]
    if len(np.unique(y)) < n_classes:
        return float("nan")
    if n_classes == 2:
        return float(roc_auc_score(y, probabilities[:, 1]))
    return float(roc_auc_score(y, probabilities, multi_class="ovr", average="macro", labels=np.arange(n_classes)))


def sensitivity_at_specificity(y: np.ndarray, scores: np.ndarray, specificity: float = TARGET_SPECIFICITY) -> float:
    """Highest true-positive rate among thresholds whose false-positive rate is at most 1 − specificity."""
    fpr, tpr, _ = roc_curve(y, scores)
    return float(tpr[fpr <= 1 - specificity + 1e-12].max())


def sensitivity(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Sensitivity at 95 % specificity; the one-vs-rest mean over classes for more than two."""
    if probabilities.shape[1] == 2:
        return sensitivity_at_specificity(y, probabilities[:, 1])
    return float(
        np.mean([sensitivity_at_specificity(y == k, probabilities[:, k]) for k in range(probabilities.shape[1])])
    )


def brier(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Brier score: the positive class's squared error for two classes; the mean over classes of the
    one-vs-rest squared error otherwise."""
    if probabilities.shape[1] == 2:
        return float(np.mean((probabilities[:, 1] - (y == 1)) ** 2))
    onehot = np.eye(probabilities.shape[1])[y]
    return float(np.mean((probabilities - onehot) ** 2))


def nested_probabilities(
    pipeline: Pipeline,
    X: np.ndarray,  # noqa: N803 (scikit-learn's names)
    y: np.ndarray,
    groups: np.ndarray | None,
    settings: CvSettings,
    outer: list[tuple[np.ndarray, np.ndarray]] | None = None,
    threads: int | None = None,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Out-of-fold probabilities of the nested CV, and the inner folds' choice in each outer fold."""
    n_classes = len(np.unique(y))
    if outer is None:
        outer = folds(y, groups, settings.outer_folds, settings.seed)
    probabilities = np.full((len(y), n_classes), np.nan)
    chosen = []
    single = all(len(values) == 1 for values in settings.grid.values())
    for train, test in outer:
        if single:  # nothing to choose: fit the one grid point
            model = clone(pipeline).set_params(**{key: values[0] for key, values in settings.grid.items()})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", UserWarning)
                probabilities[test] = model.fit(X[train], y[train]).predict_proba(X[test])
            chosen.append({key: values[0] for key, values in settings.grid.items()})
            continue
        inner_groups = None if groups is None else groups[train]
        inner = folds(y[train], inner_groups, settings.inner_folds, settings.seed, test_needs_all=True)
        search = GridSearchCV(
            clone(pipeline),
            settings.grid,
            scoring="roc_auc_ovr" if n_classes > 2 else "roc_auc",
            cv=inner,
            n_jobs=threads if threads is not None else settings.threads,
            error_score="raise",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            search.fit(X[train], y[train])
        probabilities[test] = search.predict_proba(X[test])
        chosen.append(search.best_params_)
    return probabilities, chosen


def _permuted_auc(
    pipeline: Pipeline,
    X: np.ndarray,  # noqa: N803
    labels: np.ndarray,
    groups: np.ndarray | None,
    settings: CvSettings,
) -> float:
    return auc(labels, nested_probabilities(pipeline, X, labels, groups, settings, threads=1)[0])


def batch_only_auc(y: np.ndarray, batches: np.ndarray, seed: int = 1) -> float:
    """Stratified 5-fold CV AUC of a logistic regression on the one-hot batch alone."""
    onehot = OneHotEncoder(handle_unknown="ignore").fit_transform(batches.reshape(-1, 1))
    cv = StratifiedKFold(n_splits=max(2, min(5, int(np.bincount(y).min()))), shuffle=True, random_state=seed)
    probabilities = np.zeros((len(y), len(np.unique(y))))
    for train, test in cv.split(onehot, y):
        model = LogisticRegression(C=1.0, max_iter=1000).fit(onehot[train], y[train])
        probabilities[test] = model.predict_proba(onehot[test])
    return auc(y, probabilities)


def bootstrap_ci(y: np.ndarray, probabilities: np.ndarray, statistic: Any, n: int, seed: int) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of statistic(y, probabilities) over samples (resamples in which
    a class is missing are redrawn)."""
    rng = np.random.default_rng(seed)
    values = []
    n_classes = probabilities.shape[1]
    while len(values) < n:
        index = rng.integers(0, len(y), len(y))
        if len(np.unique(y[index])) < n_classes:
            continue
        values.append(statistic(y[index], probabilities[index]))
    low, high = np.nanquantile(values, [0.025, 0.975])
    return float(low), float(high)


@dataclass
class Evaluation:
    """The nested CV's figures and what it chose."""

    metrics: pd.DataFrame
    probabilities: np.ndarray
    chosen: list[dict[str, Any]]
    permutation_aucs: list[float]
    lobo_probabilities: np.ndarray | None


def evaluate(
    pipeline: Pipeline,
    X: np.ndarray,  # noqa: N803
    y: np.ndarray,
    batches: Sequence[str] | None,
    settings: CvSettings,
    log: Any = print,
) -> Evaluation:
    """Every figure of metrics.tsv from the nested CV (see the module's docstring)."""
    groups = None if batches is None else np.asarray(batches, dtype=str)
    outer = folds(y, groups, settings.outer_folds, settings.seed)
    if groups is not None and not grouped(outer, groups):
        log("warning: folds grouped by batch would leave a training part without a class; folds are not grouped")
    probabilities, chosen = nested_probabilities(pipeline, X, y, groups, settings, outer=outer)
    log(f"nested CV: {len(outer)} outer folds, inner choices {chosen}")
    rows = []
    for name, statistic in (("auc", auc), ("sensitivity_at_95_specificity", sensitivity), ("brier", brier)):
        value = statistic(y, probabilities)
        low, high = bootstrap_ci(y, probabilities, statistic, settings.bootstrap, settings.seed)
        rows.append((name, value, low, high))
    observed = rows[0][1]
    rng = np.random.default_rng(settings.seed)
    permuted_labels = [rng.permutation(y) for _ in range(settings.permutations)]
    # Each permutation is a whole nested CV on shuffled labels (batches kept with their samples), or
    # the outer folds at the most frequent inner choice ("fixed").
    permuted_settings = settings
    if settings.permutation_search == "fixed":
        counts = pd.Series([tuple(sorted(choice.items())) for choice in chosen]).value_counts()
        permuted_settings = CvSettings(**{**settings.__dict__, "grid": {k: [v] for k, v in counts.index[0]}})
    permutation_aucs = Parallel(n_jobs=settings.threads)(
        delayed(_permuted_auc)(pipeline, X, labels, groups, permuted_settings) for labels in permuted_labels
    )
    if settings.permutations:
        p = (1 + sum(value >= observed for value in permutation_aucs)) / (1 + settings.permutations)
        rows.append(("permutation_p", p, float("nan"), float("nan")))
        log(f"permutations: {settings.permutations}, AUC of shuffled labels median {np.median(permutation_aucs):.3f}")
    else:
        rows.append(("permutation_p", float("nan"), float("nan"), float("nan")))
    lobo = None
    if groups is not None and len(np.unique(groups)) >= 2:
        rows.append(("batch_only_auc", batch_only_auc(y, groups, settings.seed), float("nan"), float("nan")))
        leave_out = list(LeaveOneGroupOut().split(X, y, groups))
        if all(len(np.unique(y[train])) == len(np.unique(y)) for train, _ in leave_out):
            lobo, _ = nested_probabilities(pipeline, X, y, groups, settings, outer=leave_out)
            low, high = bootstrap_ci(y, lobo, auc, settings.bootstrap, settings.seed)
            rows.append(("leave_one_batch_out_auc", auc(y, lobo), low, high))
        else:
            log("leave-one-batch-out: some batch holds every sample of a class; not reported")
            rows.append(("leave_one_batch_out_auc", float("nan"), float("nan"), float("nan")))
    else:
        rows.append(("batch_only_auc", float("nan"), float("nan"), float("nan")))
    n_classes = probabilities.shape[1]
    if n_classes > 2:
        for k in range(n_classes):
            value = float(roc_auc_score(y == k, probabilities[:, k]))
            rows.append((f"auc_class_{k}", value, float("nan"), float("nan")))
    rows.append(("samples", float(len(y)), float("nan"), float("nan")))
    return Evaluation(pd.DataFrame(rows, columns=METRIC_COLUMNS), probabilities, chosen, permutation_aucs, lobo)


def reliability(y: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability and observed frequency of the positive class per probability bin
    (one-vs-rest pooled over classes for several)."""
    if probabilities.shape[1] == 2:
        predicted, observed = probabilities[:, 1], (y == 1).astype(float)
    else:
        predicted = probabilities.ravel()
        observed = np.eye(probabilities.shape[1])[y].ravel()
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    table = pd.DataFrame({"bin": index, "predicted": predicted, "observed": observed})
    summary = table.groupby("bin").agg(
        predicted=("predicted", "mean"), observed=("observed", "mean"), n=("observed", "size")
    )
    return summary.reset_index()
