"""Rule mirtop_gff: a sample's isomiR table as mirGFF3 (exomir.quantify.mirgff)."""

import sys

from exomir.common.atomic import write_lines
from exomir.common.fasta import read_fasta
from exomir.quantify.mirgff import mirgff3_lines, read_isomirs


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    isomirs = read_isomirs(snakemake.input.isomirs)
    hairpins = read_fasta(snakemake.input.hairpins)
    lines, left_out = mirgff3_lines(isomirs, snakemake.params.sample, snakemake.params.database, hairpins)
    print(f"mirGFF3: {left_out} isomiR rows with an N left out (no UID for them)", file=sys.stderr)
    write_lines(lines, snakemake.output.gff)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
