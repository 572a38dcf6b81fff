"""Classifiers on synthetic counts whose answer is known: separable classes, shuffled labels, labels
confounded with batch, and samples that apply must refuse."""

import numpy as np
import pandas as pd
import pytest

from exomir.classify.apply import LOW_COVERAGE, NOT_CALLED, OUT_OF_DISTRIBUTION, apply_model
from exomir.classify.artefact import load_model, save_model
from exomir.classify.evaluate import sensitivity_at_specificity
from exomir.classify.features import group_counts
from exomir.classify.model import Normalise
from exomir.classify.train import SpecError, check_classify, model_spec, train

FAST = {
    "c_values": [0.1, 1.0],
    "select_k": [20, 150],
    "n_features": 150,
    "l1_ratio": 0.0,
    "normalisation": "logcpm",
    "outer_folds": 3,
    "inner_folds": 3,
    "permutations": 19,
    "permutation_search": "fixed",
    "bootstrap": 100,
    "min_class_size": 5,
    "seed": 1,
}
BINARY = {"positive": ["cancer"], "negative": ["healthy"]}


def cohort(n=60, features=200, effect=3.0, seed=0, n_classes=2, batches=4):
    """Samples × groups Poisson counts of one log-normal profile (the same for every seed); each class but
    the first has its own 20 features raised `effect`-fold. Conditions and batches alternate, so classes
    span every batch."""
    profile = np.random.default_rng(0).lognormal(0, 1.5, features)  # one cohort: one profile
    rng = np.random.default_rng(seed)
    names = ["healthy", "cancer", "other"][:n_classes]
    conditions = pd.Series([names[i % n_classes] for i in range(n)], index=[f"s{i}" for i in range(n)])
    rows = []
    for condition in conditions:
        shares = profile * rng.lognormal(0, 0.3, features)
        k = names.index(condition)
        if k:
            shares[20 * k : 20 * (k + 1)] *= effect
        rows.append(rng.poisson(shares / shares.sum() * rng.uniform(5e4, 2e5)))
    counts = pd.DataFrame(rows, index=conditions.index, columns=[f"g{j}" for j in range(features)])
    batch = pd.Series([f"b{(i // n_classes) % batches}" for i in range(n)], index=conditions.index)
    return counts, conditions, batch


def metrics(training):
    return training.evaluation.metrics.set_index("metric")["value"]


@pytest.fixture(scope="module")
def separable():
    counts, conditions, batches = cohort()
    spec = model_spec("toy", BINARY, list(conditions), 5)
    return counts, conditions, batches, train(spec, counts, conditions, batches, FAST, log=lambda _: None)


def test_separable_classes_give_an_auc_near_one_and_a_small_permutation_p(separable):
    _, _, _, training = separable
    values = metrics(training)
    assert values["auc"] > 0.95 and values["sensitivity_at_95_specificity"] > 0.8
    assert values["brier"] < 0.1
    assert values["permutation_p"] == pytest.approx(1 / 20)
    assert values["leave_one_batch_out_auc"] > 0.95
    assert values["batch_only_auc"] < 0.7  # classes span every batch
    table = training.evaluation.metrics.set_index("metric")
    assert table.loc["auc", "ci_low"] <= values["auc"] <= table.loc["auc", "ci_high"]


def test_shuffled_labels_give_an_auc_near_one_half_and_a_large_permutation_p():
    counts, conditions, batches = cohort(effect=1.0, seed=3)
    shuffled = pd.Series(np.random.default_rng(5).permutation(conditions.to_numpy()), index=conditions.index)
    spec = model_spec("null", BINARY, list(shuffled), 5)
    one_point = {**FAST, "c_values": [1.0], "select_k": [20]}  # nothing for the inner folds to choose: fast
    values = metrics(train(spec, counts, shuffled, batches, one_point, log=lambda _: None))
    assert 0.25 < values["auc"] < 0.75
    assert values["permutation_p"] > 0.1


def test_labels_confounded_with_batch_give_a_high_batch_only_auc():
    counts, conditions, _ = cohort(effect=1.0, seed=4)
    confounded = conditions.map({"healthy": "b0", "cancer": "b1"}) + pd.Series(
        [str(i % 2) for i in range(len(conditions))], index=conditions.index
    )
    spec = model_spec("confounded", BINARY, list(conditions), 5)
    settings = {**FAST, "permutations": 0, "c_values": [1.0], "select_k": [20]}
    values = metrics(train(spec, counts, conditions, confounded, settings, log=lambda _: None))
    assert values["batch_only_auc"] > 0.95


def test_a_multi_class_model_separates_three_classes():
    counts, conditions, batches = cohort(n=60, n_classes=3, seed=6, batches=3)
    spec = model_spec("types", {"classes": ["healthy", "cancer", "other"]}, list(conditions), 5)
    training = train(spec, counts, conditions, batches, {**FAST, "permutations": 0}, log=lambda _: None)
    values = metrics(training)
    assert values["auc"] > 0.9 and {"auc_healthy", "auc_cancer", "auc_other"} <= set(values.index)
    assert training.artefact["classes"] == ["healthy", "cancer", "other"]


