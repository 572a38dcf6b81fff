"""Rule mirtop_check: every mirGFF3 validated with mirtop, and mirtop stats for MultiQC (exomir.report.mirtop_stats)."""

import logging

from exomir.report.mirtop_stats import problems, write_stats


def main(snakemake):
    logging.basicConfig(stream=open(snakemake.log[0], "w"), level=logging.INFO)
    found = problems(snakemake.input.gff)
    if found:
        raise ValueError("mirGFF3 check failed:\n" + "\n".join(found[:20]))
    left_out = write_stats(snakemake.input.gff, snakemake.output.stats, snakemake.output.table)
    logging.info("no miRNA feature, left out of mirtop stats: %s", left_out)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
