"""A model from its spec (which sheet conditions are which class), the labelled cohort's precursor-group
counts and its batches: the nested CV's figures, the final model (GridSearchCV on all samples, folds
grouped by batch) and what apply needs to refuse a sample (features, coverage, the training distribution).

Probabilities are the logistic regression's own; their calibration is checked by the nested CV's Brier
score and reliability table, not adjusted.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from exomir.classify.evaluate import CvSettings, Evaluation, evaluate, folds
from exomir.classify.model import build_pipeline

REST = "rest"
POSITIVE, NEGATIVE = "positive", "negative"
# Principal components of the training distribution (at most; fewer for small cohorts).
MAX_COMPONENTS = 10


class SpecError(ValueError):
    """A model spec of the config that does not fit the sample sheet."""


@dataclass(frozen=True)
class ModelSpec:
    """Classes of a model: {class name: sheet conditions}, in order (binary: negative, positive)."""

    name: str
    classes: dict[str, tuple[str, ...]]

    @property
    def binary(self) -> bool:
        return list(self.classes) == [NEGATIVE, POSITIVE]


def model_spec(name: str, entry: Mapping[str, Any], conditions: Sequence[str], min_class_size: int) -> ModelSpec:
    """The spec of `classify.train.<name>`, checked against the sheet's conditions (each class needs at
    least `min_class_size` samples); SpecError names the key and value of every problem at once."""
    key = f"classify.train.{name}"
    known = sorted(set(conditions))
    counts = pd.Series(list(conditions)).value_counts()
    problems = []
    if "classes" in entry:
        if "positive" in entry or "negative" in entry:
            problems.append(f"{key}: give either classes or positive/negative, not both")
        classes = {str(condition): (str(condition),) for condition in entry["classes"]}
        if len(classes) < 3:
            problems.append(f"{key}.classes: a multi-class model needs at least 3 conditions (got {len(classes)})")
    else:
        negative = tuple(map(str, entry.get("negative", [])))
        positive = tuple(map(str, entry.get("positive", [])))
        if not negative or not positive:
            problems.append(f"{key}: needs positive and negative condition lists (or classes)")
        if positive == (REST,):
            positive = tuple(condition for condition in known if condition not in negative)
        classes = {NEGATIVE: negative, POSITIVE: positive}
        overlap = set(negative) & set(positive)
        if overlap:
            problems.append(f"{key}: conditions in both positive and negative: {', '.join(sorted(overlap))}")
    for label, members in classes.items():
        for condition in members:
            if condition not in known:
                problems.append(
                    f"{key} ({label}): condition {condition!r} is not in the sample sheet"
                    f" (conditions: {', '.join(known)})"
                )
        size = int(counts.reindex(list(members)).fillna(0).sum())
        if members and size < min_class_size:
            problems.append(
                f"{key} ({label}): {size} samples of {', '.join(members)},"
                f" fewer than classify.min_class_size ({min_class_size})"
            )
    if problems:
        raise SpecError("\n  ".join(problems))
    return ModelSpec(name, classes)


def class_labels(spec: ModelSpec, conditions: pd.Series) -> pd.Series:
    """Class index (0, 1, …) of each sample whose condition belongs to a class of the spec."""
    index = {condition: k for k, members in enumerate(spec.classes.values()) for condition in members}
    labels = conditions.map(index)
    return labels.dropna().astype(int)


@dataclass
class Training:
    """A trained model and its evaluation."""

    spec: ModelSpec
    artefact: dict[str, Any]
    evaluation: Evaluation
    samples: list[str]
    labels: np.ndarray


def settings_of(config: Mapping[str, Any], threads: int = 1) -> CvSettings:
    """CvSettings from the config's `classify` section."""
    grid = {"model__C": [float(c) for c in config["c_values"]], "select__k": [int(k) for k in config["select_k"]]}
    return CvSettings(
        outer_folds=config["outer_folds"],
        inner_folds=config["inner_folds"],
        grid=grid,
        permutations=config["permutations"],
        permutation_search=config["permutation_search"],
        bootstrap=config["bootstrap"],
        seed=config["seed"],
        threads=threads,
    )


def _clip_grid(grid: dict[str, list[Any]], n_features: int) -> dict[str, list[Any]]:
    ks = sorted({min(int(k), n_features) for k in grid["select__k"]})
    return {**grid, "select__k": ks}


def residuals(pca: PCA, values: np.ndarray) -> np.ndarray:
    """Mean squared PCA reconstruction residual of each row."""
    reconstructed = pca.inverse_transform(pca.transform(values))
    return ((values - reconstructed) ** 2).mean(axis=1)


