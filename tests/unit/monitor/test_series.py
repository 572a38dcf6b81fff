"""Series and flags on synthetic data: a step up beyond the within-donor bound is a rise, a step down a fall,
a flat noisy series is not flagged, and the bound is the stated quantile of replicate differences."""

import numpy as np
import pandas as pd

from exomir.monitor.series import (
    FALL,
    NONE,
    RISE,
    flag_summary,
    judge,
    origin_remarks,
    patient_series,
    series_table,
)
from exomir.monitor.variation import (
    BOUNDED_SIGNATURE_METHODS,
    TOP_EVIDENCE,
    bounds,
    classifier_values,
    origin_values,
    quantile_bound,
    replicate_pairs,
    signature_values,
    variation_table,
)


def libraries(donors=5, protocols=6, replicates=3):
    rows = [
        (f"L{d}_{p}_{r}", f"D{d}", f"tube{p % 3}", f"iso{p // 3}")
        for d in range(donors)
        for p in range(protocols)
        for r in range(replicates)
    ]
    return pd.DataFrame(rows, columns=["library", "donor", "tube", "rna_isolation"])


def healthy_values(table, rng, sd=1.0):
    """One quantity: a donor level plus replicate noise of `sd`."""
    level = {donor: rng.normal(0, 5) for donor in table["donor"].unique()}
    value = [level[donor] + rng.normal(0, sd) for donor in table["donor"]]
    return pd.DataFrame({"sample": table["library"], "quantity": "signature:S:rank", "value": value})


def test_pairs_share_donor_and_protocol():
    pairs = replicate_pairs(libraries())
    assert len(pairs) == 5 * 6 * 3  # three pairs of three replicates
    table = libraries().set_index("library")
    for column in ("donor", "tube", "rna_isolation"):
        assert (table.loc[pairs["first"], column].to_numpy() == table.loc[pairs["second"], column].to_numpy()).all()
    assert len(replicate_pairs(libraries(), same=())) == 5 * 18 * 17 // 2


def test_bound_is_the_quantile_of_replicate_differences():
    rng = np.random.default_rng(0)
    variation = variation_table(healthy_values(libraries(), rng), libraries(), 0.99, min_pairs=20)
    row = variation.iloc[0]
    assert row["n_pairs"] == 90 and row["n_donors"] == 5
    # Differences of two N(0, 1) replicates: SD √2, 99 % two-sided quantile 2.58·√2 ≈ 3.6; donor levels cancel.
    assert 2.5 < row["bound"] < 5.5
    assert quantile_bound([1, 2, 3, -10], 0.5) == 3.0 and np.isnan(quantile_bound([], 0.99))
    assert np.isnan(variation_table(healthy_values(libraries(1, 1), rng), libraries(1, 1), 0.99, 20)["bound"][0])


def test_judge_rule():
    assert judge(10.0, 1.0, 4.0) == (9.0, RISE)
    assert judge(1.0, 10.0, 4.0) == (-9.0, FALL)
    assert judge(3.0, 1.0, 4.0) == (2.0, NONE)
    assert judge(3.0, 1.0, np.nan)[1] == NONE and judge(np.nan, 1.0, 4.0)[1] == NONE


def series_of(values, quantity="signature:S:rank", patient="P1", events=None):
    samples = [f"{patient}_{i}" for i in range(len(values))]
    sheet = pd.DataFrame(
        {
            "sample": samples,
            "patient": patient,
            "timepoint": [str(10 * i) for i in range(len(values))],
            "event": events or [""] * len(values),
        }
    )
    long = pd.DataFrame({"sample": samples, "quantity": quantity, "value": values})
    return patient_series(sheet), long


def test_a_step_up_is_a_rise_and_a_flat_noisy_series_is_not_flagged():
    rng = np.random.default_rng(1)
    variation = variation_table(healthy_values(libraries(), rng), libraries(), 0.99, min_pairs=20)
    bound = bounds(variation)
    flat = rng.normal(0, 1.0, 12)
    stepped = np.r_[rng.normal(0, 1.0, 4), rng.normal(12, 1.0, 4)]
    falling = np.r_[rng.normal(12, 1.0, 3), rng.normal(0, 1.0, 3)]
    for values, expected in ((flat, set()), (stepped, {RISE}), (falling, {FALL})):
        series, long = series_of(list(values))
        table = series_table(series, long, bound)
        flagged = table[table["flag"] != NONE]
        assert set(flagged["flag"]) == expected
        assert len(flagged) == len(expected)  # the step alone, not the noise around it
    table = series_table(*series_of(list(stepped)), bound)
    assert table.loc[4, "flag"] == RISE and table.loc[0, "note"] == "first sample" and np.isnan(table.loc[0, "change"])
    assert (table["bound"] == bound["signature:S:rank"]).all()


def test_quantities_without_a_bound_are_shown_not_judged():
    series, long = series_of([0.1, 0.9, 0.2], quantity="classifier:m1")
    table = series_table(series, long, {})
    assert (table["flag"] == NONE).all() and table["bound"].isna().all()
    assert table["change"].round(6).tolist()[1:] == [0.8, -0.7]


def test_unjudged_samples_and_the_summary():
    calls = pd.DataFrame({"sample": ["P1_0", "P1_1", "P1_2"], "evidence": [0.5, 30.0, 1.0]})
    ranking = pd.DataFrame(columns=["sample", "cancer_type", "evidence"])
    series, _ = series_of([0, 0, 0], events=["", "treatment start", ""])
    values = origin_values(calls, ranking)
    table = series_table(series, values, {TOP_EVIDENCE: 10.0}, {"P1_2": "protocol mismatch"})
    assert list(table["flag"]) == [NONE, RISE, NONE]
    assert table.loc[2, "note"] == "not compared: protocol mismatch" and np.isnan(table.loc[2, "value"])
    remarks = {"P1_1": "out of distribution (profile unlike the healthy baseline)"}
    remarked = series_table(series, values, {TOP_EVIDENCE: 10.0}, {}, remarks)
    assert remarked.loc[1, "flag"] == RISE and remarked.loc[1, "note"].startswith("out of distribution")
    refused = pd.DataFrame({"sample": ["x", "y"], "reason": ["out of distribution", "below threshold"]})
    assert origin_remarks(refused) == {"x": remarks["P1_1"]}
    summary = flag_summary(table)
    assert summary.loc["P1_1", "top_evidence_flag"] == RISE and summary.loc["P1_1", "rises"] == 1
    assert summary.loc["P1_1", "event"] == "treatment start"
    assert summary.loc["P1_0", "flagged"] == "first sample"


def test_classifier_and_signature_values_are_long_tables():
    applied = pd.DataFrame(
        {"sample": ["a", "b"], "model": ["crc", "crc"], "probability": [0.2, "0.9"], "call": "", "reason": ""}
    )
    values = classifier_values(applied)
    assert list(values["quantity"]) == ["classifier:crc"] * 2 and values["value"].tolist() == [0.2, 0.9]
    scores = pd.DataFrame(
        {
            "sample": ["a", "a"],
            "signature": ["S", "S"],
            "method": ["rank_single_sample", "scanpy_cohort"],
            "score": [0.1, 2],
        }
    )
    assert list(signature_values(scores, BOUNDED_SIGNATURE_METHODS)["quantity"]) == ["signature:S:rank_single_sample"]
