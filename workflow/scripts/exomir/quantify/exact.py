"""Every exact occurrence of the inserts in the annotation reference, found without the aligner.

bowtie aligns the inserts with `--best --strata -a` (align.py): an insert that occurs exactly
in the reference gets every exact occurrence and nothing else, whatever mismatches are
allowed. Most inserts do: 332,686 of the 499,746 unique inserts of 2,000,000 high-diversity
TruSeq reads (bench/run_benchmark.py --diversity high), and bowtie spent 4.2 CPU s on all of
them, 1.2 s on the rest. So the exact occurrences are looked up here, and only the other
inserts go to bowtie.

The index is the reference's suffix array: the records joined by runs of NUL bytes, so that no
suffix runs from one record into the next, and the start of every base sorted by the
KEY_LENGTH bases from it (rule annotation_suffixes). An insert's occurrences are the suffixes
between the insert itself and the insert followed by a byte above every base, found by binary
search on fixed-width bytes (numpy searchsorted).

Left to bowtie: inserts with any symbol but A, C, G and T (bowtie counts an N of the read as a
mismatch even against an N of the reference) and inserts of KEY_LENGTH nt or more (a query and
the byte after it must fit in the sorted keys).
"""

import os
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exomir.common.fasta import read_fasta

KEY_LENGTH = 64  # longer than any kit's longest insert (resources/kits.yaml: 45 nt)
ABOVE_BASES = b"~"  # sorts after A, C, G, T and N
QUERIES_PER_SEARCH = 200_000
PLAIN = np.zeros(256, dtype=bool)  # A, C, G and T among the bytes
PLAIN[np.frombuffer(b"ACGT", dtype=np.uint8)] = True


def reference_text(fasta: str | os.PathLike) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(record names, start of each record in the text, the text as uint8) of a FASTA: the
    records joined by KEY_LENGTH NUL bytes and followed by as many, so that every base has
    KEY_LENGTH bytes after it and a key never reaches into the next record."""
    records = read_fasta(fasta)
    separator = b"\0" * KEY_LENGTH
    lengths = np.fromiter(map(len, records.values()), dtype=np.int64, count=len(records))
    starts = np.concatenate(([0], np.cumsum(lengths + KEY_LENGTH)[:-1])) if len(records) else lengths
    text = separator.join(sequence.encode() for sequence in records.values()) + separator
    return list(records), starts, np.frombuffer(text, dtype=np.uint8)


def suffix_order(fasta: str | os.PathLike) -> np.ndarray:
    """Positions of every base of the FASTA's text (reference_text), sorted by the KEY_LENGTH
    bytes from each (ties by position), as int64."""
    _, _, text = reference_text(fasta)
    positions = np.flatnonzero(text)
    return positions[np.argsort(keys_at(text, positions, KEY_LENGTH), kind="stable")]


def keys_at(text: np.ndarray, positions: np.ndarray, width: int) -> np.ndarray:
    """The `width` bytes of `text` from each position, as fixed-width bytes (NUL-padded text)."""
    return np.ascontiguousarray(sliding_window_view(text, width)[positions]).view(f"S{width}").ravel()


def plain_and_short(sequences: Sequence[str]) -> np.ndarray:
    """Whether each sequence can be looked up: only A, C, G and T, and shorter than KEY_LENGTH."""
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    # One byte per character: anything but ASCII becomes "?", which is no base.
    symbols = np.frombuffer("".join(sequences).encode("ascii", "replace"), dtype=np.uint8)
    plain = lengths < KEY_LENGTH
    # The sequence of each other symbol (few): the first whose end lies beyond it.
    plain[np.searchsorted(np.cumsum(lengths), np.flatnonzero(~PLAIN[symbols]), side="right")] = False
    return plain


class ExactIndex:
    """The suffix array of the annotation reference (module docstring)."""

    def __init__(self, fasta: str | os.PathLike, order: np.ndarray):
        self.names, self.record_starts, self.text = reference_text(fasta)
        if len(order) != np.count_nonzero(self.text):
            bases = np.count_nonzero(self.text)
            raise ValueError(f"{fasta}: its suffix index has {len(order)} positions for {bases} bases; rebuild it")
        self.order = order

    @classmethod
    def load(cls, fasta: str | os.PathLike, order: str | os.PathLike) -> "ExactIndex":
        return cls(fasta, np.load(order))

    def occurrences(self, sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(input number, record number, 0-based start; int32) of every exact occurrence of the
        sequences it can look up (module docstring), in input order; QUERIES_PER_SEARCH at a
        time, so memory stays bounded."""
        lookup = np.flatnonzero(plain_and_short(sequences))
        if not len(lookup):
            return tuple(np.zeros(0, dtype=np.int32) for _ in range(3))
        width = max(len(sequences[number]) for number in lookup.tolist()) + len(ABOVE_BASES)
        keys = keys_at(self.text, self.order, width)
        found = [
            self._occurrences(sequences, lookup[first : first + QUERIES_PER_SEARCH], keys)
            for first in range(0, len(lookup), QUERIES_PER_SEARCH)
        ]
        return tuple(np.concatenate(parts) for parts in zip(*found))

    def _occurrences(
        self, sequences: Sequence[str], lookup: np.ndarray, keys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        queries = [sequences[number] for number in lookup.tolist()]
        lengths = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))
        lower = np.array(queries, dtype=keys.dtype)
        upper = lower.copy()
        upper.view(np.uint8).reshape(len(queries), keys.itemsize)[np.arange(len(queries)), lengths] = ABOVE_BASES[0]
        low, high = np.searchsorted(keys, lower, side="left"), np.searchsorted(keys, upper, side="left")
        found = high - low
        numbers = np.repeat(lookup, found)
        # The suffix ranks of each query's occurrences: low, low + 1, ..., high - 1.
        ranks = np.arange(found.sum()) - np.repeat(np.cumsum(found) - found, found) + np.repeat(low, found)
        positions = self.order[ranks]
        records = np.searchsorted(self.record_starts, positions, side="right") - 1
        starts = positions - self.record_starts[records]
        return numbers.astype(np.int32), records.astype(np.int32), starts.astype(np.int32)
