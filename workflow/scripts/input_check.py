"""Rule input_check: every sample's read check in one table; any bad file stops the run here,
before trimming, with every bad file named (exomir.inserts.check)."""

import json
import sys

from exomir.common.atomic import write_lines
from exomir.inserts.check import InputError, check_table_lines, problems_of


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    reports = []
    for path in snakemake.input.reports:
        with open(path) as handle:
            reports.append(json.load(handle))
    found = problems_of(reports)
    if found:
        raise InputError("bad read files; nothing was trimmed:\n  " + "\n  ".join(found))
    write_lines(check_table_lines(reports), snakemake.output.table)
    print(
        f"{sum(len(report['lanes']) for report in reports)} lanes of {len(reports)} samples read in full",
        file=sys.stderr,
    )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