def distribution_guard(preprocess: Pipeline, X: np.ndarray, seed: int) -> tuple[PCA, float, float]:  # noqa: N803
    """The PCA of the training samples after the fitted preprocessing, and the largest and the 95 % quantile
    of the training samples' out-of-fold residuals (each residual from a PCA fitted without the sample)."""
    values = preprocess.transform(X)
    n_components = max(1, min(MAX_COMPONENTS, values.shape[0] // 3, values.shape[1]))
    out_of_fold = np.zeros(len(values))
    for train, test in KFold(n_splits=5, shuffle=True, random_state=seed).split(values):
        fold = PCA(n_components=min(n_components, len(train) - 1), random_state=seed).fit(values[train])
        out_of_fold[test] = residuals(fold, values[test])
    pca = PCA(n_components=n_components, random_state=seed).fit(values)
    return pca, float(out_of_fold.max()), float(np.quantile(out_of_fold, 0.95))


def train(
    spec: ModelSpec,
    counts: pd.DataFrame,
    conditions: pd.Series,
    batches: pd.Series | None,
    config: Mapping[str, Any],
    threads: int = 1,
    log: Any = print,
) -> Training:
    """Nested CV and the final model of `spec` on `counts` (samples × precursor groups, raw counts)."""
    labels = class_labels(spec, conditions.reindex(counts.index))
    samples = list(labels.index)
    X = counts.loc[samples].to_numpy(dtype=float)  # noqa: N806
    y = labels.to_numpy()
    groups = None
    if batches is not None:
        batch_values = batches.reindex(samples).fillna("").astype(str)
        if (batch_values != "").all() and batch_values.nunique() >= 2:
            groups = batch_values.to_numpy()
    settings = settings_of(config, threads)
    pipeline = build_pipeline(config["normalisation"], config["n_features"], config["l1_ratio"], config["seed"])
    settings.grid = _clip_grid(settings.grid, min(config["n_features"], X.shape[1]))
    log(
        f"{spec.name}: {len(samples)} samples"
        f" ({', '.join(f'{k}: {int((y == i).sum())}' for i, k in enumerate(spec.classes))}),"
        f" {X.shape[1]} precursor groups, batches: {'none' if groups is None else len(set(groups))}"
    )
    evaluation = evaluate(pipeline, X, y, groups, settings, log=log)
    names = list(spec.classes)
    evaluation.metrics["metric"] = [
        f"auc_{names[int(m.rsplit('_', 1)[1])]}" if m.startswith("auc_class_") else m
        for m in evaluation.metrics["metric"]
    ]
    artefact = final_model(spec, counts, samples, y, groups, config, threads, log)
    return Training(spec, artefact, evaluation, samples, y)


def final_model(
    spec: ModelSpec,
    counts: pd.DataFrame,
    samples: list[str],
    y: np.ndarray,
    groups: np.ndarray | None,
    config: Mapping[str, Any],
    threads: int = 1,
    log: Any = print,
) -> dict[str, Any]:
    """The model file's content: the pipeline chosen by CV over all samples (folds grouped by batch),
    its features and the training distribution."""
    X = counts.loc[samples].to_numpy(dtype=float)  # noqa: N806
    names = list(spec.classes)
    settings = settings_of(config, threads)
    settings.grid = _clip_grid(settings.grid, min(config["n_features"], X.shape[1]))
    pipeline = build_pipeline(config["normalisation"], config["n_features"], config["l1_ratio"], config["seed"])
    final_cv = folds(y, groups, settings.inner_folds, settings.seed, test_needs_all=True)
    search = GridSearchCV(
        pipeline, settings.grid, scoring="roc_auc" if len(names) == 2 else "roc_auc_ovr", cv=final_cv, n_jobs=threads
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        search.fit(X, y)
    final: Pipeline = search.best_estimator_
    log(f"final model: {search.best_params_}")
    features = list(counts.columns)
    used = [features[i] for i in final.named_steps["filter"].support_]
    detected = (counts.loc[samples, used] > 0).mean(axis=1)
    pca, residual_max, residual_q95 = distribution_guard(final[:3], X, config["seed"])
    return {
        "name": spec.name,
        "pipeline": final,
        "classes": names,
        "conditions": {name: list(members) for name, members in spec.classes.items()},
        "features": features,
        "model_features": used,
        "training_coverage_min": float(detected.min()),
        "pca": pca,
        "residual_max": residual_max,
        "residual_q95": residual_q95,
        "best_params": {key: float(value) for key, value in search.best_params_.items()},
    }


def check_classify(classify: Mapping[str, Any], conditions: Sequence[str], produced: Sequence[str] = ()) -> None:
    """Every problem of the config's `classify` section at once, before any job: a model spec that does
    not fit the sheet (unknown condition, class too small) and a model file of classify.apply that is
    missing. Raises SpecError."""
    problems = []
    for name, entry in classify["train"].items():
        try:
            model_spec(name, entry, conditions, classify["min_class_size"])
        except SpecError as error:
            problems.append(str(error))
    for position, path in enumerate(classify["apply"]):
        if not Path(path).is_file() and path not in produced:
            problems.append(f"classify.apply[{position}]: model file {path} does not exist")
    if problems:
        raise SpecError("invalid classify config:\n  " + "\n  ".join(problems))
