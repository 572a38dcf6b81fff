"""The background marker table (resources/signatures/background_markers.tsv): blood-cell marker
miRNAs and the hemolysis ratio pair, each row with its citation.

Every stage takes marker miRNAs from the table, never from code, so another species (or
another marker choice) is a table of its own. The table's `role` column names the hemolysis
ratio's numerator and denominator; its `marker_set` column groups the blood-cell markers.
"""

import os
from dataclasses import dataclass

import pandas as pd

MARKER_COLUMNS = ("marker_set", "cell_type", "mirna", "role", "citation")
HEMOLYSIS_NUMERATOR_ROLE = "hemolysis ratio numerator"
HEMOLYSIS_DENOMINATOR_ROLE = "hemolysis ratio denominator"


@dataclass(frozen=True)
class BloodComponent:
    """A blood-cell component: its name in deconvolution, its QC index and its marker sets."""

    name: str
    qc_index: str
    marker_sets: tuple[str, ...]


# Red cells; myeloid cells with platelets (Pritchard 2012 measured them together); lymphocytes.
BLOOD_COMPONENTS = (
    BloodComponent("red_cells", "rbc_index", ("RBC",)),
    BloodComponent("myeloid_platelets", "myeloid_platelet_index", ("MYELOID", "PLATELET")),
    BloodComponent("lymphocytes", "lymphoid_index", ("LYMPHOID",)),
)


class MarkerError(ValueError):
    """A marker table that lacks a column or a role."""


def load_markers(path: str | os.PathLike) -> pd.DataFrame:
    """The marker table; raises naming the file when a column is missing."""
    markers = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [column for column in MARKER_COLUMNS if column not in markers.columns]
    if missing:
        raise MarkerError(f"{path}: missing column(s) {', '.join(missing)}")
    return markers


def component_markers(markers: pd.DataFrame, component: BloodComponent) -> list[str]:
    """The marker miRNAs of one blood-cell component, in table order."""
    return list(markers.loc[markers["marker_set"].isin(component.marker_sets), "mirna"])


def blood_cell_mirnas(markers: pd.DataFrame) -> set[str]:
    """Every blood-cell marker miRNA of the table."""
    return {mirna for component in BLOOD_COMPONENTS for mirna in component_markers(markers, component)}


def _with_role(markers: pd.DataFrame, role: str) -> str:
    found = markers.loc[markers["role"].str.contains(role, regex=False), "mirna"].unique()
    if len(found) != 1:
        raise MarkerError(f"marker table: expected one miRNA whose role is '{role}', found {len(found)}")
    return str(found[0])


def hemolysis_pair(markers: pd.DataFrame) -> tuple[str, str]:
    """(numerator, denominator) miRNAs of the hemolysis ratio, by their role in the table."""
    return _with_role(markers, HEMOLYSIS_NUMERATOR_ROLE), _with_role(markers, HEMOLYSIS_DENOMINATOR_ROLE)
