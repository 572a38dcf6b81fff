"""Healthy baseline: a published table of miRNA counts of healthy-donor libraries, keyed by miRBase accession,
renamed to the mature names exomir counts with.

The default is the exRNAQC consortium's exRNAQC017 table (90 serum and plasma small-RNA libraries of healthy
volunteers; ArrayExpress E-MTAB-12542), read in place from the configured path, never copied."""

import sys

import dnaio
import pandas as pd

from atomic import atomic_path


def accession_names(mature_fasta, species_prefix="hsa"):
    """{miRBase accession: mature name} from FASTA headers such as '>hsa-miR-21-5p MIMAT0000076 ...'."""
    names = {}
    with dnaio.open(mature_fasta) as fasta:
        for record in fasta:
            fields = record.name.split()
            if len(fields) < 2 or not fields[0].lower().startswith(species_prefix.lower()):
                continue
            names[fields[1]] = fields[0]
    return names


def load_accession_counts(path):
    """Accession × library counts; empty cells are zero. Raises naming the file on a malformed table."""
    table = pd.read_csv(path, sep="\t", index_col=0)
    if table.empty or not table.index.astype(str).str.startswith("MIMAT").all():
        raise ValueError(f"{path}: expected miRBase accessions (MIMAT...) in the first column")
    table = table.fillna(0)
    non_numeric = [column for column in table.columns if not pd.api.types.is_numeric_dtype(table[column])]
    if non_numeric:
        raise ValueError(f"{path}: non-numeric counts in column(s) {', '.join(map(str, non_numeric))}")
    if (table < 0).any().any():
        raise ValueError(f"{path}: negative counts")
    return table


def baseline_counts(accession_counts, names):
    """Rename accessions to mature names; returns (mature × library counts, accessions without a name)."""
    known = accession_counts.index.isin(list(names))
    renamed = accession_counts[known].rename(index=names)
    renamed.index.name = "mirna"
    return renamed.groupby(level=0).sum(), list(accession_counts.index[~known])


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)
    names = accession_names(snakemake.input.mature, snakemake.params.species_prefix)
    counts, unknown = baseline_counts(load_accession_counts(snakemake.input.table), names)
    with atomic_path(snakemake.output.counts) as temporary:
        counts.to_csv(temporary, sep="\t", float_format="%.6g")
    print(f"{counts.shape[1]} healthy libraries x {counts.shape[0]} miRNAs", file=sys.stderr)
    print(f"accessions not in {snakemake.input.mature}: {len(unknown)} {' '.join(unknown[:20])}", file=sys.stderr)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
