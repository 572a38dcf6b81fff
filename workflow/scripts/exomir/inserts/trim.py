"""Trim reads as a sample's kit says, each distinct read once.

Identical reads trim identically, so reads are counted first and every distinct read is
trimmed once, its insert carrying the read count: 2,000,000 simulated reads are 88,318
distinct ones (bench/run_benchmark.py). The adapter is found by cutadapt's own aligner with
the semantics of `cutadapt --cut CLIP_5P -a ADAPTER -e ERROR_RATE -O MIN_OVERLAP`: the 5' clip
goes first, then the first adapter occurrence, or an adapter prefix of at least MIN_OVERLAP nt
at the read's end, is removed with everything after it. tests/unit/inserts/test_trim.py checks the inserts
against the cutadapt command line read by read.

Most reads hold the whole layout adapter without an error, and for them the aligner is
skipped when the result is certain (LayoutAdapter.exact_start). cutadapt's Aligner.locate (cutadapt
5.x, _align.pyx) scans the read left to right; the first acceptable whole-adapter alignment
becomes the best, a later one replaces it only if it starts at most m // 2 nt after it
(m = layout length) with a higher score, and an exact one ends the search. An exact
occurrence at p scores m, more than any alignment with an error, so it is cutadapt's
answer unless an acceptable alignment starts before p - m // 2. Such an alignment has at
most k = floor(rate * m) errors, so one of k + 1 disjoint pieces of the adapter's fixed
bases is intact in it (pigeonhole), at a read position before p - m // 2 + offset + k; when
no piece occurs that early, there is none, and p is the answer. The reads this does not
settle (an error in the adapter, an adapter running off the read's end, a piece seen too
early, no adapter) go through the aligner.

There is no quality trimming: quality differs between identical reads, and a small-RNA read
holds its whole insert before the adapter, ahead of the low-quality tail.
"""

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from cutadapt.adapters import BackAdapter

from exomir.inserts.kits import layout_adapter


class LayoutAdapter(BackAdapter):
    """cutadapt's 3' adapter for a kit's layout, which also knows when the leftmost exact
    occurrence of the whole layout is cutadapt's match (exact_start, module docstring)."""

    def __init__(self, layout: str, error_rate: float, min_overlap: int):
        super().__init__(layout, max_errors=error_rate, min_overlap=min_overlap)
        self.head, wildcards, tail = layout.partition("N")
        self.tail = tail.lstrip("N")
        self.umi_offset, self.tail_offset = len(self.head), len(layout) - len(self.tail)
        self.has_wildcards = bool(wildcards)
        self.pieces = exact_pieces(layout, error_rate)

    def exact_start(self, sequence: str) -> int:
        """Where cutadapt's match starts in `sequence` when it is the leftmost exact occurrence
        of the whole layout (N standing for A, C, G or T) and that is certain without the
        aligner; otherwise -1."""
        start = sequence.find(self.head)
        if start < 0 or not self.pieces:
            return -1
        if self.has_wildcards:
            # The leftmost `head` starts the leftmost whole layout, if any: an earlier one would hold `head`.
            tail_start = start + self.tail_offset
            if len(sequence) < tail_start + len(self.tail) or not sequence.startswith(self.tail, tail_start):
                return -1
            if sequence[start + self.umi_offset : tail_start].strip("ACGT"):
                return -1
        for offset, piece in self.pieces:
            if sequence.find(piece) < start + offset:
                return -1
        return start


def adapter_finder(kit: dict[str, Any], error_rate: float, min_overlap: int) -> LayoutAdapter | None:
    """cutadapt's 3' adapter for the kit's read layout, or None for a kit whose reads are
    already trimmed. A UMI kit's layout adapter holds the UMI as N wildcards."""
    if not kit["adapter_3p"]:
        return None
    return LayoutAdapter(layout_adapter(kit), error_rate, min_overlap)


def umi_in_match(matched: str, umi_layout: dict[str, Any]) -> str | None:
    """The UMI in the read's part that matched a UMI kit's layout adapter, or None when the
    read ends before the whole UMI."""
    start = len(umi_layout["after"])
    umi = matched[start : start + umi_layout["length"]]
    return umi if len(umi) == umi_layout["length"] else None


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


def trim_read(sequence: str, kit: dict[str, Any], adapter: LayoutAdapter | None) -> tuple[str, str | None, bool]:
    """(insert, UMI, adapter found) of one read; the UMI is None without one."""
    if kit["clip_5p"]:
        sequence = sequence[kit["clip_5p"] :]
    if adapter is None:
        return sequence, None, False
    start = adapter.exact_start(sequence)
    if start >= 0:
        stop = start + len(adapter.sequence)
    else:
        match = adapter.match_to(sequence)
        if match is None:
            return sequence, None, False
        start, stop = match.rstart, match.rstop
    umi = umi_in_match(sequence[start:stop], kit["umi"]) if kit["umi"] else None
    return sequence[:start], umi, True


def trim_distinct(
    read_counts: Mapping[str, int],
    kit: dict[str, Any],
    adapter: LayoutAdapter | None,
    discard_untrimmed: bool,
    stats: Counter[str],
) -> Iterator[tuple[str, str | None, int]]:
    """(insert, UMI, reads) of every distinct read of `read_counts` ({sequence: reads}),
    each trimmed once; the UMI is None without one. Reads without an adapter are dropped
    with `discard_untrimmed` when the kit has an adapter: their insert is longer than the
    read. Adds the `input_reads`, `adapter_found` and `untrimmed_discarded` reads to `stats`
    once every read is trimmed. A generator, so that a chunk's inserts are counted as they
    come and never held at once."""
    found_reads = discarded = 0
    drop_untrimmed = adapter is not None and discard_untrimmed
    for sequence, count in read_counts.items():
        insert, umi, found = trim_read(sequence, kit, adapter)
        if found:
            found_reads += count
        elif drop_untrimmed:
            discarded += count
            continue
        yield insert, umi, count
    stats.update(input_reads=sum(read_counts.values()), adapter_found=found_reads, untrimmed_discarded=discarded)
