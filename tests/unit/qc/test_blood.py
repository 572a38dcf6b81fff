"""The healthy blood-index reference: its groups and statistics, the group a sample is judged
against, and the shipped file as the sources give it."""

import numpy as np
import pandas as pd
import pytest

from exomir.common.markers import load_markers
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.qc.blood import ReferenceError, healthy_reference, hemolysis_judgement, load_reference, reference_row
from exomir.qc.healthy import blood_reference

SHIPPED = REPO / "resources" / "bundle" / "qc" / "healthy_blood_indices.tsv"


def libraries():
    index = [f"L{i}" for i in range(8)]
    table = pd.DataFrame(
        {
            "biofluid": ["plasma"] * 6 + ["serum"] * 2,
            "tube": ["EDTA"] * 3 + ["Citrate"] * 3 + ["serum"] * 2,
            "rna_isolation": ["A", "A", "B", "A", "B", "B", "A", "B"],
            "kit": "truseq",
            "donor": ["d1", "d2", "d1", "d2", "d1", "d2", "d1", "d2"],
        },
        index=index,
    )
    metrics = pd.DataFrame(
        {"hemolysis_ratio": [5.0, 6.0, 7.0, 3.0, 4.0, np.nan, 2.0, 4.0], "rbc_log2_odds": np.arange(8.0)}, index=index
    )
    return metrics, table


def test_the_reference_has_median_and_mad_per_group():
    metrics, table = libraries()
    reference = healthy_reference(metrics, table, "test").set_index("reference")
    edta = reference.loc["3 healthy test EDTA plasma libraries"]
    assert (edta["hemolysis_ratio_median"], edta["hemolysis_ratio_mad"]) == (6.0, 1.0)
    plasma = reference.loc["6 healthy test plasma libraries"]
    assert plasma["hemolysis_ratio_libraries"] == 5 and plasma["hemolysis_ratio_median"] == 5.0  # NaN left out
    assert plasma["hemolysis_ratio_mad"] == 1.0 and plasma["donors"] == 2
    assert reference.loc["3 healthy test plasma A libraries", "rbc_log2_odds_median"] == 1.0  # L0, L1, L3
    assert "1 healthy test serum A libraries" in reference.index
    assert len(reference) == 6 + 3 + 4 + 2  # tube × kit, tube, kit, biofluid


def test_a_sample_is_judged_against_the_most_specific_group():
    reference = load_reference(SHIPPED)

    def pick(**sample):
        return reference_row(reference, sample)["reference"]

    assert (
        pick(biofluid="plasma", tube="EDTA", rna_isolation="Maxwell")
        == "15 healthy exRNAQC017 EDTA plasma Maxwell libraries"
    )
    assert pick(biofluid="plasma", tube="citrate") == "30 healthy exRNAQC017 Citrate plasma libraries"
    assert (
        pick(biofluid="plasma", rna_isolation="mirneasyspakit")
        == "30 healthy exRNAQC017 plasma miRNeasySPAkit libraries"
    )
    assert (
        pick(biofluid="plasma", tube="heparin", rna_isolation="Maxwell")
        == "30 healthy exRNAQC017 plasma Maxwell libraries"
    )
    assert pick(biofluid="serum") == "30 healthy exRNAQC017 serum libraries"
    assert reference_row(reference, {"biofluid": "urine"}) is None


def test_the_cut_off_is_median_plus_k_mad():
    group = pd.Series(
        {
            "reference": "r",
            "kit": "truseq",
            "hemolysis_ratio_median": 5.0,
            "hemolysis_ratio_mad": 0.6745,
            "rbc_log2_odds_median": 1.0,
            "rbc_log2_odds_mad": 0.6745,
        }
    )
    thresholds = {"moderate": 2.0, "high": 3.5}

    def judge(ratio):
        return hemolysis_judgement(pd.Series({"hemolysis_ratio": ratio, "rbc_log2_odds": 1.0}), group, thresholds)

    assert judge(8.49)[0] == "moderate" and judge(8.51)[0] == "hemolysed" and judge(6.9)[0] == "clean"
    assert judge(8.51)[1]["hemolysis_ratio"] == pytest.approx(3.51)
    assert "log2 CPM ratio miR-451a/miR-23a-3p 8.51 > 8.50, modified z 3.5 > 3.5 against r" in judge(8.51)[2][0]
    assert judge(np.nan)[0] == "clean" and hemolysis_judgement(group, None, thresholds)[0] == "not judged"


def test_the_shipped_reference_is_the_one_its_sources_give(tmp_path):
    data = SHARED_DATA / "expected" / "exRNAQC017"
    rebuilt = blood_reference(
        data / "allmiRs_subs.txt",
        data / "Annotation_exRNAQC017.tsv",
        REPO / "resources" / "mirbase-v22-hsa" / "mature.fa",
        load_markers(REPO / "resources" / "signatures" / "background_markers.tsv"),
    )
    shipped = load_reference(SHIPPED)
    assert shipped["reference"].tolist() == rebuilt["reference"].tolist()
    numbers = [column for column in shipped.columns if column.endswith(("_median", "_mad"))]
    assert np.allclose(shipped[numbers], rebuilt[numbers], rtol=1e-5)
    assert shipped.set_index("reference").loc["60 healthy exRNAQC017 plasma libraries", "libraries"] == 60


def test_a_reference_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "reference.tsv"
    load_reference(SHIPPED).drop(columns="rbc_log2_odds_mad").to_csv(path, sep="\t", index=False)
    with pytest.raises(ReferenceError, match="missing column.*rbc_log2_odds_mad"):
        load_reference(path)
