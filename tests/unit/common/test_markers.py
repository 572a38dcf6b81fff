"""Marker miRNAs come from the marker table, by role and marker set, never from code."""

import pandas as pd
import pytest

from exomir.common.markers import (
    BLOOD_COMPONENTS,
    MarkerError,
    blood_cell_mirnas,
    component_markers,
    hemolysis_pair,
    load_markers,
)
from exomir.devtools.runs import REPO
from exomir.qc.sample_qc import marker_metrics

MARKERS = REPO / "resources" / "signatures" / "background_markers.tsv"


def test_the_shipped_table_names_the_hemolysis_pair_and_every_component():
    markers = load_markers(MARKERS)
    assert hemolysis_pair(markers) == ("hsa-miR-451a", "hsa-miR-23a-3p")
    assert all(component_markers(markers, component) for component in BLOOD_COMPONENTS)
    assert {"hsa-miR-451a", "hsa-miR-223-3p", "hsa-miR-150-5p"} <= blood_cell_mirnas(markers)
    assert "hsa-miR-23a-3p" not in blood_cell_mirnas(markers)


def other_species(markers):
    """The shipped table with every name in another species' prefix."""
    renamed = markers.copy()
    renamed["mirna"] = renamed["mirna"].str.replace("hsa-", "mmu-", regex=False)
    return renamed


def test_another_species_table_drives_the_hemolysis_ratio_and_indices():
    markers = other_species(load_markers(MARKERS))
    counts = pd.DataFrame({"mmu-miR-451a": [127.0], "mmu-miR-23a-3p": [0.0], "mmu-miR-150-5p": [873.0]}, index=["s"])
    metrics = marker_metrics(counts, markers).loc["s"]
    assert metrics["hemolysis_ratio"] == pytest.approx(16.954, abs=1e-3)  # log2(127,001 / 1)
    assert metrics["rbc_index"] == pytest.approx(12.7) and metrics["lymphoid_index"] == pytest.approx(87.3)


def test_a_table_without_a_hemolysis_role_or_column_is_refused(tmp_path):
    markers = load_markers(MARKERS)
    with pytest.raises(MarkerError, match="role is 'hemolysis ratio denominator', found 0"):
        hemolysis_pair(markers[markers["marker_set"] != "HEMOLYSIS_REFERENCE"])
    path = tmp_path / "markers.tsv"
    markers.drop(columns="role").to_csv(path, sep="\t", index=False)
    with pytest.raises(MarkerError, match=f"{path}: missing column"):
        load_markers(path)
