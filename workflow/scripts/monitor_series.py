"""Rule monitor_series: the series table, one figure per patient and the report table
(exomir.monitor.series, exomir.monitor.plot)."""

import sys

import pandas as pd

from exomir.common.tables import read_sample_table, write_tsv
from exomir.monitor.plot import plot_patient
from exomir.monitor.series import (
    SERIES_COLUMNS,
    flag_summary,
    origin_remarks,
    patient_series,
    series_table,
    unjudged_samples,
)
from exomir.monitor.variation import bounds, classifier_values, origin_values, signature_values
from exomir.report.tables import write_mqc_table

REPORT_DESCRIPTION = (
    "Research use only. Per patient and sample, the tumour-origin top evidence, its change from the previous"
    " sample and the quantities whose change exceeds their within-donor bound (rise: possible recurrence; fall:"
    " possible response). A flag says a change is larger than replicate libraries of one healthy donor differ,"
    " not why; no flag is no evidence of stable disease. docs/usage.md#monitoring-a-patient"
)


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs = snakemake.input
    series = patient_series(pd.DataFrame(snakemake.params.sheet, dtype=object))
    calls = read_sample_table(inputs.calls, index=False)
    values = [
        origin_values(calls, read_sample_table(inputs.ranking, index=False)),
        signature_values(read_sample_table(inputs.scores, index=False)),
    ]
    if inputs.applied:
        values.append(classifier_values(read_sample_table(inputs.applied, index=False)))
    variation = pd.read_csv(inputs.variation, sep="\t")
    values = pd.concat(values, ignore_index=True)
    table = series_table(series, values, bounds(variation), unjudged_samples(calls), origin_remarks(calls))
    write_tsv(table[SERIES_COLUMNS], snakemake.output.series, index=False, float_format="%.6g")
    write_mqc_table(
        flag_summary(table), snakemake.output.report, "exomir_monitor", "exomir: monitoring", REPORT_DESCRIPTION
    )
    for patient in snakemake.params.patients:
        paths = [path for path in snakemake.output.plots if path.rsplit("/", 1)[-1].rsplit(".", 1)[0] == patient]
        plot_patient(table, patient, paths)
    flagged = table[table["flag"] != "none"]
    print(f"{series['patient'].nunique()} patients, {len(table)} rows, {len(flagged)} flagged", file=sys.stderr)
    print(flagged.to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
