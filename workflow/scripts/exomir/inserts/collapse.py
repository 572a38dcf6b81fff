"""Collapse trimmed reads into unique inserts with a count per sample.

The collapsed table (sequence, reads, molecules) is what quantification and any later
reanalysis start from, so trimming never has to be repeated. The kit gives the 3' clip,
insert length range and UMI layout. Without a UMI every read is a molecule; with one,
`molecules` counts the insert's molecules after UMI deduplication
(umi.molecules_per_insert) and `reads` stays the raw read count.
"""

import gzip
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from exomir.common.atomic import atomic_path
from exomir.inserts.umi import molecules_per_insert

COLLAPSED_COLUMNS = ("sequence", "reads", "molecules")


def clip_and_filter(
    read_counts: Mapping[tuple[str, str | None], int], clip_3p: int, min_length: int, max_length: int
) -> tuple[Counter[tuple[str, str | None]], dict[str, Any]]:
    """Count (insert, UMI) pairs after removing `clip_3p` bases from each read's 3' end and
    keeping inserts of `min_length`..`max_length` nt. `read_counts` maps (sequence, UMI)
    pairs, the UMI None without one, to their number of reads. Returns (Counter of pairs,
    stats dict with the reads per kept insert length and per insert length before the limits)."""
    pairs = Counter()
    insert_lengths = Counter()
    trimmed_lengths = Counter()
    too_short = too_long = total = 0
    for (sequence, umi), count in read_counts.items():
        total += count
        if clip_3p:
            sequence = sequence[:-clip_3p]
        trimmed_lengths[len(sequence)] += count
        if len(sequence) < min_length:
            too_short += count
        elif len(sequence) > max_length:
            too_long += count
        else:
            pairs[sequence, umi] += count
            insert_lengths[len(sequence)] += count
    stats = {
        "trimmed_reads": total,
        "too_short": too_short,
        "too_long": too_long,
        "length_passed": total - too_short - too_long,
        "unique_sequences": len({insert for insert, _ in pairs}),
        "insert_lengths": dict(sorted(insert_lengths.items())),
        "trimmed_lengths": dict(sorted(trimmed_lengths.items())),
    }
    return pairs, stats


def count_inserts(
    pairs: Mapping[tuple[str, str | None], int], has_umi: bool
) -> tuple[Counter[str], Counter[str], dict[str, Any] | None]:
    """(reads per insert, molecules per insert, UMI stats or None) from (insert, UMI) counts.

    With a UMI, reads whose UMI is incomplete (the read ended inside it) cannot be
    deduplicated: they stay out of both counts and are reported as `umi_incomplete`.
    """
    if not has_umi:
        reads = Counter()
        for (insert, _), count in pairs.items():
            reads[insert] += count
        return reads, reads, None
    with_umi = {pair: count for pair, count in pairs.items() if pair[1] is not None}
    reads = Counter()
    for (insert, _), count in with_umi.items():
        reads[insert] += count
    molecules = molecules_per_insert(with_umi)
    read_total, molecule_total = sum(reads.values()), sum(molecules.values())
    stats = {
        "reads_with_umi": read_total,
        "umi_incomplete": sum(count for (_, umi), count in pairs.items() if umi is None),
        "distinct_insert_umi_pairs": len(with_umi),
        "molecules": molecule_total,
        "duplication_rate": round(1 - molecule_total / read_total, 4) if read_total else None,
    }
    return reads, molecules, stats


def collapsed_rows(reads: Mapping[str, int], molecules: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """Unique inserts as (sequence, reads, molecules) rows, most reads first, then by sequence."""
    # numpy sorts the sequences as bytes (ASCII, so in str order): 650,000 inserts in 1.1 s
    # instead of 2.6 s with a Python sort key.
    sequences = list(reads)
    counts = np.fromiter(reads.values(), dtype=np.int64, count=len(sequences))
    order = np.lexsort((np.array(sequences, dtype="S"), -counts)).tolist() if sequences else []
    ordered = [sequences[index] for index in order]
    return [(sequence, reads[sequence], molecules.get(sequence, 0)) for sequence in ordered]


def write_collapsed(rows: Iterable[tuple[str, int, int]], path: str | os.PathLike) -> None:
    """The collapsed table as gzipped TSV (level 1: it is written once and read back whole)."""
    with atomic_path(path) as temporary, gzip.open(temporary, "wt", compresslevel=1) as handle:
        handle.write("\t".join(COLLAPSED_COLUMNS) + "\n")
        handle.writelines(f"{sequence}\t{reads}\t{molecules}\n" for sequence, reads, molecules in rows)
