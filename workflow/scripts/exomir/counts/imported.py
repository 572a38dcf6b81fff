"""Counts from a table: a count matrix of a public cohort or of another pipeline as the run's counts.

The table is tab- or comma-separated (whichever its header line uses; gzip allowed), with one row per
feature and one column per sample of the sample sheet, named as there. Its first column holds the
feature names: mature names (hsa-miR-21-5p), precursor names (hsa-mir-21) or MIMAT accessions,
whichever of the configured miRBase references most rows match (mature FASTA names and accessions,
hairpin names). Rows that name no miRNA of that kind (piRNAs, tRNA fragments, other names) are left
out and counted; MIMAT accessions become mature names; rows of one feature are summed. Features stay
at the level given: mature miRNAs, or precursors (exomir.counts.features).

A header whose columns and the sheet's samples differ, a count that is not a number or negative,
and a table in which no row names a known miRNA are errors, each named with the file, row and column,
all of them at once.
"""

import csv
import gzip
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from exomir.common.fasta import accession_names, read_fasta
from exomir.counts.features import MATURE, PRECURSOR, FeatureLookup

if TYPE_CHECKING:
    import anndata

# What the first column holds, in the order that breaks a tie, and the level of the features it gives.
KINDS = {"mature": "mature names", "precursor": "precursor names", "accession": "MIMAT accessions"}
LEVEL_OF_KIND = {"mature": MATURE, "precursor": PRECURSOR, "accession": MATURE}
# Cells, names and problems listed in a message before "and N more".
LISTED = 10


class CountsTableError(ValueError):
    """The count table has one or more problems; the message lists them all."""


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(f"'{item}'" for item in items[:LISTED])
    return shown + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")


@dataclass(frozen=True)
class MirnaNames:
    """The names a table's rows are matched against, from the configured miRBase references."""

    mature: Mapping[str, str]  # mature name: its accession (MIMAT…), "" where the FASTA header has none
    accessions: Mapping[str, str]  # MIMAT accession: mature name
    precursors: Mapping[str, str]  # precursor (hairpin) name: its accession (MI…) or ""

    @classmethod
    def from_references(
        cls, mature_fasta: str | os.PathLike, hairpin_fasta: str | os.PathLike, species_prefix: str
    ) -> Self:
        accessions = accession_names(mature_fasta, species_prefix)
        mature_accession = {name: accession for accession, name in accessions.items()}
        hairpins = accession_names(hairpin_fasta, species_prefix)
        hairpin_accession = {name: accession for accession, name in hairpins.items()}
        return cls(
            mature={name: mature_accession.get(name, "") for name in read_fasta(mature_fasta, species_prefix)},
            accessions=accessions,
            precursors={name: hairpin_accession.get(name, "") for name in read_fasta(hairpin_fasta, species_prefix)},
        )

    def of_kind(self, kind: str) -> Mapping[str, str]:
        return {"mature": self.mature, "precursor": self.precursors, "accession": self.accessions}[kind]

    def accession(self, kind: str, feature: str) -> str:
        """The miRBase accession of a feature of the table after renaming (MIMAT or MI)."""
        return self.precursors.get(feature, "") if kind == "precursor" else self.mature.get(feature, "")


@dataclass(frozen=True)
class ImportedTable:
    """A count table read and checked: counts by feature (sorted) × sample (in sheet order) and what
    was done to its rows."""

    path: str
    counts: pd.DataFrame
    kind: str  # a key of KINDS
    rows: int  # data rows of the file
    dropped: list[str]  # names of the rows left out: no miRNA of the detected kind
    of_other_kinds: int  # how many of those are miRNA names of another kind
    duplicates: list[str]  # features given on more than one row, whose rows were summed

    @property
    def level(self) -> str:
        return LEVEL_OF_KIND[self.kind]

    def summary(self) -> dict[str, Any]:
        """What the import did, for its JSON summary, the report and the AnnData's `uns`."""
        return {
            "counts_table": self.path,
            "kind": KINDS[self.kind],
            "feature_level": self.level,
            "rows": self.rows,
            "features": int(self.counts.shape[0]),
            "samples": int(self.counts.shape[1]),
            "dropped_rows": len(self.dropped),
            "dropped_of_other_kinds": self.of_other_kinds,
            "dropped_examples": self.dropped[:LISTED],
            "duplicate_features": len(self.duplicates),
            "duplicate_examples": self.duplicates[:LISTED],
        }

    def log_lines(self) -> list[str]:
        summary = self.summary()
        lines = [
            f"{self.path}: {self.rows} rows x {summary['samples']} samples; first column: {KINDS[self.kind]}, "
            f"features at {self.level} level",
            f"{summary['features']} {self.level} features kept",
            f"{len(self.dropped)} rows left out: they name no known miRNA of this kind"
            + (f" ({self.of_other_kinds} of them miRNA names of another kind)" if self.of_other_kinds else "")
            + (f", e.g. {_listed(self.dropped)}" if self.dropped else ""),
        ]
        if self.duplicates:
            lines.append(
                f"{len(self.duplicates)} features on more than one row, their rows summed: {_listed(self.duplicates)}"
            )
        return lines


