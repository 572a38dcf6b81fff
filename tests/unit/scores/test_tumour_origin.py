"""Tumour origin on synthetic data: the model, mixtures, thresholds, Platt scaling and the choice of baselines."""

import numpy as np
import pandas as pd
import pytest

from exomir.scores.tumour_origin import (
    OriginModel,
    choose_baselines,
    mix_counts,
    platt_scaling,
    upper_quantile_bound,
)

FRACTIONS = np.concatenate([[0.0], np.geomspace(0.001, 0.5, 24)])  # the model's grid in the synthetic tests


def synthetic_world(seed=0, n_features=60, n_healthy=20, depth=200_000):
    rng = np.random.default_rng(seed)
    healthy_mean = rng.dirichlet(np.ones(n_features))
    healthy = np.column_stack([rng.poisson(depth * rng.dirichlet(healthy_mean * 300)) for _ in range(n_healthy)])
    profiles = np.column_stack([rng.dirichlet(np.ones(n_features) * 0.3) for _ in range(3)])
    return rng, healthy, profiles


def test_model_finds_the_mixed_profile_and_its_fraction():
    rng, healthy, profiles = synthetic_world()
    model = OriginModel(healthy[:, 1:], profiles, ["A", "B", "C"], FRACTIONS, min_dispersion=0.01)
    mixed = mix_counts(healthy[:, 0], profiles[:, 1], 0.2, rng)
    evidence, fractions = model.evidence(pd.DataFrame({"mixed": mixed, "pure": healthy[:, 0]}))
    assert evidence.loc["mixed"].idxmax() == "B"
    # Any profile explains the 20 % dilution of the healthy reads; where the extra reads go decides the type.
    assert evidence.loc["mixed", "B"] - evidence.loc["mixed"].drop("B").max() > 20
    assert 0.12 < fractions.loc["mixed", "B"] < 0.3
    # a healthy library far less than a mixed one; the null is chi-square-like, a few units
    assert evidence.loc["pure"].max() < 20


def test_model_takes_the_best_prototype_of_a_label():
    rng, healthy, profiles = synthetic_world(seed=1)
    both = OriginModel(healthy[:, 1:], profiles, ["A", "B", "B"], FRACTIONS, min_dispersion=0.01)
    only_c = OriginModel(healthy[:, 1:], profiles[:, [2]], ["B"], FRACTIONS, min_dispersion=0.01)
    mixed = pd.DataFrame({"mixed": mix_counts(healthy[:, 0], profiles[:, 2], 0.1, rng)})
    assert both.evidence(mixed)[0].loc["mixed", "B"] == pytest.approx(only_c.evidence(mixed)[0].loc["mixed", "B"])


def test_healthy_deviance_is_near_the_number_of_features_for_a_healthy_library():
    _, healthy, profiles = synthetic_world(seed=2, n_healthy=40)
    model = OriginModel(healthy[:, 1:], profiles, ["A", "B", "C"], FRACTIONS, min_dispersion=0.01)
    deviance = model.healthy_deviance(healthy[:, :1])[0]
    assert 0.3 * len(healthy) < deviance < 3 * len(healthy)
    shuffled = healthy[::-1, :1]  # another "protocol": the same reads on other features
    assert model.healthy_deviance(shuffled)[0] > 5 * deviance


def test_mix_counts_keeps_depth_and_fraction():
    rng = np.random.default_rng(3)
    healthy = np.full(100, 1000)
    tumour = np.zeros(100)
    tumour[0] = 1.0
    mixed = mix_counts(healthy, tumour, 0.1, rng)
    assert abs(mixed.sum() - 100_000) < 1500
    assert abs(mixed[0] - (900 + 10_000)) < 500


def test_platt_scaling_rises_with_the_score():
    score = np.linspace(0, 5, 200)
    correct = score > 2.5
    intercept, slope = platt_scaling(score, correct)
    assert slope > 0
    assert intercept + slope * 1 < 0 < intercept + slope * 4
    assert platt_scaling(np.array([]), np.array([])) == (0.0, 0.0)


def test_threshold_bound_is_a_high_order_statistic():
    values = np.arange(1, 91)  # 90 healthy libraries
    assert upper_quantile_bound(values, 0.95, 0.5) == 87  # about the 95th percentile itself
    assert upper_quantile_bound(values, 0.95, 0.9) == 89  # above it with 90 % confidence
    assert upper_quantile_bound(values[:20], 0.95, 0.9) == 20  # few libraries: their maximum


def test_baselines_follow_cohort_controls_then_the_reference():
    samples = pd.DataFrame(
        {
            "biofluid": ["plasma"] * 4 + ["urine"] * 2 + ["serum"],
            "condition": ["healthy", "Healthy ", "healthy", "cancer", "healthy", "unknown", "cancer"],
        },
        index=[f"s{i}" for i in range(7)],
    )
    plan = choose_baselines(samples, ["plasma", "serum"], min_cohort_healthy=3)
    assert plan["cohort healthy plasma"] == (["s0", "s1", "s2", "s3"], ["s0", "s1", "s2"])
    assert plan["reference"] == (["s6"], None)
    assert plan[None] == (["s4", "s5"], None)
