"""Rule bundle_markers: the marker table of another species by sequence identity (exomir.references.bundle)."""

import sys

from exomir.common.fasta import read_fasta
from exomir.common.markers import load_markers
from exomir.common.tables import write_tsv
from exomir.references.bundle import ortholog_markers


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    markers = load_markers(snakemake.input.markers)
    species = read_fasta(snakemake.input.all_species, snakemake.params.species_prefix + "-")
    table, left_out = ortholog_markers(markers, read_fasta(snakemake.input.human, "hsa-"), species)
    write_tsv(table, snakemake.output.markers, index=False)
    print(f"{len(table)} of {len(markers)} markers mapped; left out: {', '.join(left_out) or 'none'}", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
