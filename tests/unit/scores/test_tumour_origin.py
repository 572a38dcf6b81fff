"""Tumour origin on synthetic data: the model and its null, thresholds, protocols, folds, baselines and the
reason of every refusal."""

import numpy as np
import pandas as pd
import pytest

from exomir.scores.tumour_origin import (
    BELOW_THRESHOLD,
    INDETERMINATE,
    NOT_CALLED,
    OUT_OF_DISTRIBUTION,
    PROTOCOL_MISMATCH,
    QC_FAIL,
    TOO_FEW_HEALTHY,
    Assessment,
    Atlas,
    Baseline,
    Calibration,
    OriginModel,
    OriginScorer,
    Protocol,
    SampleInfo,
    call_samples,
    choose_baselines,
    donor_folds,
    feature_groups,
    min_libraries,
    mix_counts,
    upper_quantile_bound,
)

FRACTIONS = np.concatenate([[0.0], np.geomspace(0.001, 0.5, 24)])  # the model's grid in the synthetic tests


def synthetic_world(seed=0, n_features=60, n_healthy=20, depth=200_000):
    rng = np.random.default_rng(seed)
    healthy_mean = rng.dirichlet(np.ones(n_features))
    healthy = np.column_stack([rng.poisson(depth * rng.dirichlet(healthy_mean * 300)) for _ in range(n_healthy)])
    profiles = np.column_stack([rng.dirichlet(np.ones(n_features) * 0.3) for _ in range(3)])
    return rng, healthy, profiles


def no_null(n_features):
    return np.zeros((n_features, 0))


def test_model_finds_the_mixed_profile_and_its_fraction():
    rng, healthy, profiles = synthetic_world()
    model = OriginModel(healthy[:, 1:], no_null(60), profiles, ["A", "B", "C"], FRACTIONS, min_dispersion=0.01)
    mixed = mix_counts(healthy[:, 0], profiles[:, 1], 0.2, rng)
    assessment = model.assess(pd.DataFrame({"mixed": mixed, "pure": healthy[:, 0]}))
    evidence = assessment.likelihood_ratio
    assert evidence.loc["mixed"].idxmax() == "B"
    # Any profile explains the 20 % dilution of the healthy reads; where the extra reads go decides the type.
    assert evidence.loc["mixed", "B"] - evidence.loc["mixed"].drop("B").max() > 20
    assert 0.12 < assessment.fractions.loc["mixed", "B"] < 0.3
    assert evidence.loc["pure"].max() < 20  # the null is chi-square-like, a few units


def test_a_profile_in_the_null_is_not_evidence():
    """The same admixture is strong evidence when only a tumour prototype can explain it, and none once a
    null component (a blood cell, a normal tissue) of that profile exists."""
    rng, healthy, profiles = synthetic_world(seed=4)
    mixed = pd.DataFrame({"mixed": mix_counts(healthy[:, 0], profiles[:, 0], 0.1, rng)})
    without = OriginModel(healthy[:, 1:], no_null(60), profiles, ["A", "B", "C"], FRACTIONS, 0.01)
    with_null = OriginModel(healthy[:, 1:], profiles[:, [0]], profiles, ["A", "B", "C"], FRACTIONS, 0.01)
    assert without.assess(mixed).likelihood_ratio.loc["mixed", "A"] > 30
    fitted = with_null.assess(mixed)
    assert fitted.likelihood_ratio.loc["mixed", "A"] < 1
    assert 0.05 < fitted.null_weights[0, 1] < 0.3  # the null component took the 10 % (noisy healthy libraries)


def test_model_takes_the_best_prototype_of_a_label():
    rng, healthy, profiles = synthetic_world(seed=1)
    both = OriginModel(healthy[:, 1:], no_null(60), profiles, ["A", "B", "B"], FRACTIONS, min_dispersion=0.01)
    only_c = OriginModel(healthy[:, 1:], no_null(60), profiles[:, [2]], ["B"], FRACTIONS, min_dispersion=0.01)
    mixed = pd.DataFrame({"mixed": mix_counts(healthy[:, 0], profiles[:, 2], 0.1, rng)})
    assert both.assess(mixed).likelihood_ratio.loc["mixed", "B"] == pytest.approx(
        only_c.assess(mixed).likelihood_ratio.loc["mixed", "B"]
    )


