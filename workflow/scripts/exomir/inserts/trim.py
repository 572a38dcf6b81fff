"""Trim reads as a sample's kit says, each distinct read once.

Identical reads trim identically, so reads are counted first and every distinct read is
trimmed once, its insert carrying the read count: 2,000,000 simulated reads are 88,318
distinct ones (bench/run_benchmark.py). The adapter is found by cutadapt's own aligner with
the semantics of `cutadapt --cut CLIP_5P -a ADAPTER -e ERROR_RATE -O MIN_OVERLAP`: the 5' clip
goes first, then the first adapter occurrence, or an adapter prefix of at least MIN_OVERLAP nt
at the read's end, is removed with everything after it. tests/unit/inserts/test_trim.py checks the inserts
against the cutadapt command line read by read.

Most reads hold the whole layout adapter without an error; for them the aligner is skipped
when the result is certain (adapters.LayoutAdapter.exact_starts, all reads at once). The reads
this does not settle (an error in the adapter, an adapter running off the read's end, a piece
seen too early, no adapter) go through the aligner.

There is no quality trimming: quality differs between identical reads, and a small-RNA read
holds its whole insert before the adapter, ahead of the low-quality tail.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from exomir.inserts.adapters import LayoutAdapter, pick
from exomir.inserts.kits import layout_adapter


def adapter_finder(kit: dict[str, Any], error_rate: float, min_overlap: int) -> LayoutAdapter | None:
    """cutadapt's 3' adapter for the kit's read layout, or None for a kit whose reads are
    already trimmed. A UMI kit's layout adapter holds the UMI as N wildcards."""
    if not kit["adapter_3p"]:
        return None
    return LayoutAdapter(layout_adapter(kit), error_rate, min_overlap)


def umis_at(
    sequences: Sequence[str], starts: np.ndarray, stops: np.ndarray, umi_layout: dict[str, Any]
) -> list[str | None]:
    """The UMI of each read whose layout adapter matched at starts:stops (`after`, then the UMI),
    or None where the match ends before the whole UMI."""
    length = umi_layout["length"]
    firsts = starts + len(umi_layout["after"])
    lasts = np.minimum(stops, firsts + length)
    umis = map(str.__getitem__, sequences, map(slice, firsts.tolist(), lasts.tolist()))
    return [umi if len(umi) == length else None for umi in umis]


@dataclass
class Trimmed:
    """The trimmed reads, in the order given: `inserts`, `umis` (None per read without a whole
    UMI; None altogether for a kit without one), whether the adapter was `found`, and `reads`
    per distinct read (trim_distinct)."""

    inserts: list[str]
    umis: list[str | None] | None
    found: np.ndarray
    reads: np.ndarray | None = None


def trim_reads(sequences: Sequence[str], kit: dict[str, Any], adapter: LayoutAdapter | None) -> Trimmed:
    """Insert, UMI and adapter found of each read (LayoutAdapter.locate_all)."""
    if kit["clip_5p"]:
        sequences = [sequence[kit["clip_5p"] :] for sequence in sequences]
    if adapter is None:
        return Trimmed(list(sequences), [None] * len(sequences) if kit["umi"] else None, np.zeros(len(sequences), bool))
    starts, stops = adapter.locate_all(sequences)
    found = starts >= 0
    cuts = np.where(found, starts, np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences)))
    inserts = list(map(str.__getitem__, sequences, map(slice, repeat(0), cuts.tolist())))
    umis = None
    if kit["umi"]:
        umis = umis_at(sequences, starts, stops, kit["umi"])
        umis = [umi if was_found else None for umi, was_found in zip(umis, found.tolist())]
    return Trimmed(inserts, umis, found)


def trim_distinct(
    read_counts: Mapping[str, int],
    kit: dict[str, Any],
    adapter: LayoutAdapter | None,
    discard_untrimmed: bool,
    stats: Counter[str],
) -> Trimmed:
    """Every distinct read of `read_counts` ({sequence: reads}) trimmed once (trim_reads), with
    its `reads`. Reads without an adapter are dropped with `discard_untrimmed` when the kit has
    an adapter: their insert is longer than the read. Adds the `input_reads`, `adapter_found`
    and `untrimmed_discarded` reads to `stats`."""
    trimmed = trim_reads(list(read_counts), kit, adapter)
    reads = np.fromiter(read_counts.values(), dtype=np.int64, count=len(read_counts))
    found_reads = int(reads[trimmed.found].sum())
    discarded = 0
    if adapter is not None and discard_untrimmed and not trimmed.found.all():
        discarded = int(reads.sum()) - found_reads
        kept = np.flatnonzero(trimmed.found)
        trimmed.inserts = pick(trimmed.inserts, kept)
        trimmed.umis = pick(trimmed.umis, kept) if trimmed.umis is not None else None
        trimmed.found, reads = trimmed.found[kept], reads[kept]
    trimmed.reads = reads
    stats.update(input_reads=int(reads.sum()) + discarded, adapter_found=found_reads, untrimmed_discarded=discarded)
    return trimmed
