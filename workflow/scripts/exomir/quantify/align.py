"""Align each unique insert once to the combined annotation index, then rescue the rest.

Pass 1: every insert of the collapsed table against the combined index (all biotypes): every
alignment in the best mismatch stratum (at most `mismatches`), sense strand only, as bowtie 1
`-v <mismatches> -a --best --strata --norc` gives them. The exact occurrences, which are the
whole best stratum of an insert that has any, come from the suffix index (exact.py); bowtie
aligns the other inserts.
Pass 2: inserts that did not align and end in A/T are aligned again with 1..max_nontemplated
3' A/T removed (non-templated 3' additions, mostly mono-uridylation and adenylation of
miRNAs; Wyman et al., Genome Res 2011;21:1450), the same way as pass 1. The shortest removal
that aligns is kept; an insert is never shortened below the minimum insert length.
Pass 3 (when a genome index is configured): inserts still unaligned, against the genome, both
strands, one alignment reported (only the count matters).

Result: a table with one row per alignment: row (0-based row of the collapsed table), tail
(3' nt removed before aligning), reference, start, end (0-based, end exclusive, on the
reference), and mismatches (bowtie's descriptor, `offset:reference>read` with offsets from
the read's 5' end; empty for an exact alignment).
"""

import csv
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from exomir.quantify.exact import ExactIndex

NONTEMPLATED_BASES = set("AT")
HIT_COLUMNS = ["number", "reference", "start", "end", "mismatches"]
POSITION_COLUMNS = ["number", "start", "end"]  # int32: 4 bytes each for millions of alignments
ALIGNMENT_COLUMNS = ["row", "tail", "reference", "start", "end", "mismatches"]
# bowtie's default output: name strand reference offset sequence qualities others mismatches.
BOWTIE_COLUMNS = ["number", "strand", "reference", "start", "sequence", "qualities", "others", "mismatches"]


