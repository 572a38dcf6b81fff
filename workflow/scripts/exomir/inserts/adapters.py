"""cutadapt's 3' adapter for a kit's read layout, and when its answer is certain without the aligner.

Most reads hold the whole layout adapter without an error, and for them the aligner can be
skipped (LayoutAdapter.exact_starts, all reads at once). cutadapt's Aligner.locate (cutadapt
5.x, _align.pyx) scans the read left to right; the first acceptable whole-adapter alignment
becomes the best, a later one replaces it only if it starts at most m // 2 nt after it
(m = layout length) with a higher score, and an exact one ends the search. An exact
occurrence at p scores m, more than any alignment with an error, so it is cutadapt's
answer unless an acceptable alignment starts before p - m // 2. Such an alignment has at
most k = floor(rate * m) errors, so one of k + 1 disjoint pieces of the adapter's fixed
bases is intact in it (pigeonhole), at a read position before p - m // 2 + offset + k; when
no piece occurs that early, there is none, and p is the answer. No alignment starts before
the read does, so for p <= m // 2 (most QIAseq reads: a 52-nt layout after a 22-nt miRNA) there
is none either, and the pieces are not looked for. The reads this does not
settle (an error in the adapter, an adapter running off the read's end, a piece seen too
early, no adapter) go through the aligner.

The argument is about whole-adapter alignments only, so it holds whatever the minimum overlap
of a partial match at the read's end: trimming (trim, MIN_OVERLAP 3) and kit detection (kits,
MIN_PARTIAL 6) both use it, and tests/unit/inserts/test_trim.py and test_kits.py compare each
with cutadapt's aligner alone.
"""

import re
from collections.abc import Sequence
from itertools import repeat

import numpy as np
from cutadapt.adapters import BackAdapter


class LayoutAdapter(BackAdapter):
    """cutadapt's 3' adapter for a kit's layout, which also knows when the leftmost exact
    occurrence of the whole layout is cutadapt's match (exact_starts, module docstring)."""

    def __init__(self, layout: str, error_rate: float, min_overlap: int):
        super().__init__(layout, max_errors=error_rate, min_overlap=min_overlap)
        self.head, wildcards, tail = layout.partition("N")
        self.tail = tail.lstrip("N")
        self.umi_offset, self.tail_offset = len(self.head), len(layout) - len(self.tail)
        self.has_wildcards = bool(wildcards)
        self.pieces = exact_pieces(layout, error_rate)

    def exact_starts(self, sequences: Sequence[str]) -> np.ndarray:
        """Where cutadapt's match starts in each of `sequences` when it is the leftmost exact
        occurrence of the whole layout (N standing for A, C, G or T) and that is certain
        without the aligner; otherwise -1. All reads at once: each test is one `map` of a str
        method over the reads, so the per-read work stays in C."""
        if not self.pieces:
            return np.full(len(sequences), -1, dtype=np.int64)
        starts = np.fromiter(map(str.find, sequences, repeat(self.head)), dtype=np.int64, count=len(sequences))
        candidates = np.flatnonzero(starts >= 0)
        if self.has_wildcards:
            # The leftmost `head` starts the leftmost whole layout, if any: an earlier one would hold `head`.
            # startswith fails on a read that ends before the tail.
            candidates = candidates[self._whole_after_head(sequences, candidates, starts[candidates])]
        # No alignment starts before the read: an occurrence at most m // 2 nt in is certain as it is.
        settled = candidates[starts[candidates] <= len(self.sequence) // 2]
        candidates = candidates[starts[candidates] > len(self.sequence) // 2]
        # Each test only on the reads still in question: a find costs about 0.3 us per 75-nt read.
        for offset, piece in self.pieces:
            reads = pick(sequences, candidates)
            # An occurrence that starts before start + offset lies within [0, start + offset - 1 + len(piece)).
            ends = np.maximum(starts[candidates] + offset - 1 + len(piece), 0).tolist()
            earlier = map(str.find, reads, repeat(piece), repeat(0), ends)
            candidates = candidates[np.fromiter(earlier, dtype=np.int64, count=len(reads)) < 0]
        certain = np.full(len(sequences), -1, dtype=np.int64)
        certain[settled] = starts[settled]
        certain[candidates] = starts[candidates]
        return certain

    def locate_all(self, sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """cutadapt's match of this adapter in each of `sequences` as (starts, stops) in read
        coordinates, -1 in both where there is none: the exact path for all reads at once, the
        aligner (match_to) one by one for the rest."""
        starts = self.exact_starts(sequences)
        stops = np.where(starts >= 0, starts + len(self.sequence), -1)
        for index in self.aligner_rows(sequences, starts).tolist():
            match = self.match_to(sequences[index])
            if match is not None:
                starts[index], stops[index] = match.rstart, match.rstop
        return starts, stops

    def aligner_rows(self, sequences: Sequence[str], starts: np.ndarray) -> np.ndarray:
        """The reads that exact_starts (`starts`) leaves undecided and that pass match_to's own first
        test, cutadapt's k-mer check (run here on all of them at once: most reads of another kit
        fail it): the reads locate_all gives to the aligner."""
        undecided = np.flatnonzero(starts < 0)
        kmers = map(self.kmer_finder.kmers_present, pick(sequences, undecided))
        return undecided[np.fromiter(kmers, dtype=bool, count=len(undecided))]

    def _whole_after_head(self, sequences: Sequence[str], candidates: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Whether the layout's UMI (A, C, G or T only) and tail follow each candidate's head."""
        reads = pick(sequences, candidates)
        tail_starts = (starts + self.tail_offset).tolist()
        whole = np.fromiter(map(str.startswith, reads, repeat(self.tail), tail_starts), dtype=bool, count=len(reads))
        umis = map(str.__getitem__, reads, map(slice, (starts + self.umi_offset).tolist(), tail_starts))
        return whole & ~np.fromiter(map(bool, map(str.strip, umis, repeat("ACGT"))), dtype=bool, count=len(reads))


def pick(items: Sequence, rows: np.ndarray) -> list:
    """The items at `rows` (numpy row numbers), as a list."""
    return [items[row] for row in rows.tolist()]


def exact_pieces(layout: str, error_rate: float) -> tuple[tuple[int, str], ...]:
    """k + 1 disjoint (offset, piece) pieces of the layout's fixed (non-N) bases, k the errors
    cutadapt allows in the whole layout, and each piece's offset lowered by m // 2 - k: an
    acceptable alignment that starts before p - m // 2 holds a piece intact before p plus that
    lowered offset (module docstring). Empty when k >= m // 2 (the exact path never applies)."""
    errors = int(error_rate * len(layout))
    slack = len(layout) // 2 - errors
    segments = [(match.start(), match.group()) for match in re.finditer("[^N]+", layout)]
    if slack < 0 or sum(len(text) for _, text in segments) < errors + 1:
        return ()
    counts = [0] * len(segments)
    for _ in range(errors + 1):  # each piece to the segment whose pieces would stay longest
        widest = max(range(len(segments)), key=lambda index: len(segments[index][1]) / (counts[index] + 1))
        counts[widest] += 1
    pieces = []
    for (offset, text), count in zip(segments, counts):
        bounds = [len(text) * piece // count for piece in range(count + 1)] if count else []
        pieces += [(offset + first - slack, text[first:end]) for first, end in zip(bounds, bounds[1:])]
    return tuple(pieces)