def test_healthy_deviance_is_near_the_number_of_features_for_a_healthy_library():
    _, healthy, profiles = synthetic_world(seed=2, n_healthy=40)
    model = OriginModel(healthy[:, 1:], no_null(60), profiles, ["A", "B", "C"], FRACTIONS, min_dispersion=0.01)
    deviance = model.healthy_deviance(healthy[:, :1])[0]
    assert 0.3 * len(healthy) < deviance < 3 * len(healthy)
    shuffled = healthy[::-1, :1]  # another "protocol": the same reads on other features
    assert model.healthy_deviance(shuffled)[0] > 5 * deviance
    # Features outside the deviance mask do not count.
    masked = OriginModel(healthy[:, 1:], no_null(60), profiles, ["A"] * 3, FRACTIONS, 0.01, np.arange(60) < 30)
    assert masked.healthy_deviance(healthy[:, :1])[0] < deviance


def test_mix_counts_keeps_depth_and_fraction_and_biases_the_tumour():
    rng = np.random.default_rng(3)
    healthy = np.full(100, 1000)
    tumour = np.zeros(100)
    tumour[0] = 1.0
    mixed = mix_counts(healthy, tumour, 0.1, rng)
    assert abs(mixed.sum() - 100_000) < 1500
    assert abs(mixed[0] - (900 + 10_000)) < 500
    flat = np.full(100, 0.01)
    spread = [np.std(np.log2(mix_counts(healthy, flat, 1.0, rng, bias_sd_log2=sd) + 1)) for sd in (0, 2)]
    assert spread[0] < 0.1 and 1.5 < spread[1] < 2.5  # Poisson noise alone, then about σ = 2 log2


def test_the_false_call_bound_needs_45_libraries():
    assert min_libraries(0.05, 0.9) == 45
    values = np.arange(1, 91)  # 90 healthy libraries
    assert upper_quantile_bound(values, 0.95, 0.5) == 87  # about the 95th percentile itself
    assert upper_quantile_bound(values, 0.95, 0.9) == 89  # above it with 90 % confidence
    assert upper_quantile_bound(values[:45], 0.95, 0.9) == 45  # 45 libraries: their maximum
    assert np.isnan(upper_quantile_bound(values[:44], 0.95, 0.9))  # 44: no bound holds


def test_calibration_leaves_a_healthy_sample_out_of_its_own_threshold():
    none = pd.Series(dtype=float)
    calibration = Calibration(none, none, np.arange(1.0, 47.0), 100.0, 0.05, 0.9)
    assert calibration.threshold() == 46  # 46 values: their maximum
    assert calibration.threshold(leave_out=46.0) == 45  # the largest left out
    assert calibration.threshold(leave_out=1.0) == 46
    few = Calibration(none, none, np.arange(1.0, 45.0), 100.0, 0.05, 0.9)
    assert np.isnan(few.threshold())
    assert calibration.p_value(46.0) == 2 / 47 and calibration.p_value(100.0) == 1 / 47


def test_protocol_names_what_does_not_match():
    protocol = Protocol(frozenset({"plasma", "serum"}), frozenset({"truseq"}), frozenset({"Maxwell"}))
    assert protocol.mismatch("serum", "truseq", "Maxwell") == ""
    assert "biofluid urine" in protocol.mismatch("urine", "truseq", "Maxwell")
    assert "library kit nebnext" in protocol.mismatch("plasma", "nebnext", "Maxwell")
    assert "library kit not known" in protocol.mismatch("plasma", "", "Maxwell")
    assert "RNA isolation not stated" in protocol.mismatch("plasma", "truseq", "")
    assert "RNA isolation miRNeasy" in protocol.mismatch("plasma", "truseq", "miRNeasy")
    undocumented = Protocol(frozenset({"plasma"}), frozenset())
    assert undocumented.mismatch("plasma", "anything", "") == ""


def test_donor_folds_keep_a_donor_together():
    libraries = [f"l{i}" for i in range(12)]
    donors = {library: f"d{i % 4}" for i, library in enumerate(libraries)}
    folds = donor_folds(libraries, donors, folds=5, seed=0)
    assert len(folds) == 4  # four donors, four folds
    assert sorted(sum(folds, [])) == sorted(libraries)
    for fold in folds:
        assert len({donors[library] for library in fold}) == 1
    assert len(donor_folds(libraries, {}, folds=5, seed=0)) == 5  # no donors: each library its own