def _read_rows(path: str | os.PathLike) -> list[tuple[int, list[str]]]:
    """(line number, fields) of every row of a TSV or CSV, gzip or plain; the delimiter is the one the
    header line uses (a tab, else a comma). Empty lines and lines starting with '#' are skipped."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    delimiter = "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for fields in reader:
        if not any(field.strip() for field in fields) or fields[0].startswith("#"):
            continue
        rows.append((reader.line_num, [field.strip() for field in fields]))
    return rows


def _header_problems(columns: list[str], samples: Sequence[str], sheet: str) -> list[str]:
    problems = []
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        problems.append(f"header: column(s) {_listed(repeated)} appear more than once")
    if "" in columns:
        problems.append("header: a sample column without a name")
    unknown = [column for column in dict.fromkeys(columns) if column and column not in set(samples)]
    if unknown:
        problems.append(f"header: column(s) {_listed(unknown)} are not samples of {sheet}")
    missing = [sample for sample in samples if sample not in set(columns)]
    if missing:
        problems.append(f"header: sample(s) {_listed(missing)} of {sheet} have no column in the table")
    return problems


def _value_problems(values: pd.DataFrame, lines: Sequence[int], names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """The counts as numbers, and a problem for every cell that is not a finite number >= 0."""
    numbers = values.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    negative = np.nan_to_num(numbers.to_numpy(), nan=0.0) < 0
    problems = []
    for row, column in zip(*np.nonzero(bad | negative)):
        value = values.iat[row, column]
        what = "is negative" if negative[row, column] else ("is empty" if not value else "is not a number")
        problems.append(
            f"row {lines[row]} ({names[row] or 'no name'}), column '{values.columns[column]}': count '{value}' {what}"
        )
    if len(problems) > LISTED:
        problems = [*problems[:LISTED], f"... and {len(problems) - LISTED} more cells that are not counts"]
    return numbers, problems


def detect_kind(names: Sequence[str], references: MirnaNames) -> tuple[str, dict[str, int]]:
    """The kind of name most rows hold (KINDS order breaks a tie) and the matches of each kind."""
    matches = {kind: sum(name in references.of_kind(kind) for name in names) for kind in KINDS}
    return max(KINDS, key=lambda kind: matches[kind]), matches


def read_counts_table(
    path: str | os.PathLike, samples: Sequence[str], references: MirnaNames, sheet: str = "the sample sheet"
) -> ImportedTable:
    """Read and check a count table against the sheet's samples and the references; raise
    CountsTableError listing every problem, each with the file and its row (line) or column."""
    path = str(path)
    rows = _read_rows(path)
    if len(rows) < 2:
        raise CountsTableError(f"invalid count table:\n  {path}: needs a header and at least one row")
    (_, header), body = rows[0], rows[1:]
    # A header without a cell above the names (R's write.table) has one field fewer than the rows.
    width = len(body[0][1])
    columns = header[1:] if len(header) != width - 1 else header
    problems = _header_problems(columns, samples, sheet)
    kept = []
    for line, fields in body:
        if len(fields) != len(columns) + 1:
            problems.append(f"row {line}: {len(fields)} fields, but the header names {len(columns)} samples")
        else:
            kept.append((line, fields))
    lines = [line for line, _ in kept]
    names = [fields[0] for _, fields in kept]
    values = pd.DataFrame([fields[1:] for _, fields in kept], columns=columns, dtype=str)
    numbers, value_problems = _value_problems(values, lines, names)
    problems += value_problems
    kind, matches = detect_kind(names, references)
    if not matches[kind] and kept:
        examples = _listed(list(dict.fromkeys(names)))
        problems.append(
            f"column 1: no row names a known miRNA (mature names such as hsa-miR-21-5p, precursor names such as "
            f"hsa-mir-21 or MIMAT accessions of the configured references); its names are {examples}"
        )
    if problems:
        raise CountsTableError("invalid count table:\n  " + "\n  ".join(f"{path}: {problem}" for problem in problems))

    known = references.of_kind(kind)
    keep = np.array([name in known for name in names])
    dropped = [name for name, is_kept in zip(names, keep) if not is_kept]
    others = [other for other in KINDS if other != kind]
    of_other_kinds = sum(any(name in references.of_kind(other) for other in others) for name in dropped)
    kept_names = [name for name, is_kept in zip(names, keep) if is_kept]
    features = pd.Index([references.accessions[name] if kind == "accession" else name for name in kept_names])
    counts = numbers[keep].set_axis(features, axis=0)[list(samples)]
    duplicates = sorted(features[features.duplicated()].unique())
    counts = counts.groupby(level=0).sum().sort_index()
    counts.index.name = "mirna"
    counts.columns.name = None
    return ImportedTable(path, counts, kind, len(body), dropped, of_other_kinds, duplicates)


def imported_matrices(
    table: ImportedTable, sample_sheet: pd.DataFrame, references: MirnaNames, lookup: FeatureLookup
) -> "tuple[dict[str, pd.DataFrame], anndata.AnnData]":
    """The cohort tables (counts, cpm, tmm_cpm, factors) and the count AnnData of an imported table.

    `lookup` (of the table's level) gives the AnnData the mature → precursor pairs of a precursor-level
    table, through which every stage finds mature miRNAs in it. No spike-in layer: the spike-ins are
    counted from reads."""
    # Imported here: the workflow checks tables with read_counts_table when it starts, which needs neither.
    from exomir.common.normalise import normalisations
    from exomir.counts.matrix import to_anndata

    layers, factors = normalisations(table.counts, None)
    accessions = pd.Series([references.accession(table.kind, feature) for feature in table.counts.index])
    adata = to_anndata(layers, accessions, sample_sheet)
    summary = table.summary()
    adata.uns["feature_level"] = table.level
    adata.uns["counts_table"] = table.path
    adata.uns["counts_table_kind"] = summary["kind"]
    adata.uns["counts_table_dropped_rows"] = summary["dropped_rows"]
    adata.uns["counts_table_duplicate_features"] = summary["duplicate_features"]
    adata.uns["normalisation_factors"] = factors.reset_index().astype({"sample": str}).to_dict(orient="list")
    if table.level == PRECURSOR:
        adata.uns["mature_precursors"] = lookup.pairs()
    return {**layers, "factors": factors}, adata
