"""Rule bundle_annotation: one annotation set of the bundle, deduplicated (exomir.references.bundle)."""

import sys

from exomir.common.atomic import atomic_path
from exomir.references.bundle import annotation_set, write_fasta_gz


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    records = annotation_set(snakemake.wildcards.set, snakemake.input.sources)
    with atomic_path(snakemake.output.fasta) as temporary, open(temporary, "wb") as handle:
        write_fasta_gz(records, handle)
    print(f"{snakemake.wildcards.set}: {len(records)} distinct sequences", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
