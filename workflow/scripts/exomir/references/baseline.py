"""Healthy baseline: a published table of miRNA counts of healthy-donor libraries, keyed by miRBase accession,
renamed to the mature names exomir counts with.

The default is the exRNAQC consortium's exRNAQC017 table (90 serum and plasma small-RNA libraries of healthy
volunteers; ArrayExpress E-MTAB-12542), read in place from the configured path, never copied."""

import os
from collections.abc import Mapping

import pandas as pd


def load_accession_counts(path: str | os.PathLike) -> pd.DataFrame:
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


def baseline_counts(accession_counts: pd.DataFrame, names: Mapping[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Rename accessions to mature names; returns (mature × library counts, accessions without a name)."""
    known = accession_counts.index.isin(list(names))
    renamed = accession_counts[known].rename(index=names)
    renamed.index.name = "mirna"
    return renamed.groupby(level=0).sum(), list(accession_counts.index[~known])
