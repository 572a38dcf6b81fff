"""Rule check_reads: every record of a sample's lanes read once (exomir.inserts.check.full_check)."""

import dataclasses
import sys

from exomir.common.atomic import write_json
from exomir.inserts.check import full_check


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    lanes = [dataclasses.asdict(full_check(lane)) for lane in snakemake.input.fastq]
    for lane in lanes:
        print(f"{lane['lane']}: {lane['reads']:,} reads; {'; '.join(lane['problems']) or 'ok'}", file=sys.stderr)
    # Never fails: rule input_check names every bad file of every sample at once.
    write_json({"sample": snakemake.wildcards.sample, "lanes": lanes}, snakemake.output.report)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
