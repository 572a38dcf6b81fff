"""Validation of monitoring on simulated series: held-out TCGA tumours mixed into the libraries of one
exRNAQC017 donor that the tumour-origin baseline and the within-donor bounds have never seen, at a tumour
fraction that falls after an event and rises again later; and the same donor's libraries without a tumour.

Used by tests/workflow/test_monitor.py and bench/monitor_validation.py; this module only measures."""

from collections.abc import Collection, Sequence
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd

from exomir.devtools.origin_validation import BUNDLE, split_by_donor
from exomir.monitor.series import (
    FALL,
    FIRST_SAMPLE,
    NONE,
    RISE,
    origin_remarks,
    patient_series,
    series_table,
    unjudged_samples,
)
from exomir.monitor.variation import ORIGIN, TOP_EVIDENCE, bounds, origin_quantity, origin_values, variation_table
from exomir.scores.tumour_origin import Atlas, References, SampleInfo, mix_counts, score_baseline

PROTOCOL = ["tube", "rna_isolation"]


def without_types(references: References, excluded: Collection[str]) -> References:
    """`references` with the tumour prototypes of the `excluded` cancer types left out, as the workflow's
    `tumour_origin.excluded_types` leaves them out (exomir.devtools.origin_validation.load_references keeps
    every type)."""
    info = references.atlas.info
    keep = info[~(info["cancer_type"].isin(list(excluded)) & (info["kind"] == "tumour"))]
    return replace(references, atlas=Atlas(references.atlas.profiles[list(keep["profile"])], keep))


def library_table() -> pd.DataFrame:
    return pd.read_csv(BUNDLE / "healthy_baselines" / "libraries.tsv", sep="\t", dtype=str, keep_default_na=False)


def simulated_series(
    references: References,
    params: SimpleNamespace,
    holdout: pd.DataFrame,
    fractions: Sequence[float] = (0.03, 0.001, 0.03),
    tumours_per_type: int = 2,
    bias_sd_log2: float = 1.0,
    quantile: float = 0.99,
    min_origin_change: float = 1.0,
    seed: int = 1,
) -> dict[str, pd.DataFrame]:
    """Series tables and the variation they were judged by.

    The baseline is split by donor (exomir.devtools.origin_validation.split_by_donor: 4 donors in, 1 out);
    the bounds come from replicate pairs (same donor, tube and RNA isolation) of the 4 baseline donors, their
    evidence scored out of fold. Each tumour series takes the replicates of one protocol of the held-out
    donor, one per timepoint, and mixes the tumour at `fractions` (one per timepoint; event 'treatment start'
    at the second). Tumour-free series: the replicates of each protocol of the held-out donor as they are.
    The types of `params.excluded_types` are left out of the atlas, as in the workflow.
    Returns {"variation", "tumour" (series table), "truth" (patient → cancer type), "healthy"}."""
    rng = np.random.default_rng(seed)
    references = without_types(references, params.excluded_types)
    baseline, outside = split_by_donor(references, baseline_donors=4)
    libraries = library_table()
    held = libraries[libraries["library"].isin(outside)]
    groups = [sorted(members["library"]) for _, members in held.groupby(PROTOCOL, sort=True)]
    replicates = [group for group in groups if len(group) >= len(fractions)]
    profiles = holdout.drop(columns="cancer_type").astype(float)
    universe = baseline.counts.index.union(profiles.columns)
    recipients = references.reference.counts[outside].reindex(universe).fillna(0)
    columns, sheet, truth = {}, [], {}
    types = sorted(set(references.atlas.tumour_types) & set(holdout["cancer_type"]))
    number = 0
    for cancer_type in types:
        for barcode in holdout.index[holdout["cancer_type"] == cancer_type][:tumours_per_type]:
            patient = f"{cancer_type}-{barcode}"
            tumour = profiles.loc[barcode].reindex(universe).fillna(0)
            chosen = replicates[number % len(replicates)]
            number += 1
            for step, (library, fraction) in enumerate(zip(chosen, fractions)):
                name = f"{patient}@{step}"
                columns[name] = mix_counts(recipients[library], tumour, fraction, rng, bias_sd_log2)
                sheet.append((name, patient, 30 * step, "treatment start" if step == 1 else ""))
            truth[patient] = cancer_type
    for index, group in enumerate(groups):
        for step, library in enumerate(group):
            sheet.append((library, f"healthy-{index}", 30 * step, ""))
    counts = pd.concat([pd.DataFrame(columns, index=universe), recipients], axis=1)
    scored = list(columns) + list(outside) + list(baseline.counts.columns)
    isolation = next(iter(baseline.protocol.rna_isolation), "")
    info = SampleInfo.from_tables(
        pd.DataFrame({"biofluid": "plasma", "condition": "", "kit": "truseq", "rna_isolation": isolation}, index=scored)
    )
    calls, ranking, _ = score_baseline(references, baseline, counts, scored, info, params)
    values = origin_values(calls, ranking)
    inside = set(baseline.counts.columns)
    variation = variation_table(
        values[values["sample"].isin(inside)], libraries, quantile, 20, PROTOCOL, {ORIGIN: min_origin_change}
    )
    series = patient_series(pd.DataFrame(sheet, columns=["sample", "patient", "timepoint", "event"]))
    # As rule monitor_series judges them: refused samples are not compared, out of distribution ones are.
    judged = values[~values["sample"].isin(inside)]
    table = series_table(
        series, judged, bounds(variation), unjudged_samples(calls, baseline.name), origin_remarks(calls)
    )
    healthy = table[table["patient"].str.startswith("healthy-")]
    return {"variation": variation, "tumour": table.drop(healthy.index), "truth": pd.Series(truth), "healthy": healthy}


