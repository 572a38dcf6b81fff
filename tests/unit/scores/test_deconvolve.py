"""Deconvolution: the tissue reference, merging of indistinguishable profiles, real blood-cell profiles, the
recovery of held-out mixtures with bootstrap intervals and the comparison with healthy libraries."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.common.markers import load_markers
from exomir.devtools.mirbase import mirbase_groups
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.scores.deconvolve import (
    blood_profiles,
    bootstrap_shares,
    deconvolve,
    design_matrix,
    group_table,
    healthy_comparison,
    load_reference,
    merge_indistinguishable,
    overlap,
)

REFERENCE = SHARED_DATA / "scoring" / "tissue-atlas-miRTS" / "Signature_matrix.csv"
SCORE = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["score"]
TISSUES = SCORE["tissues"]
ATLAS = REPO / "resources" / "bundle" / "atlas"
MARKERS = load_markers(REPO / "resources" / "signatures" / "background_markers.tsv")
SMOOTH_MUSCLE = "artery+bladder+bowel+stomach"
TISSUES_AFTER_MERGING = [SMOOTH_MUSCLE] + [t for t in TISSUES if t not in SMOOTH_MUSCLE.split("+")]


@pytest.fixture(scope="module")
def groups():
    return mirbase_groups()


@pytest.fixture(scope="module")
def atlas():
    profiles = pd.read_csv(ATLAS / "tcga_profiles.tsv", sep="\t", index_col="group")
    return profiles, pd.read_csv(ATLAS / "tcga_profile_info.tsv", sep="\t")


@pytest.fixture(scope="module")
def design(groups, atlas):
    blood = blood_profiles(*atlas)
    return design_matrix(groups, load_reference(REFERENCE, TISSUES), MARKERS, blood, SCORE["deconvolution_min_overlap"])


def test_default_tissues_are_the_plasma_detectable_seventeen():
    reference = load_reference(REFERENCE, TISSUES)
    assert reference.shape == (257, 17)
    assert not {"testis", "muscle", "thyroid", "pleurae", "esophagus", "vein"} & set(reference.columns)


def test_unknown_tissue_names_the_file():
    with pytest.raises(ValueError, match=rf"{REFERENCE}: no column for tissue\(s\) retina"):
        load_reference(REFERENCE, ["liver", "retina"])


def test_tissue_without_expression_names_the_file(tmp_path):
    reference = pd.DataFrame({"liver": [1.0, 2.0], "lung": [0.0, 0.0]}, index=["hsa-miR-122-5p", "hsa-miR-21-5p"])
    path = tmp_path / "reference.csv"
    reference.to_csv(path)
    with pytest.raises(ValueError, match=rf"{path}: no expression in tissue\(s\) lung"):
        load_reference(path, ["liver", "lung"])
    assert list(load_reference(path, ["liver"]).columns) == ["liver"]


def test_merging_by_hand():
    shares = pd.DataFrame({"a": [0.5, 0.5, 0.0], "b": [0.5, 0.5, 0.0], "c": [0.0, 0.1, 0.9]}, index=["x", "y", "z"])
    assert overlap(shares).loc["a", "c"] == pytest.approx(np.sqrt(0.05))
    merged, members = merge_indistinguishable(shares, 0.99)
    assert members == {"a+b": ["a", "b"], "c": ["c"]}
    assert merged["a+b"].tolist() == [0.5, 0.5, 0.0]
    _, members = merge_indistinguishable(shares, 0.2)  # complete linkage: every pair reaches 0.2
    assert members == {"a+b+c": ["a", "b", "c"]}


def test_smooth_muscle_tissues_are_merged_and_the_design_is_better_conditioned(design, groups, atlas):
    assert design.merged[SMOOTH_MUSCLE] == ["artery", "bladder", "bowel", "stomach"]
    assert [name for name in design.merged if "+" in name] == [SMOOTH_MUSCLE]
    assert design.condition_before > 60 and design.condition_after < 30
    unmerged = design_matrix(groups, load_reference(REFERENCE, TISSUES), MARKERS, blood_profiles(*atlas), 1.0)
    assert len(unmerged.merged) == 17 + 2 and unmerged.condition_after == pytest.approx(design.condition_before)
    # the white-cell columns are the aliquot-weighted means of their atlas profiles, which the bootstrap draws from
    for column, (shares, weights) in design.alternatives.items():
        assert np.allclose(shares.to_numpy() @ weights, design.matrix[column].to_numpy())
    assert sorted(design.alternatives) == ["lymphoid_dlbc", "myeloid_laml"]
    assert [len(weights) for _, weights in design.alternatives.values()] == [4, 2]


def test_blood_cells_are_profiles_except_red_cells(design, groups):
    components = list(dict.fromkeys(design.components))
    assert {"myeloid_laml", "lymphoid_dlbc", "red_cell_markers"} <= set(components)
    assert not {"myeloid_platelet_markers", "lymphocyte_markers"} & set(components)
    # one unit column per precursor group of the five red-cell markers
    assert design.components.count("red_cell_markers") == 5
    assert np.allclose(design.matrix.sum(), 1.0)
    # a profile, not a unit column: LAML spreads over hundreds of groups
    assert (design.matrix["myeloid_laml"] > 1e-4).sum() > 100
    # without the atlas every blood-cell set is a marker read share
    markers_only = design_matrix(groups, pd.DataFrame(), MARKERS, None, 0.95)
    assert set(markers_only.components) == {"red_cell_markers", "myeloid_platelet_markers", "lymphocyte_markers"}


def held_out_mixture(design, rng, depth=2_000_000):
    """Reads of a hold-out LAML and a hold-out DLBC aliquot (tcga_holdout.tsv.gz: not behind the design's LAML
    and DLBC columns) and red-cell marker reads: 50 / 20 / 30 %."""
    holdout = pd.read_csv(ATLAS / "tcga_holdout.tsv.gz", sep="\t", index_col="barcode")
    features = design.matrix.index
    aliquots = [
        holdout.loc[holdout["cancer_type"] == kind].iloc[0].drop("cancer_type").astype(float)
        for kind in ("LAML", "DLBC")
    ]
    red_cells = design.matrix.loc[:, [c == "red_cell_markers" for c in design.components]].sum(axis=1)
    parts = [(aliquots[0], 0.5), (aliquots[1], 0.2), (red_cells, 0.3)]
    truth = sum(
        fraction * profile.reindex(features, fill_value=0) / profile.reindex(features).sum()
        for profile, fraction in parts
    )
    return pd.DataFrame([rng.poisson(truth * depth)], index=["mix"], columns=features)


def test_held_out_mixture_is_recovered_with_intervals(design):
    counts = held_out_mixture(design, np.random.default_rng(0))
    table, intervals = deconvolve(counts, design, bootstraps=50, seed=1)
    shares = table.loc["mix"]
    # the two white-cell profiles overlap (Bhattacharyya 0.83): their sum is recovered closely, the split less so
    assert shares["myeloid_laml"] + shares["lymphoid_dlbc"] == pytest.approx(0.7, abs=0.02)
    assert shares["myeloid_laml"] == pytest.approx(0.5, abs=0.1)
    assert shares["lymphoid_dlbc"] == pytest.approx(0.2, abs=0.1)
    assert shares["red_cell_markers"] == pytest.approx(0.3, abs=0.02)
    assert shares[TISSUES_AFTER_MERGING].sum() < 0.08
    by_component = intervals.set_index("component")
    assert (by_component["low"] <= by_component["share"] + 1e-12).all()
    assert (by_component["share"] <= by_component["high"] + 1e-12).all()
    # white cells: the interval holds the choice among the type's atlas profiles, and here the truth
    for component, truth in (("myeloid_laml", 0.5), ("lymphoid_dlbc", 0.2)):
        assert by_component.loc[component, "low"] <= truth <= by_component.loc[component, "high"], component
    # with the mean profiles only, the same reads give an interval of counting noise that misses the truth
    _, counting = deconvolve(counts, replace(design, alternatives={}), bootstraps=50, seed=1)
    counting = counting.set_index("component")
    width = counting.loc["lymphoid_dlbc", "high"] - counting.loc["lymphoid_dlbc", "low"]
    assert 0 < width < 0.02 and not counting.loc["lymphoid_dlbc", "low"] <= 0.2 <= counting.loc["lymphoid_dlbc", "high"]


def test_bootstrap_is_seeded_and_its_counting_noise_narrows_with_depth(design):
    counts = held_out_mixture(design, np.random.default_rng(0), depth=20_000).loc["mix"]
    design = replace(design, alternatives={})  # counting noise alone
    first = bootstrap_shares(design, counts, 40, np.random.default_rng(3))
    again = bootstrap_shares(design, counts, 40, np.random.default_rng(3))
    pd.testing.assert_frame_equal(first, again)
    deeper = bootstrap_shares(design, counts * 16, 40, np.random.default_rng(3))
    # 16x the reads: about a quarter of the spread (Poisson)
    assert deeper["lymphoid_dlbc"].std() < 0.5 * first["lymphoid_dlbc"].std()


def test_precursor_and_mature_counts_meet_the_design_through_their_groups(design, groups):
    """The same reads counted per mature and per precursor give the same shares (the groups hold both)."""
    pairs = groups.drop_duplicates("mirna")
    rng = np.random.default_rng(5)
    mature = pd.DataFrame([rng.poisson(50, len(pairs))], index=["s"], columns=pairs["mirna"])
    precursor = mature.T.groupby(pairs.set_index("mirna")["precursor"]).sum().T
    by_mature, _ = deconvolve(group_table(mature, groups), design)
    by_precursor, _ = deconvolve(group_table(precursor, groups), design)
    pd.testing.assert_frame_equal(by_mature, by_precursor)


def test_shares_are_set_against_healthy_libraries_of_the_same_biofluid():
    intervals = pd.DataFrame({"sample": ["p", "u", "h1"], "component": ["liver"] * 3, "share": [0.3, 0.3, 0.1]}).assign(
        low=np.nan, high=np.nan
    )
    healthy = pd.DataFrame({"liver": [0.1, 0.2, 0.4, 0.5]}, index=["h1", "h2", "h3", "h4"])
    biofluids = pd.Series({"p": "Plasma", "u": "urine", "h1": "plasma"})
    healthy.loc["h4", "liver"] = 0.3  # a tie counts half
    table = healthy_comparison(intervals, biofluids, healthy, {"plasma": ["h1", "h2", "h3", "h4"]}).set_index("sample")
    assert table.loc["p", "healthy_n"] == 4 and table.loc["p", "healthy_median"] == pytest.approx(0.25)
    assert table.loc["p", "healthy_percentile"] == pytest.approx(100 * (2 + 0.5) / 4)
    assert table.loc["u", "healthy_n"] == 0 and np.isnan(table.loc["u", "healthy_median"])
    # a healthy library is not compared with itself
    assert table.loc["h1", "healthy_n"] == 3 and table.loc["h1", "healthy_percentile"] == 0.0
