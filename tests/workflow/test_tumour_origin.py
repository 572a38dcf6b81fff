"""Tumour origin on real data, with the references the shared exRNAQC run built from the full default
configuration. The thresholds are the issue's, stated before measuring: at most 5 % of healthy libraries
called a cancer under a protocol shift, and at least 95 % specificity on a real cohort; the mixture
thresholds are set below the values measured when the model was written (docs/methods.md), so that a
regression shows.

Healthy libraries are never scored against a baseline that holds them: the protocol shift scores one RNA
isolation kit's libraries against the other's, the mixtures go into libraries of donors outside the
baseline, and a cohort's own healthy samples are scored out of fold."""

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.devtools.origin_validation import (
    HEALTHY,
    cohort_metrics,
    default_params,
    gse71008,
    gse71008_calls,
    is_called,
    load_references,
    mixture_metrics,
    protocol_shift_calls,
    split_by_donor,
)
from exomir.devtools.runs import REPO
from exomir.qc.blood import hemolysis_judgement, load_reference, reference_row
from exomir.qc.sample_qc import judged_indices, marker_metrics
from exomir.scores.tumour_origin import (
    BELOW_THRESHOLD,
    OUT_OF_DISTRIBUTION,
    PROTOCOL_MISMATCH,
    SampleInfo,
    mix_counts,
    score_baseline,
)

RED_CELL_MIRNAS = ["hsa-miR-451a", "hsa-miR-486-5p", "hsa-miR-16-5p", "hsa-miR-92a-3p"]


@pytest.fixture(scope="module")
def references(exrnaqc_run):
    return load_references(exrnaqc_run / "results" / "references")


@pytest.fixture(scope="module")
def params():
    return default_params()


@pytest.fixture(scope="module")
def holdout(exrnaqc_run):
    return pd.read_csv(
        exrnaqc_run / "results" / "references" / "atlas" / "tcga_holdout.tsv.gz", sep="\t", index_col="barcode"
    )


def test_atlas_holds_out_its_mixture_tumours(exrnaqc_run, holdout):
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
    held_patients = set(samples.loc[holdout.index, "patient"])
    n_atlas = atlas_info.loc[atlas_info["kind"] == "tumour", "n_aliquots"].sum()
    assert 0.15 < len(held_patients) / samples["patient"].nunique() < 0.25
    assert n_atlas + len(holdout) <= (samples["sample_type_code"].isin([1, 3])).sum()


@pytest.mark.parametrize("baseline_isolation", ["Maxwell", "miRNeasySPAkit"])
def test_protocol_shift_calls_at_most_5_percent_of_healthy_libraries(references, params, baseline_isolation):
    calls = protocol_shift_calls(references, params, baseline_isolation, declare_isolation=False)
    called = is_called(calls)
    print(
        f"{baseline_isolation} baseline: {called.sum()} of {len(calls)} called",
        calls["reason"].value_counts().to_dict(),
    )
    assert len(calls) == 45 and (calls["baseline_libraries"] == 45).all()
    assert called.mean() <= 0.05
    assert set(calls.loc[~called, "reason"]) <= {BELOW_THRESHOLD, OUT_OF_DISTRIBUTION}
    # Stated honestly, the other kit is refused as another protocol.
    declared = protocol_shift_calls(references, params, baseline_isolation, declare_isolation=True)
    assert (declared["reason"] == PROTOCOL_MISMATCH).all()
    assert declared["note"].str.contains("RNA isolation").all()


def test_gse71008_cohort_baseline_holds_95_percent_specificity(references, params):
    calls, ranking = gse71008_calls(references, params, "cohort")
    _, samples = gse71008()
    metrics = cohort_metrics(calls, ranking, samples["truth"])
    print(metrics.to_string())
    healthy = samples.index[samples["truth"] == HEALTHY]
    # Scored out of fold, and judged by a threshold their own value did not set.
    assert (calls.loc[healthy, "baseline_libraries"] == 49).all()
    assert (calls.drop(healthy)["baseline_libraries"] == 50).all()
    assert metrics.loc[HEALTHY, "n"] == 50 and metrics.loc[HEALTHY, "specificity"] >= 0.95
    assert set(metrics.index) == {HEALTHY, "COADREAD", "PRAD", "PAAD"}
    assert metrics.loc["COADREAD", "n"] == 99 and metrics.loc["PRAD", "n"] == 36
    for column in ("sensitivity", "top1", "top3", "auc"):
        assert metrics[column].drop(HEALTHY).between(0, 1).all()


@pytest.mark.parametrize("declared", [{}, {"kit": "truseq", "rna_isolation": "Maxwell"}])
def test_gse71008_against_the_reference_is_refused_or_specific(references, params, declared):
    calls, ranking = gse71008_calls(references, params, "reference", **declared)
    _, samples = gse71008()
    healthy = samples.index[samples["truth"] == HEALTHY]
    print(declared, calls["reason"].value_counts().to_dict())
    # Counts of another pipeline without a stated kit are another protocol; stated as the baseline's, their
    # profiles are far from it (another pipeline and precursor-level counts).
    refused = calls["reason"].isin([PROTOCOL_MISMATCH, OUT_OF_DISTRIBUTION])
    assert refused.all() or 1 - is_called(calls.loc[healthy]).mean() >= 0.95
    if not declared:
        assert (calls["reason"] == PROTOCOL_MISMATCH).all()


