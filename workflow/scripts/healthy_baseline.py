"""Rule healthy_baseline: healthy-donor counts by accession → by mature name (exomir.references.baseline)."""

import sys

from exomir.common.fasta import accession_names
from exomir.common.tables import write_tsv
from exomir.references.baseline import baseline_counts, load_accession_counts


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    names = accession_names(snakemake.input.mature, snakemake.params.species_prefix)
    counts, unknown = baseline_counts(load_accession_counts(snakemake.input.table), names)
    write_tsv(counts, snakemake.output.counts, float_format="%.6g")
    print(f"{counts.shape[1]} healthy libraries x {counts.shape[0]} miRNAs", file=sys.stderr)
    print(f"accessions not in {snakemake.input.mature}: {len(unknown)} {' '.join(unknown[:20])}", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