def sheet(**columns):
    index = columns.pop("index")
    return pd.DataFrame(columns, index=index)


def test_baselines_follow_cohort_controls_then_the_reference_without_the_samples_own_libraries():
    samples = sheet(
        index=[f"s{i}" for i in range(7)],
        biofluid=["plasma"] * 4 + ["urine"] * 2 + ["serum"],
        condition=["healthy", "Healthy ", "healthy", "cancer", "healthy", "unknown", "cancer"],
        kit=["truseq"] * 7,
        donor=["", "", "", "", "", "", "dB"],
    )
    info = SampleInfo.from_tables(samples)
    counts = pd.DataFrame(1, index=["g"], columns=samples.index)
    reference = Baseline(
        "reference",
        pd.DataFrame(1, index=["g"], columns=["s6", "r1", "r2", "r3"]),
        Protocol(frozenset({"plasma", "serum"}), frozenset({"truseq"})),
        {"s6": "dA", "r1": "dA", "r2": "dB", "r3": "dC"},
    )
    plan = choose_baselines(info, counts, reference, min_cohort_healthy=3)
    cohort, members = plan[0]
    assert cohort.name == "cohort healthy plasma" and members == ["s0", "s1", "s2", "s3"]
    assert list(cohort.counts.columns) == ["s0", "s1", "s2"] and cohort.protocol.kits == {"truseq"}
    baseline, members = plan[1]
    assert members == ["s6"]
    # s6 itself (same name) and the libraries of its donor dB are left out.
    assert list(baseline.counts.columns) == ["r1", "r3"]
    assert plan[2] == (None, ["s4", "s5"])


def test_sample_info_takes_the_detected_kit_over_the_sheet():
    samples = sheet(index=["a", "b"], biofluid=["plasma", "serum"], condition=["healthy", "x"], kit=["auto", "truseq"])
    samples = samples.astype("category")  # as AnnData's obs holds them
    qc = pd.DataFrame({"kit": ["nebnext", ""], "verdict": ["pass", "fail"]}, index=["a", "b"])
    info = SampleInfo.from_tables(samples, qc)
    assert info.kit.to_dict() == {"a": "nebnext", "b": "truseq"}
    assert info.verdict.to_dict() == {"a": "pass", "b": "fail"}
    assert info.healthy.to_dict() == {"a": True, "b": False}
    assert info.rna_isolation.to_dict() == {"a": "", "b": ""}


def test_feature_groups_map_mature_and_precursor_names():
    groups = pd.DataFrame(
        {
            "group": ["hsa-let-7a-1/hsa-let-7a-2", "hsa-let-7a-1/hsa-let-7a-2", "hsa-mir-21"],
            "precursor": ["hsa-let-7a-1", "hsa-let-7a-2", "hsa-mir-21"],
            "mirna": ["hsa-let-7a-5p", "hsa-let-7a-5p", "hsa-miR-21-5p"],
        }
    )
    mapping = feature_groups(["hsa-let-7a-2", "hsa-miR-21-5p", "piR-1", "hsa-mir-21"], groups)
    assert mapping == {
        "hsa-let-7a-2": "hsa-let-7a-1/hsa-let-7a-2",
        "hsa-miR-21-5p": "hsa-mir-21",
        "hsa-mir-21": "hsa-mir-21",
    }


def scorer_world(n_healthy=50):
    rng, healthy, profiles = synthetic_world(seed=5, n_healthy=55)
    features = [f"g{i}" for i in range(60)]
    libraries = [f"h{i}" for i in range(healthy.shape[1])]
    table = pd.DataFrame(healthy, index=features, columns=libraries)
    info = pd.DataFrame(
        {"profile": ["A:1", "B:1", "C:1"], "cancer_type": ["A", "B", "C"], "kind": ["tumour"] * 3, "n_aliquots": 10}
    )
    atlas = Atlas(pd.DataFrame(profiles, index=features, columns=info["profile"]), info)
    scorer = OriginScorer(
        table[libraries[:n_healthy]], atlas, pd.DataFrame(index=features), features, [], FRACTIONS, 0.01
    )
    return rng, table, libraries, scorer, profiles


