"""A patient's series: each monitored quantity sample by sample in time order, the change from the previous
sample, and a flag when the change exceeds the quantity's within-donor bound (exomir.monitor.variation).

Rule: at consecutive samples s₁ (earlier) and s₂ of a patient, change = value(s₂) − value(s₁); the flag is
`rise` when change > bound, `fall` when change < −bound, else `none`. With the bound at the q quantile of the
within-donor |change|, a step without a change in disease is flagged, per quantity, in about 1 − q of cases
(1 % for q = 0.99), rise or fall. A flag says the change is larger than replicate libraries of one healthy
donor differ; it cannot say why (disease, treatment, sampling, protocol), and no flag is no evidence of
stable disease."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from exomir.monitor.variation import ORIGIN, quantity_kind

RISE, FALL, NONE = "rise", "fall", "none"
SERIES_COLUMNS = ["patient", "sample", "timepoint", "event", "quantity", "value", "change", "bound", "flag", "note"]
NO_BOUND = "no within-donor bound for this quantity"
FIRST_SAMPLE = "first sample"


def patient_series(sheet: pd.DataFrame) -> pd.DataFrame:
    """(patient, sample, timepoint, event) of every sample of a patient with at least two samples, in time
    order; empty when the sheet has no patient column."""
    columns = ["patient", "sample", "timepoint", "event"]
    if "patient" not in sheet.columns:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(
        {
            "patient": sheet["patient"].fillna("").astype(str).str.strip(),
            "sample": sheet["sample"].astype(str) if "sample" in sheet.columns else sheet.index.astype(str),
            "timepoint": pd.to_numeric(sheet.get("timepoint", pd.Series(np.nan, index=sheet.index)), errors="coerce"),
            "event": sheet.get("event", pd.Series("", index=sheet.index)).fillna("").astype(str).str.strip(),
        }
    )
    table = table[table["patient"] != ""]
    sizes = table.groupby("patient")["sample"].transform("size")
    table = table[sizes >= 2]
    return table.sort_values(["patient", "timepoint"], kind="stable").reset_index(drop=True)[columns]


def patients_with_series(sheet: pd.DataFrame) -> list[str]:
    return sorted(patient_series(sheet)["patient"].unique())


def judge(value: float, previous: float, bound: float) -> tuple[float, str]:
    """(change, flag) of one step."""
    change = value - previous
    if np.isnan(change) or np.isnan(bound):
        return change, NONE
    if change > bound:
        return change, RISE
    if change < -bound:
        return change, FALL
    return change, NONE


def series_table(
    series: pd.DataFrame,
    values: pd.DataFrame,
    bounds: Mapping[str, float],
    unjudged: Mapping[str, str] | None = None,
    remarks: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The series table: per patient, quantity and sample in time order, value, change from the previous
    sample, bound and flag. `values` is long (sample, quantity, value); `unjudged` maps samples whose
    tumour-origin evidence must not be compared (e.g. refused as another protocol) to the reason; `remarks`
    adds a note to the tumour-origin rows of a sample that is compared (e.g. out of distribution)."""
    unjudged, remarks = dict(unjudged or {}), dict(remarks or {})
    rows = []
    members = values[values["sample"].isin(set(series["sample"]))]
    for patient, samples in series.groupby("patient", sort=True):
        order = list(samples["sample"])
        info = samples.set_index("sample")
        for quantity, group in members[members["sample"].isin(order)].groupby("quantity", sort=True):
            value = group.drop_duplicates("sample").set_index("sample")["value"].reindex(order)
            bound = float(bounds.get(str(quantity), np.nan))
            is_origin = quantity_kind(str(quantity)) == ORIGIN
            previous, previous_sample = np.nan, None
            for sample in order:
                current = float(value[sample])
                note = NO_BOUND if np.isnan(bound) else ""
                if is_origin and sample in unjudged:
                    current, note = np.nan, f"not compared: {unjudged[sample]}"
                elif is_origin and sample in remarks:
                    note = "; ".join(filter(None, [note, remarks[sample]]))
                if previous_sample is None:
                    change, flag = np.nan, NONE
                    note = "; ".join(filter(None, [FIRST_SAMPLE, note]))
                else:
                    change, flag = judge(current, previous, bound)
                    if not note and np.isnan(change):
                        note = "no value at this or the previous sample"
                rows.append(
                    (
                        patient,
                        sample,
                        info.loc[sample, "timepoint"],
                        info.loc[sample, "event"],
                        quantity,
                        current,
                        change,
                        bound,
                        flag,
                        note,
                    )
                )
                previous, previous_sample = current, sample
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def unjudged_samples(calls: pd.DataFrame, reference_name: str = "reference") -> dict[str, str]:
    """Samples whose tumour-origin evidence is not comparable with the within-donor bound: not scored against
    the reference baseline the bound was measured on, or refused before scoring (protocol, QC)."""
    reasons = {}
    for row in calls.itertuples(index=False):
        if row.call == "not_called" and row.reason in ("protocol mismatch", "QC fail", "not configured"):
            reasons[str(row.sample)] = str(row.reason)
        elif row.baseline != reference_name:
            reasons[str(row.sample)] = f"scored against baseline '{row.baseline}', not the reference the bound is of"
    return reasons


def origin_remarks(calls: pd.DataFrame) -> dict[str, str]:
    """Samples compared although their tumour origin was refused as out of distribution: a tumour can make a
    profile unlike the healthy baseline, so the change counts, and the note says so."""
    refused = calls[calls["reason"] == "out of distribution"]
    return {str(sample): "out of distribution (profile unlike the healthy baseline)" for sample in refused["sample"]}


def flag_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per patient and sample (after the first): the flagged quantities, for the report."""
    rows = []
    for (patient, sample), group in table.groupby(["patient", "sample"], sort=False):
        rises = sorted(group.loc[group["flag"] == RISE, "quantity"])
        falls = sorted(group.loc[group["flag"] == FALL, "quantity"])
        first = group["note"].str.startswith(FIRST_SAMPLE).all()
        top = group[group["quantity"] == f"{ORIGIN}:top"]
        rows.append(
            {
                "sample": sample,
                "patient": patient,
                "timepoint": group["timepoint"].iloc[0],
                "event": group["event"].iloc[0],
                "top_evidence": top["value"].iloc[0] if len(top) else np.nan,
                "top_evidence_change": top["change"].iloc[0] if len(top) else np.nan,
                "top_evidence_flag": top["flag"].iloc[0] if len(top) else NONE,
                "rises": len(rises),
                "falls": len(falls),
                "flagged": FIRST_SAMPLE
                if first
                else "; ".join([f"rise {q}" for q in rises] + [f"fall {q}" for q in falls]),
            }
        )
    return pd.DataFrame(rows).set_index("sample") if rows else pd.DataFrame()
