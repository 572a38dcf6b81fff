"""Blood in a sample on the sequencing scale: the healthy reference of the blood indices and the
judgement of a sample against it.

Hemolysis (plasma, serum) is judged by two read-scale indices, each against the healthy libraries
of the sample's protocol rather than against qPCR cut-offs (Shah 2016's ΔCq 5 and 7 are Cq
differences, not read ratios):

- `hemolysis_ratio`: log2((CPM miR-451a + 1) / (CPM miR-23a-3p + 1)), the read analogue of the qPCR
  ratio of Blondal 2013; measured only when the denominator has `MIN_MARKER_READS` reads.
- `rbc_log2_odds`: log2 of red-cell marker reads over the other miRNA reads (the red-cell index,
  which is a percentage, on an unbounded scale; red-cell miRNAs rise 20-30x with hemolysis,
  Pritchard 2012).

The reference (resources/bundle/qc/healthy_blood_indices.tsv, rule bundle_qc_reference) holds the
median and MAD of both indices over the 90 exRNAQC017 libraries of healthy donors, per biofluid,
blood collection tube and RNA isolation kit and each coarser grouping; a sample is judged against
the most specific group its sample sheet allows (`tube`, `rna_isolation`). Its modified z
(Iglewicz & Hoaglin 1993) is the judgement: median + k·MAD with k = z / 0.6745.

Urine: a high red-cell share means blood in the urine (hematuria), a finding to report (a sign
of bladder and kidney disease), not a handling error.
"""

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

# Iglewicz & Hoaglin (1993): modified z = 0.6745 (x − median) / MAD; 0.6745 makes MAD estimate the SD.
MAD_SCALE = 0.6745
# A marker with fewer reads is not measured: its Poisson coefficient of variation, 1/sqrt(10) = 32 %,
# is already 0.45 on the log2 scale (project choice; the same 10 reads as the complexity count).
MIN_MARKER_READS = 10
# The indices judged against the healthy reference, with the scale each is on.
JUDGED_INDICES = {
    "hemolysis_ratio": "log2 CPM ratio miR-451a/miR-23a-3p",
    "rbc_log2_odds": "log2 odds of red-cell miRNA reads",
}
GROUP_COLUMNS = ["biofluid", "tube", "rna_isolation"]
REFERENCE_COLUMNS = [
    "reference",
    *GROUP_COLUMNS,
    "kit",
    "libraries",
    "donors",
    *(f"{index}_{stat}" for index in JUDGED_INDICES for stat in ("libraries", "median", "mad")),
]
HEMOLYSIS_BIOFLUIDS = ("plasma", "serum")


class ReferenceError(ValueError):
    """A blood-index reference that lacks a column."""


def healthy_reference(metrics: pd.DataFrame, libraries: pd.DataFrame, source: str) -> pd.DataFrame:
    """Median and MAD of the judged indices per group of healthy libraries.

    `metrics`: marker metrics per library (marker_metrics); `libraries`: per library (index) its
    biofluid, tube, rna_isolation, kit and donor. Groups: biofluid × tube × isolation kit, biofluid ×
    tube, biofluid × isolation kit and biofluid; an empty field matches any sample."""
    table = libraries.join(metrics, how="inner")
    rows = []
    for keys in (GROUP_COLUMNS, ["biofluid", "tube"], ["biofluid", "rna_isolation"], ["biofluid"]):
        for values, members in table.groupby(keys):
            group = dict(zip(keys, values))
            row = {column: group.get(column, "") for column in GROUP_COLUMNS}
            tube = row["tube"] if row["tube"] != row["biofluid"] else ""  # serum is its own tube
            words = [f"{len(members)} healthy {source}", tube, row["biofluid"], row["rna_isolation"], "libraries"]
            row["reference"] = " ".join(word for word in words if word)
            row["kit"] = ";".join(sorted(set(members["kit"])))
            row["libraries"] = len(members)
            row["donors"] = members["donor"].nunique()
            for index in JUDGED_INDICES:
                values_of = members[index].dropna()
                median = values_of.median()
                row[f"{index}_libraries"] = len(values_of)
                row[f"{index}_median"] = median
                row[f"{index}_mad"] = (values_of - median).abs().median()
            rows.append(row)
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def load_reference(path: str | os.PathLike) -> pd.DataFrame:
    """The blood-index reference; raises naming the file when a column is missing."""
    reference = pd.read_csv(
        path, sep="\t", keep_default_na=False, na_values=[""], dtype={c: str for c in GROUP_COLUMNS}
    )
    missing = [column for column in REFERENCE_COLUMNS if column not in reference.columns]
    if missing:
        raise ReferenceError(f"{path}: missing column(s) {', '.join(missing)}")
    reference[GROUP_COLUMNS] = reference[GROUP_COLUMNS].fillna("")
    return reference


def reference_row(reference: pd.DataFrame, sample: Mapping[str, Any]) -> pd.Series | None:
    """The most specific reference group of a sample (its biofluid, and its tube and RNA isolation kit
    where the sheet gives them and the reference has them); None when its biofluid has none."""
    matches = reference["biofluid"] == str(sample.get("biofluid", ""))
    for column in ("tube", "rna_isolation"):
        value = sample.get(column)
        given = "" if value is None or pd.isna(value) else str(value).lower()
        matches &= (reference[column] == "") | (reference[column].str.lower() == given)
    candidates = reference[matches]
    if candidates.empty:
        return None
    specificity = (candidates[["tube", "rna_isolation"]] != "").sum(axis=1)
    return candidates.loc[specificity.idxmax()]


def modified_z_against(value: float, median: float, mad: float) -> float:
    """Modified z of one value against a reference median and MAD (NaN without spread or value)."""
    if not mad > 0 or pd.isna(value):
        return np.nan
    return MAD_SCALE * (value - median) / mad


def hemolysis_judgement(
    metrics: pd.Series, reference: pd.Series | None, thresholds: Mapping[str, float]
) -> tuple[str, dict[str, float], list[str]]:
    """(class, modified z per judged index, findings) of a plasma or serum sample.

    Class: "hemolysed" when an index's modified z exceeds `high`, "moderate" above `moderate`, else
    "clean"; "not judged" without a reference or a measurable index."""
    if reference is None:
        return "not judged", {}, []
    scores = {
        index: modified_z_against(metrics[index], reference[f"{index}_median"], reference[f"{index}_mad"])
        for index in JUDGED_INDICES
    }
    measured = {index: score for index, score in scores.items() if not pd.isna(score)}
    if not measured:
        return "not judged", scores, []
    worst = max(measured.values())
    findings = []
    for index, score in measured.items():
        if score > thresholds["high"]:
            cut = reference[f"{index}_median"] + thresholds["high"] / MAD_SCALE * reference[f"{index}_mad"]
            findings.append(
                f"{JUDGED_INDICES[index]} {metrics[index]:.2f} > {cut:.2f}, modified z {score:.1f} > "
                f"{thresholds['high']} against {reference['reference']} (median {reference[f'{index}_median']:.2f}, "
                f"MAD {reference[f'{index}_mad']:.2f}; library kit {reference['kit']})"
            )
    if worst > thresholds["high"]:
        return "hemolysed", scores, findings
    return ("moderate" if worst > thresholds["moderate"] else "clean"), scores, findings


def hematuria_class(rbc_index: float, thresholds: Mapping[str, float]) -> str:
    """Blood in urine from the red-cell share of miRNA reads (per cent)."""
    if pd.isna(rbc_index):
        return "not judged"
    if rbc_index > thresholds["high"]:
        return "hematuria"
    return "possible" if rbc_index > thresholds["possible"] else "none"