def test_every_refusal_has_its_reason():
    rng, table, libraries, scorer, profiles = scorer_world()
    calibration = scorer.calibrate(scorer.cross_validate(5, 0), 0.05, 0.9, 3.0)
    assert calibration.n_healthy == 50 and not np.isnan(calibration.threshold())
    names = ["called", "below", "qc", "protocol", "ood"]
    unseen = table[libraries[50:]]
    counts = pd.DataFrame(
        {
            "called": mix_counts(unseen.iloc[:, 0], profiles[:, 1], 0.2, rng),
            "below": unseen.iloc[:, 1],
            "qc": unseen.iloc[:, 2],
            "protocol": unseen.iloc[:, 3],
            "ood": unseen.iloc[::-1, 4].to_numpy(),  # the same reads on other features
        },
        index=table.index,
    )
    samples = sheet(
        index=names,
        biofluid=["plasma", "plasma", "plasma", "urine", "plasma"],
        condition=["x"] * 5,
        kit=["truseq"] * 5,
    )
    qc = pd.DataFrame({"verdict": ["pass", "warn", "fail", "pass", "pass"]}, index=names)
    info = SampleInfo.from_tables(samples, qc)
    protocol = Protocol(frozenset({"plasma"}), frozenset({"truseq"}))
    calls, ranking = call_samples(scorer, calibration, scorer.assess(counts), info, "b", protocol)
    calls = calls.set_index("sample")
    assert calls.loc["called", "call"] == "B" and calls.loc["called", "reason"] == ""
    assert calls.loc["called", "p_value"] == 1 / 51
    assert (calls.loc["below", ["call", "reason"]] == [INDETERMINATE, BELOW_THRESHOLD]).all()
    assert (calls.loc["qc", ["call", "reason"]] == [NOT_CALLED, QC_FAIL]).all()
    assert (calls.loc["protocol", ["call", "reason"]] == [NOT_CALLED, PROTOCOL_MISMATCH]).all()
    assert "biofluid urine" in calls.loc["protocol", "note"]
    assert (calls.loc["ood", ["call", "reason"]] == [INDETERMINATE, OUT_OF_DISTRIBUTION]).all()
    assert calls["top_type"].notna().all() and (calls["top_type"] != calls["runner_up"]).all()
    # A p-value only where the sample may be like the baseline libraries.
    assert calls["p_value"].isna().to_dict() == {
        "called": False,
        "below": False,
        "qc": True,
        "protocol": True,
        "ood": True,
    }
    assert list(ranking.loc[ranking["sample"] == "called", "rank"]) == [1, 2, 3]


def test_too_few_healthy_libraries_get_no_calibrated_call():
    rng, table, libraries, scorer, profiles = scorer_world(n_healthy=30)
    calibration = scorer.calibrate(scorer.cross_validate(5, 0), 0.05, 0.9, 3.0)
    counts = pd.DataFrame({"strong": mix_counts(table[libraries[40]], profiles[:, 1], 0.2, rng)}, index=table.index)
    info = SampleInfo.from_tables(sheet(index=["strong"], biofluid=["plasma"], condition=["x"], kit=["truseq"]))
    calls, _ = call_samples(
        scorer, calibration, scorer.assess(counts), info, "b", Protocol(frozenset({"plasma"}), frozenset())
    )
    assert (calls.loc[0, ["call", "reason", "top_type"]] == [NOT_CALLED, TOO_FEW_HEALTHY, "B"]).all()
    assert "30 healthy libraries; the false-call bound needs 45" in calls.loc[0, "note"]


def test_assessments_concatenate_and_subset_in_order():
    frame = pd.DataFrame({"A": [1.0, 2.0]}, index=["x", "y"])
    part = Assessment(frame, frame * 0, np.array([[1.0], [0.5]]), pd.Series([3.0, 4.0], index=["x", "y"]))
    joined = Assessment.concat([part.subset(["y"]), part.subset(["x"])]).subset(["x", "y"])
    pd.testing.assert_frame_equal(joined.likelihood_ratio, frame)
    assert joined.null_weights.tolist() == [[1.0], [0.5]]