def detection(tumour: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """Per tumour series: whether the top evidence, the true type's evidence and any tumour-origin quantity
    were flagged at the fall and at the rise (the steps to the second and the third sample), and both."""
    rows = []
    for patient, cancer_type in truth.items():
        series = tumour[tumour["patient"] == patient]
        for name, quantity in (("top", TOP_EVIDENCE), ("true_type", origin_quantity(cancer_type))):
            flags = list(series.loc[series["quantity"] == quantity, "flag"])
            rows.append(
                {
                    "patient": patient,
                    "cancer_type": cancer_type,
                    "quantity": name,
                    "fall": flags[1] == FALL,
                    "rise": flags[2] == RISE,
                }
            )
        steps = series[series["quantity"].str.startswith(f"{ORIGIN}:")]
        flags = steps.pivot_table(index="sample", columns="quantity", values="flag", aggfunc="first")
        order = sorted(flags.index, key=lambda sample: int(sample.rsplit("@", 1)[1]))
        rows.append(
            {
                "patient": patient,
                "cancer_type": cancer_type,
                "quantity": "any",
                "fall": bool((flags.loc[order[1]] == FALL).any()),
                "rise": bool((flags.loc[order[2]] == RISE).any()),
            }
        )
    table = pd.DataFrame(rows)
    table["both"] = table["fall"] & table["rise"]
    return table


def false_flags(healthy: pd.DataFrame) -> pd.DataFrame:
    """Steps of the tumour-free series (the first sample of each has no step): per quantity group (top
    evidence; each type's evidence; any tumour-origin quantity of a step), steps and flagged steps."""
    steps = healthy[~healthy["note"].str.startswith(FIRST_SAMPLE)]
    top = steps[steps["quantity"] == TOP_EVIDENCE]
    types = steps[steps["quantity"] != TOP_EVIDENCE]
    flagged_steps = steps.groupby(["patient", "sample"])["flag"].agg(lambda flags: bool((flags != NONE).any()))
    return pd.DataFrame(
        [
            {"quantity": "top evidence", "steps": len(top), "flagged": int((top["flag"] != NONE).sum())},
            {"quantity": "evidence per type", "steps": len(types), "flagged": int((types["flag"] != NONE).sum())},
            {"quantity": "any", "steps": len(flagged_steps), "flagged": int(flagged_steps.sum())},
        ]
    ).assign(rate=lambda table: table["flagged"] / table["steps"])
