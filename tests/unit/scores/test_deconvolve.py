"""Deconvolution: the tissue reference, the design matrix and the recovery of a known mixture."""

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.counts.features import FeatureLookup
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.scores.deconvolve import deconvolve, design_matrix, load_reference

REFERENCE = SHARED_DATA / "scoring" / "tissue-atlas-miRTS" / "Signature_matrix.csv"

TISSUES = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["score"]["tissues"]

MARKERS = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")


def test_default_tissues_are_the_plasma_detectable_seventeen():
    reference = load_reference(REFERENCE, TISSUES)
    assert reference.shape == (257, 17)
    assert not {"testis", "muscle", "thyroid", "pleurae", "esophagus", "vein"} & set(reference.columns)


def test_unknown_tissue_names_the_file(tmp_path):
    with pytest.raises(ValueError, match=rf"{REFERENCE}: no column for tissue\(s\) retina"):
        load_reference(REFERENCE, ["liver", "retina"])


def test_tissue_without_expression_names_the_file(tmp_path):
    reference = pd.DataFrame({"liver": [1.0, 2.0], "lung": [0.0, 0.0]}, index=["hsa-miR-122-5p", "hsa-miR-21-5p"])
    path = tmp_path / "reference.csv"
    reference.to_csv(path)
    with pytest.raises(ValueError, match=rf"{path}: no expression in tissue\(s\) lung"):
        load_reference(path, ["liver", "lung"])
    assert list(load_reference(path, ["liver"]).columns) == ["liver"]


def test_design_has_unit_columns_for_blood_cell_markers():
    reference = load_reference(REFERENCE, TISSUES)
    design, components = design_matrix(reference, MARKERS)
    blood = MARKERS[MARKERS["marker_set"].isin(["RBC", "MYELOID", "PLATELET", "LYMPHOID"])]
    assert design.shape[1] == 17 + len(blood)
    assert components.count("red_cells") == 5 and components.count("lymphocytes") == 3
    assert np.allclose(design.sum(), 1.0)
    assert design.loc["hsa-miR-451a", "hsa-miR-451a"] == 1.0


def test_known_mixture_is_recovered():
    """Counts drawn from 85 % red-cell markers, 10 % liver and 5 % lung profiles."""
    reference = load_reference(REFERENCE, TISSUES)
    design, _ = design_matrix(reference, MARKERS)
    red_cells = pd.Series(0.0, index=design.index)
    red_cells[["hsa-miR-486-5p", "hsa-miR-451a", "hsa-miR-16-5p", "hsa-miR-92a-3p"]] = [0.5, 0.2, 0.2, 0.1]
    truth = 0.85 * red_cells + 0.10 * design["liver"] + 0.05 * design["lung"]
    rng = np.random.default_rng(0)
    counts = pd.DataFrame([rng.poisson(truth * 2_000_000)], index=["mix"], columns=design.index)
    counts["hsa-miR-not-in-reference"] = 500_000
    table = deconvolve(counts, reference, MARKERS).loc["mix"]
    assert table["red_cells"] == pytest.approx(0.85, abs=0.02)
    assert table["liver"] == pytest.approx(0.10, abs=0.02)
    assert table["lung"] == pytest.approx(0.05, abs=0.02)
    assert table["unexplained"] < 0.02
    assert table["fit_r2"] > 0.99
    assert table["reference_reads_share"] == pytest.approx(0.8, abs=0.01)


def test_precursor_counts_meet_the_mature_reference_through_their_precursors():
    """The known mixture again, its features renamed to one precursor each and its 5p/3p pairs summed:
    the shares of precursor-level counts are those of the same reads counted per precursor."""
    reference = load_reference(REFERENCE, TISSUES)
    design, _ = design_matrix(reference, MARKERS)
    truth = 0.8 * design["hsa-miR-451a"] + 0.2 * design["liver"]
    counts = pd.DataFrame([np.round(truth * 1_000_000)], index=["mix"], columns=design.index)
    precursor = {mirna: mirna.lower().removesuffix("-5p").removesuffix("-3p") for mirna in design.index}
    pairs = pd.DataFrame({"mirna": list(precursor), "precursor": list(precursor.values())})
    lookup = FeatureLookup.from_pairs("precursor", pairs)
    by_precursor = counts.T.groupby(precursor).sum().T
    table = deconvolve(by_precursor, reference, MARKERS, lookup).loc["mix"]
    assert table["red_cells"] == pytest.approx(0.8, abs=0.02)
    assert table["liver"] == pytest.approx(0.2, abs=0.05)
    assert table["reference_reads_share"] == pytest.approx(1.0)