def run_bowtie(
    sequences: Sequence[str],
    index: str,
    arguments: Sequence[str],
    workdir: str | os.PathLike,
    report: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Align `sequences` with bowtie 1; one row per alignment with the input number, reference,
    start, end and mismatch descriptor (HIT_COLUMNS). bowtie's summary goes to `report` (a path).
    bowtie writes its alignments to a file, read back in one go (pandas' C parser)."""
    if not sequences and report is None:
        return pd.DataFrame({column: [] for column in HIT_COLUMNS}).astype(dict.fromkeys(POSITION_COLUMNS, np.int32))
    # With no inserts bowtie still runs, so the sample keeps a (zero) report for MultiQC.
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        reads, hits = Path(folder) / "reads.txt", Path(folder) / "hits.txt"
        reads.write_text("".join(sequence + "\n" for sequence in sequences))
        command = ["bowtie", *arguments, "-r", "-x", index, str(reads), str(hits)]
        with open(report or os.devnull, "w") as stderr:
            if subprocess.run(command, stderr=stderr).returncode != 0:
                raise RuntimeError(f"bowtie failed: {' '.join(command)}; see {report}")
        if hits.stat().st_size == 0:
            table = pd.DataFrame({column: [] for column in BOWTIE_COLUMNS}).astype(
                {"number": np.int32, "start": np.int32}
            )
        else:
            table = pd.read_csv(
                hits,
                sep="\t",
                header=None,
                names=BOWTIE_COLUMNS,
                usecols=["number", "reference", "start", "mismatches"],
                # Categories: a few hundred names and descriptors, codes of a few bytes per alignment.
                dtype={"number": np.int32, "reference": "category", "start": np.int32, "mismatches": "category"},
                keep_default_na=False,
                quoting=csv.QUOTE_NONE,
            )
    lengths = np.fromiter(map(len, sequences), dtype=np.int32, count=len(sequences))
    table["end"] = table["start"].to_numpy() + lengths[table["number"].to_numpy()]
    return table[HIT_COLUMNS]


def best_stratum(
    sequences: Sequence[str],
    index: str,
    exact: ExactIndex,
    mismatches: int,
    workdir: str | os.PathLike,
    report: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Every alignment of each sequence in its best mismatch stratum (HIT_COLUMNS): the exact
    occurrences from `exact`, bowtie for the sequences without one. `report` gets bowtie's
    summary counted over all the sequences (bowtie_summary)."""
    numbers, records, starts = exact.occurrences(sequences)
    lengths = np.fromiter(map(len, sequences), dtype=np.int32, count=len(sequences))
    exact_hits = pd.DataFrame(
        {
            "number": numbers,
            "reference": pd.Categorical.from_codes(records, categories=exact.names),
            "start": starts,
            "end": starts + lengths[numbers],
            "mismatches": pd.Categorical.from_codes(np.zeros(len(numbers), dtype=np.int8), categories=[""]),
        }
    )
    found = np.zeros(len(sequences), dtype=bool)
    found[numbers] = True
    rest = np.flatnonzero(~found)
    arguments = ["-v", str(mismatches), "-a", "--best", "--strata", "--norc"]
    others = [sequences[number] for number in rest]
    if report is None:
        aligned = run_bowtie(others, index, arguments, workdir)
    else:
        with tempfile.NamedTemporaryFile("r", dir=workdir, suffix=".log") as bowtie_report:
            aligned = run_bowtie(others, index, arguments, workdir, bowtie_report.name)
            Path(report).write_text(bowtie_summary(bowtie_report.read(), int(found.sum()), len(exact_hits)))
    aligned["number"] = rest[aligned["number"].to_numpy()]
    # Reference names as codes of the index's records: a few bytes per alignment, not a string.
    references = pd.Categorical(aligned["reference"], categories=exact.names)
    if (references.codes < 0).any():
        unknown = sorted(set(aligned["reference"][references.codes < 0]))[:3]
        raise RuntimeError(f"bowtie index {index} has records its FASTA lacks ({', '.join(unknown)}); rebuild both")
    aligned["reference"] = references
    return stacked([exact_hits, aligned])


def stacked(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The tables one below the other (the first, empty, when all are). A column categorical in
    the first stays categorical, over the union of the tables' values: recoded before they are
    joined, as pandas would otherwise join them as strings."""
    tables = [table.copy(deep=False) for table in tables if len(table)] or [tables[0].copy(deep=False)]
    for name, column in tables[0].items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            parts = [pd.Categorical(table[name]) for table in tables]
            categories = pd.Index(sorted(set().union(*(part.categories for part in parts))))
            for table, part in zip(tables, parts):
                table[name] = part.set_categories(categories)
    return pd.concat(tables, ignore_index=True)


SUMMARY_COUNT = re.compile(r"^# reads (?:processed|with at least one alignment|that failed to align): (\d+)", re.M)
REPORTED = re.compile(r"^Reported (\d+) alignments", re.M)


def bowtie_summary(bowtie_report: str, exact_reads: int, exact_alignments: int) -> str:
    """bowtie's summary of the inserts it aligned, with the `exact_reads` inserts found by the
    suffix index (and their `exact_alignments`) added, in bowtie's own words, which MultiQC reads."""
    counts = [int(count) for count in SUMMARY_COUNT.findall(bowtie_report)]
    if len(counts) != 3:
        raise RuntimeError(f"unexpected bowtie summary: {bowtie_report!r}")
    processed, aligned, failed = counts[0] + exact_reads, counts[1] + exact_reads, counts[2]
    reported = exact_alignments + sum(int(count) for count in REPORTED.findall(bowtie_report))

    def share(count: int) -> str:
        return f"{100 * count / processed:.2f}%" if processed else "0.00%"

    lines = [
        f"# reads processed: {processed}",
        f"# reads with at least one alignment: {aligned} ({share(aligned)})",
        f"# reads that failed to align: {failed} ({share(failed)})",
        f"Reported {reported} alignments" if reported else "No alignments",
    ]
    return "".join(line + "\n" for line in lines)


def nontemplated_candidates(
    sequences: Sequence[str], rows: Sequence[int], max_nontemplated: int, min_length: int
) -> list[tuple[int, int, str]]:
    """(row, tail length, shortened sequence) for each 3' A/T removal allowed on `rows`."""
    candidates = []
    for row in rows:
        sequence = sequences[row]
        for tail in range(1, max_nontemplated + 1):
            if len(sequence) - tail < min_length or sequence[-tail] not in NONTEMPLATED_BASES:
                break
            candidates.append((row, tail, sequence[:-tail]))
    return candidates


def align_inserts(
    sequences: Sequence[str],
    index: str,
    exact: ExactIndex,
    mismatches: int,
    max_nontemplated: int,
    min_length: int,
    workdir: str | os.PathLike,
    report: str | os.PathLike,
    genome_index: str | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """All passes (module docstring) over the inserts; returns (alignments, pass counts)."""
    hits = best_stratum(sequences, index, exact, mismatches, workdir, report)
    passes = [alignment_columns(hits, hits["number"].to_numpy(), 0)]
    aligned = np.zeros(len(sequences), dtype=bool)
    aligned[hits["number"].to_numpy()] = True
    counts = {"aligned_as_is": int(aligned.sum())}
    del hits

    candidates = nontemplated_candidates(sequences, np.flatnonzero(~aligned).tolist(), max_nontemplated, min_length)
    rescued = best_stratum([sequence for *_, sequence in candidates], index, exact, mismatches, workdir)
    candidate_rows = np.array([row for row, *_ in candidates], dtype=np.int32)
    candidate_tails = np.array([tail for _, tail, _ in candidates], dtype=np.int8)
    rescued = alignment_columns(
        rescued, candidate_rows[rescued["number"].to_numpy()], candidate_tails[rescued["number"].to_numpy()]
    )
    # Candidates of a row come shortest tail first, so the first one that aligned is kept.
    shortest = rescued.groupby("row")["tail"].transform("min")
    passes.append(rescued[rescued["tail"] == shortest])
    counts["aligned_after_tail_removal"] = int(rescued["row"].nunique())
    aligned[rescued["row"].to_numpy()] = True

    counts["aligned_to_genome"] = 0
    if genome_index:
        unaligned = np.flatnonzero(~aligned)
        genome_arguments = ["-v", str(mismatches), "-k", "1"]
        genome = run_bowtie([sequences[row] for row in unaligned], genome_index, genome_arguments, workdir)
        genome["reference"] = "genome|" + genome["reference"].astype(str)
        passes.append(alignment_columns(genome, unaligned[genome["number"].to_numpy()].astype(np.int32), 0))
        counts["aligned_to_genome"] = len(genome)
    alignments = stacked(passes)
    del passes
    # Row by row, column by column: one column is copied at a time.
    order = np.argsort(alignments["row"].to_numpy(), kind="stable")
    for name in ALIGNMENT_COLUMNS:
        alignments[name] = alignments[name].array.take(order)
    return alignments, counts


def alignment_columns(hits: pd.DataFrame, rows: np.ndarray, tail: np.ndarray | int) -> pd.DataFrame:
    """`hits` (HIT_COLUMNS) as alignments of `rows` with `tail` nt removed (ALIGNMENT_COLUMNS)."""
    columns = {"row": rows, "tail": np.broadcast_to(np.asarray(tail, dtype=np.int8), len(hits)).copy()}
    columns |= {name: hits[name].array for name in ("reference", "start", "end", "mismatches")}
    return pd.DataFrame(columns, copy=False)