# Measured when the model was written (3 tumours per type, 93 mixtures): true type first 0.48 / 0.44 / 0.50 and
# called as the true type 0.17 / 0.17 / 0.05.
@pytest.mark.parametrize(
    "fraction, bias, spikes, min_first, min_called",
    [(0.01, 0.0, False, 0.35, 0.08), (0.01, 1.0, True, 0.3, 0.08), (0.1, 1.0, True, 0.35, None)],
)
def test_mixtures_of_unseen_tumours_into_unseen_donors(
    references, params, holdout, fraction, bias, spikes, min_first, min_called
):
    metrics = mixture_metrics(references, params, holdout, [0, fraction], 3, bias, spikes).set_index("fraction")
    print(metrics.round(3).to_string())
    assert metrics.loc[0, "called"] <= 0.05  # the recipient libraries themselves
    assert metrics.loc[fraction, "n"] >= 60
    assert metrics.loc[fraction, "true_type_first"] >= min_first
    if min_called is not None:
        assert metrics.loc[fraction, "called_true_type"] >= min_called


def test_red_cell_signal_raises_hemolysis_but_keeps_the_calls(exrnaqc_run, references, params, holdout):
    """Red-cell miRNAs are features of the model, so a 30-fold excess in a library, with or without tumour
    reads, moves their counts; the null's red-cell component must take it and leave the calls alone."""
    baseline, outside = split_by_donor(references, baseline_donors=3)
    mature = pd.read_csv(exrnaqc_run / "results" / "references" / "healthy_baseline.tsv", sep="\t", index_col="mirna")
    markers = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")
    ratios = marker_metrics(mature[outside].T, markers)["hemolysis_ratio"]
    clean = list(ratios.nsmallest(6).index)
    hemolysed = mature[clean].copy()
    hemolysed.loc[RED_CELL_MIRNAS] *= 30  # red-cell miRNAs 20-30x higher in hemolysed plasma (Pritchard 2012)
    # the sample QC's call, against the healthy libraries of each library's protocol
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    qc = config["qc"]
    reference = load_reference(REPO / qc["blood_reference"])
    protocols = pd.read_csv(REPO / config["score"]["healthy_baseline_libraries"], sep="\t", index_col="library")

    def hemolysis_calls(counts):
        indices = judged_indices(marker_metrics(counts.T, markers))
        return [
            hemolysis_judgement(
                indices.loc[library], reference_row(reference, protocols.loc[library]), qc["hemolysis"]
            )[0]
            for library in counts.columns
        ]

    assert hemolysis_calls(hemolysed) == ["hemolysed"] * 6
    assert "hemolysed" not in hemolysis_calls(mature[clean])

    scorer = references.scorer(baseline, params)
    red_cell_groups = list(references.group_counts(mature.loc[RED_CELL_MIRNAS]).index)
    assert set(red_cell_groups) <= set(scorer.features)
    # Each clean library, and the same library with 10 % of one held-out tumour's reads.
    rng = np.random.default_rng(5)
    groups = references.group_counts(mature[clean])
    profiles = holdout.drop(columns="cancer_type").astype(float)
    universe = groups.index.union(profiles.columns)
    groups = groups.reindex(universe).fillna(0)
    before = {}
    for library, cancer_type in zip(clean, ["LIHC", "PRAD", "THCA", "LGG", "KIRC", "SKCM"]):
        tumour = profiles.loc[holdout.index[holdout["cancer_type"] == cancer_type][0]].reindex(universe).fillna(0)
        before[library] = groups[library]
        before[f"{library}+{cancer_type}"] = mix_counts(groups[library], tumour, 0.1, rng)
    before = pd.DataFrame(before, index=universe)
    after = before.copy()
    after.loc[red_cell_groups] *= 30
    sheet = pd.DataFrame(
        {"biofluid": "plasma", "condition": "", "kit": "truseq", "rna_isolation": "Maxwell"}, index=before.columns
    )
    info = SampleInfo.from_tables(sheet)
    results = [
        score_baseline(references, baseline, table, list(table.columns), info, params)[0].set_index("sample")
        for table in (before, after)
    ]
    shown = ["call", "reason", "top_type", "evidence", "null_components"]
    print(pd.concat({"before": results[0][shown], "after": results[1][shown]}, axis=1).to_string())
    red_cells = results[1]["null_components"].str.extract(r"red_cells ([0-9.]+)")[0].astype(float)
    assert (red_cells > 0.5).all()  # the excess is most of each library's reads, and the null says so
    pd.testing.assert_series_equal(results[0]["call"], results[1]["call"])
    pd.testing.assert_series_equal(results[0]["reason"], results[1]["reason"])
    # The top type of a call stays; below the threshold the ranking is noise and may change.
    called = is_called(results[0])
    assert called.sum() >= 1
    pd.testing.assert_series_equal(results[0].loc[called, "top_type"], results[1].loc[called, "top_type"])


def test_real_exrnaqc_samples_are_scored_without_themselves(exrnaqc_run):
    calls = pd.read_csv(exrnaqc_run / "results" / "scores" / "tumour_origin.tsv", sep="\t", index_col="sample")
    print(calls[["qc_verdict", "call", "reason", "top_type", "evidence", "threshold", "p_value"]].to_string())
    assert list(calls.index) == ["RNA014937", "RNA014938", "RNA014939"]
    assert (calls["baseline"] == "reference").all()
    assert (calls["baseline_libraries"] == 87).all()  # the 90 libraries less the three samples themselves
    assert (calls["reason"] == BELOW_THRESHOLD).all()
    assert (calls["evidence"] < calls["threshold"]).all() and (calls["p_value"] > 0.05).all()
    calibration = pd.read_csv(exrnaqc_run / "results" / "scores" / "tumour_origin_calibration.tsv", sep="\t")
    assert calibration.loc[0, "n_healthy"] == 87 and calibration.loc[0, "needed"] == 45


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
