"""Tumour origin with the atlas, baseline and groups the shared exRNAQC run built from the full default
configuration: in-silico mixtures of held-out TCGA tumours into held-out healthy exRNAQC libraries,
hemolysis robustness, one-sample cohorts and the real exRNAQC samples."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.devtools.runs import REPO
from exomir.qc.sample_qc import marker_metrics
from exomir.references.precursor_groups import sum_by_group
from exomir.scores.tumour_origin import (
    INDETERMINATE,
    NOT_CALLED,
    References,
    call_samples,
    mix_counts,
    mixture_trials,
)

RED_CELL_MIRNAS = ["hsa-miR-451a", "hsa-miR-486-5p", "hsa-miR-16-5p", "hsa-miR-92a-3p"]

HELD_OUT_HEALTHY = 30


def _markers():
    return pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")


@pytest.fixture(scope="module")
def origin(exrnaqc_run):
    """Scorer on the exRNAQC baseline minus HELD_OUT_HEALTHY libraries, set up and calibrated with the
    default config as the workflow does."""
    results = exrnaqc_run / "results"
    references = References.load(
        results / "references" / "precursor_groups.tsv",
        results / "references" / "healthy_baseline.tsv",
        results / "references" / "atlas" / "tcga_profiles.tsv",
        results / "references" / "atlas" / "tcga_profile_info.tsv",
        results / "references" / "atlas" / "tcga_holdout.tsv.gz",
        REPO / "resources" / "signatures" / "background_markers.tsv",
        REPO / "resources" / "signatures" / "literature_signatures.tsv",
    )
    params = SimpleNamespace(**yaml.safe_load((REPO / "config" / "config.yaml").read_text())["tumour_origin"])
    libraries = list(np.random.default_rng(7).permutation(references.baseline.columns))
    held_out, kept = libraries[:HELD_OUT_HEALTHY], libraries[HELD_OUT_HEALTHY:]
    scorer = references.scorer(references.baseline[kept], params)
    healthy_mature = pd.read_csv(results / "references" / "healthy_baseline.tsv", sep="\t", index_col="mirna")
    return {
        "scorer": scorer,
        "calibration": references.calibrate(scorer, params),
        "holdout": references.holdout,
        "groups": references.groups,
        "healthy": references.baseline[held_out],
        "healthy_mature": healthy_mature[held_out],
        "excluded": references.excluded_groups,
    }


def test_atlas_holds_out_its_mixture_tumours(exrnaqc_run, origin):
    atlas_info = pd.read_csv(exrnaqc_run / "results" / "references" / "atlas" / "tcga_profile_info.tsv", sep="\t")
    tumour_types = set(atlas_info.loc[atlas_info["kind"] == "tumour", "cancer_type"])
    assert len(tumour_types) >= 25
    assert {"COADREAD", "LIHC", "BRCA", "PRAD", "LUAD"} <= tumour_types
    assert not {"COAD", "READ", "GBM"} & tumour_types  # merged; GBM has no primary tumour in this table
    samples = pd.read_csv(
        REPO.parent / "shared" / "data" / "scoring" / "tcga-mirnaseq" / "tcga_mirna_samples.tsv",
        sep="\t",
        index_col="barcode",
    )
    held_patients = set(samples.loc[origin["holdout"].index, "patient"])
    n_atlas = atlas_info.loc[atlas_info["kind"] == "tumour", "n_aliquots"].sum()
    assert 0.15 < len(held_patients) / samples["patient"].nunique() < 0.25
    assert n_atlas + len(origin["holdout"]) <= (samples["sample_type_code"].isin([1, 3])).sum()


@pytest.mark.parametrize("fraction, min_accuracy", [(0.1, 0.7)])
def test_mixtures_rank_the_true_type_first(origin, fraction, min_accuracy):
    trials = mixture_trials(
        origin["scorer"],
        origin["calibration"],
        origin["healthy"],
        origin["holdout"],
        [fraction],
        tumours_per_type=4,
        skip=2,
        seed=11,
    )
    per_type = (trials["top_type"] == trials["true_type"]).groupby(trials["true_type"]).mean()
    accuracy = (trials["top_type"] == trials["true_type"]).mean()
    print(
        f"{fraction:.0%} tumour: {accuracy:.3f} of {len(trials)} mixtures over {len(per_type)} types; "
        f"per type {per_type.round(2).to_dict()}"
    )
    assert len(per_type) >= 10
    assert accuracy >= min_accuracy
    assert (trials["call"] == INDETERMINATE).mean() < 0.05  # 10 % tumour stands out


def test_pure_healthy_profiles_are_indeterminate(origin):
    trials = mixture_trials(
        origin["scorer"],
        origin["calibration"],
        origin["healthy"],
        origin["holdout"],
        [0.0],
        tumours_per_type=0,
        skip=0,
        seed=0,
    )
    rate = (trials["call"] == INDETERMINATE).mean()
    print(f"held-out healthy libraries called indeterminate: {rate:.3f} of {len(trials)}")
    assert len(trials) == HELD_OUT_HEALTHY
    assert rate >= 0.9


def test_red_cell_signal_raises_hemolysis_but_keeps_the_call(origin):
    scorer, calibration, groups = origin["scorer"], origin["calibration"], origin["groups"]
    ratios = marker_metrics(origin["healthy_mature"].T, _markers())["hemolysis_ratio"]
    mature = origin["healthy_mature"][ratios.nsmallest(6).index].copy()  # clearly clean libraries
    hemolysed = mature.copy()
    # Red-cell miRNAs 20-30x higher in hemolysed plasma (Pritchard 2012): raise them 30-fold.
    hemolysed.loc[RED_CELL_MIRNAS] *= 30
    before, after = marker_metrics(mature.T, _markers()), marker_metrics(hemolysed.T, _markers())
    assert (after["hemolysis_ratio"] > before["hemolysis_ratio"] + 4.5).all()
    assert (after["hemolysis_ratio"] > 7).all() and (before["hemolysis_ratio"] < 7).all()

    # Each library also with 10 % tumour of one type, then the same red-cell excess on its groups.
    holdout = origin["holdout"]
    tumour_types = ["LIHC", "PRAD", "THCA", "LGG", "KIRC", "SKCM"]
    rng = np.random.default_rng(5)
    base = sum_by_group(mature, groups)
    universe = base.index.union(holdout.columns.drop("cancer_type"))
    profiles = holdout.drop(columns="cancer_type").astype(float)
    mixed = pd.DataFrame(
        {
            f"{library}+{cancer_type}": mix_counts(
                base.reindex(universe).fillna(0)[library],
                profiles.loc[holdout.index[holdout["cancer_type"] == cancer_type][0]].reindex(universe).fillna(0),
                0.1,
                rng,
            )
            for library, cancer_type in zip(base.columns, tumour_types)
        },
        index=universe,
    )
    cohort = pd.concat([base.reindex(universe).fillna(0), mixed], axis=1)
    red_cell_groups = sorted({groups[mirna] for mirna in RED_CELL_MIRNAS})
    assert set(red_cell_groups) <= origin["excluded"]
    raised = cohort.copy()
    raised.loc[red_cell_groups] *= 30
    samples = pd.DataFrame({"biofluid": "plasma"}, index=cohort.columns)
    calls_before, _ = call_samples(scorer, calibration, cohort, samples, "reference", {})
    calls_after, _ = call_samples(scorer, calibration, raised, samples, "reference", {})
    pd.testing.assert_series_equal(calls_before["call"], calls_after["call"])
    assert (calls_before["call"].iloc[6:].to_numpy() == tumour_types).sum() >= 4
    assert (calls_before["call"].iloc[:6] == INDETERMINATE).sum() >= 5


def test_a_single_sample_gets_a_call_or_indeterminate(origin):
    scorer, calibration = origin["scorer"], origin["calibration"]
    holdout = origin["holdout"]
    one = origin["healthy"].iloc[:, [0]]
    universe = one.index.union(holdout.columns.drop("cancer_type"))
    tumour = holdout.drop(columns="cancer_type").astype(float).loc[holdout.index[holdout["cancer_type"] == "THCA"][1]]
    for counts, expected in ((one, {INDETERMINATE}), (None, {"THCA"})):
        if counts is None:
            mixed = mix_counts(
                one.reindex(universe).fillna(0).iloc[:, 0],
                tumour.reindex(universe).fillna(0),
                0.2,
                np.random.default_rng(2),
            )
            counts = pd.DataFrame({"one": mixed}, index=universe)
        samples = pd.DataFrame({"biofluid": "serum"}, index=counts.columns)
        calls, ranking = call_samples(scorer, calibration, counts, samples, "reference", {})
        assert len(calls) == 1 and set(calls["call"]) == expected
        assert list(ranking["rank"]) == list(range(1, len(scorer.cancer_types) + 1))
        if expected != {INDETERMINATE}:
            assert 0.5 < calls["confidence"].iloc[0] <= 1
            assert calls["tumour_vs_normal"].iloc[0] > 0  # tumour fits better than normal thyroid


def test_failed_qc_gets_no_call(origin):
    counts = origin["healthy"].iloc[:, :2]
    samples = pd.DataFrame({"biofluid": "plasma"}, index=counts.columns)
    calls, _ = call_samples(
        origin["scorer"],
        origin["calibration"],
        counts,
        samples,
        "reference",
        {counts.columns[0]: "fail", counts.columns[1]: "warn"},
    )
    assert calls["call"].tolist()[0] == NOT_CALLED
    assert "QC verdict fail" in calls["note"].iloc[0]
    assert calls["call"].iloc[1] != NOT_CALLED


def test_real_exrnaqc_samples_are_indeterminate(exrnaqc_run):
    calls = pd.read_csv(exrnaqc_run / "results" / "scores" / "tumour_origin.tsv", sep="\t", index_col="sample")
    print(calls[["qc_verdict", "call", "evidence", "threshold", "residual_deviance"]].to_string())
    assert list(calls.index) == ["RNA014937", "RNA014938", "RNA014939"]
    assert (calls["call"] == INDETERMINATE).all()
    assert (calls["baseline"] == "reference").all()
    assert (calls["evidence"] < calls["threshold"]).all()
    calibration = pd.read_csv(exrnaqc_run / "results" / "scores" / "tumour_origin_calibration.tsv", sep="\t")
    assert calibration.loc[0, "n_healthy"] == 90 and calibration.loc[0, "platt_slope"] > 0


def test_every_multi_precursor_group_in_tcga_reaches_the_profiles(exrnaqc_run):
    references = exrnaqc_run / "results" / "references"
    groups = pd.read_csv(references / "precursor_groups.tsv", sep="\t")
    renames = pd.read_csv(REPO / "resources" / "signatures" / "tcga_precursor_renames.tsv", sep="\t", dtype=str)
    tcga = pd.read_csv(
        REPO.parent / "shared" / "data" / "scoring" / "tcga-mirnaseq" / "tcga_mirna_rpm.tsv.gz", sep="\t", nrows=0
    ).columns
    renamed = set(tcga) | set(renames.iloc[:, 1])
    shared = groups[groups["precursor"].isin(renamed)]
    multi = {group for group, members in shared.groupby("group")["precursor"] if members.nunique() > 1}
    profiles = pd.read_csv(references / "atlas" / "tcga_profiles.tsv", sep="\t", index_col="group")
    assert len(multi) >= 80 and "hsa-let-7a-1/hsa-let-7a-2/hsa-let-7a-3" in multi  # 88 in miRBase v22
    assert multi <= set(profiles.index), sorted(multi - set(profiles.index))[:10]