def test_apply_calls_training_like_samples_and_refuses_low_coverage_and_outliers(separable, tmp_path):
    counts, conditions, _, training = separable
    save_model(training.artefact, tmp_path / "model.skops")
    artefact = load_model(tmp_path / "model.skops")
    new, new_conditions, _ = cohort(n=20, seed=9)
    new.index = [f"n{i}" for i in range(20)]
    low = new.iloc[[0]].copy()
    low.index = ["low"]
    low.loc["low", artefact["model_features"][: len(artefact["model_features"]) // 2]] = 0
    outlier = pd.DataFrame(
        [np.random.default_rng(2).permutation(new.iloc[1].to_numpy())], columns=new.columns, index=["odd"]
    )
    table = apply_model(artefact, pd.concat([new, low, outlier]), "toy", min_coverage=0.8, residual_factor=1.0)
    assert list(table["sample"]) == [*new.index, "low", "odd"]
    rows = table.set_index("sample")
    assert rows.loc["low", "call"] == NOT_CALLED and rows.loc["low", "reason"].startswith(LOW_COVERAGE)
    assert rows.loc["odd", "call"] == NOT_CALLED and rows.loc["odd", "reason"].startswith(OUT_OF_DISTRIBUTION)
    called = rows.loc[list(new.index)]
    assert (called["call"] != NOT_CALLED).mean() >= 0.9
    called = called[called["call"] != NOT_CALLED]
    assert called["probability"].between(0, 1).all()
    truth = new_conditions.set_axis(new.index).map({"healthy": "negative", "cancer": "positive"})
    assert (called["call"] == truth.loc[called.index]).mean() > 0.9
    # the file reproduces the trained pipeline
    assert np.allclose(
        artefact["pipeline"].predict_proba(counts.to_numpy(float)),
        training.artefact["pipeline"].predict_proba(counts.to_numpy(float)),
    )


def test_specs_name_the_key_and_value_of_every_mistake():
    conditions = ["healthy"] * 12 + ["cancer"] * 12 + ["rare"] * 3
    spec = model_spec("all", {"positive": ["rest"], "negative": ["healthy"]}, conditions, 3)
    assert spec.classes == {"negative": ("healthy",), "positive": ("cancer", "rare")}
    with pytest.raises(SpecError, match=r"classify.train.x \(positive\): condition 'cancr' is not in the sample sheet"):
        model_spec("x", {"positive": ["cancr"], "negative": ["healthy"]}, conditions, 10)
    with pytest.raises(
        SpecError, match=r"classify.train.y \(positive\): 3 samples of rare, fewer than classify.min_class_size \(10\)"
    ):
        model_spec("y", {"positive": ["rare"], "negative": ["healthy"]}, conditions, 10)
    with pytest.raises(SpecError, match=r"classify.apply\[0\]: model file /nonexistent/model.skops does not exist"):
        check_classify({"train": {}, "apply": ["/nonexistent/model.skops"], "min_class_size": 10}, conditions)


def test_mature_and_precursor_tables_meet_in_precursor_groups():
    groups = pd.DataFrame(
        {
            "group": ["hsa-mir-16-1/hsa-mir-16-2"] * 2 + ["hsa-mir-21"],
            "precursor": ["hsa-mir-16-1", "hsa-mir-16-2", "hsa-mir-21"],
            "mirna": ["hsa-miR-16-5p", "hsa-miR-16-5p", "hsa-miR-21-5p"],
        }
    )
    mature = pd.DataFrame({"a": [5, 7, 1]}, index=["hsa-miR-16-5p", "hsa-miR-21-5p", "piR-1"])
    precursor = pd.DataFrame({"a": [2, 3, 7]}, index=["hsa-mir-16-1", "hsa-mir-16-2", "hsa-mir-21"])
    assert group_counts(mature, groups).loc["a"].to_dict() == {"hsa-mir-16-1/hsa-mir-16-2": 5, "hsa-mir-21": 7}
    assert group_counts(precursor, groups).loc["a"].to_dict() == {"hsa-mir-16-1/hsa-mir-16-2": 5, "hsa-mir-21": 7}


def test_normalisations_and_the_sensitivity_at_95_specificity():
    counts = np.array([[10, 0, 90], [1, 1, 8]], dtype=float)
    logcpm = Normalise("logcpm").fit(counts).transform(counts)
    assert logcpm[0, 0] == pytest.approx(np.log2(11 / 102 * 1e6))
    clr = Normalise("clr").fit(counts).transform(counts)
    assert np.allclose(clr.sum(axis=1), 0)
    y = np.array([0] * 20 + [1] * 10)
    scores = np.r_[np.linspace(0, 1, 20), np.linspace(0.5, 2, 10)]
    # one negative above 0.95 is allowed (5 % of 20): the threshold just above 0.947 keeps 1 false positive
    assert sensitivity_at_specificity(y, scores) == pytest.approx(np.mean(np.linspace(0.5, 2, 10) > 0.947))
