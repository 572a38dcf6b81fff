"""Trim reads as a sample's kit says, each distinct read once.

Identical reads trim identically, so reads are counted first and every distinct read is
trimmed once, its insert carrying the read count: 2,000,000 simulated reads are 88,318
distinct ones (bench/run_benchmark.py). The adapter is found by cutadapt's own aligner with
the semantics of `cutadapt --cut CLIP_5P -a ADAPTER -e ERROR_RATE -O MIN_OVERLAP`: the 5' clip
goes first, then the first adapter occurrence, or an adapter prefix of at least MIN_OVERLAP nt
at the read's end, is removed with everything after it. tests/unit/inserts/test_trim.py checks the inserts
against the cutadapt command line read by read.

There is no quality trimming: quality differs between identical reads, and a small-RNA read
holds its whole insert before the adapter, ahead of the low-quality tail.
"""

from collections import Counter
from collections.abc import Mapping
from typing import Any

from cutadapt.adapters import BackAdapter

from exomir.inserts.kits import layout_adapter


def adapter_finder(kit: dict[str, Any], error_rate: float, min_overlap: int) -> BackAdapter | None:
    """cutadapt's 3' adapter for the kit's read layout, or None for a kit whose reads are
    already trimmed. A UMI kit's layout adapter holds the UMI as N wildcards."""
    if not kit["adapter_3p"]:
        return None
    return BackAdapter(layout_adapter(kit), max_errors=error_rate, min_overlap=min_overlap)


def umi_in_match(matched: str, umi_layout: dict[str, Any]) -> str | None:
    """The UMI in the read's part that matched a UMI kit's layout adapter, or None when the
    read ends before the whole UMI."""
    start = len(umi_layout["after"])
    umi = matched[start : start + umi_layout["length"]]
    return umi if len(umi) == umi_layout["length"] else None


def trim_read(sequence: str, kit: dict[str, Any], adapter: BackAdapter | None) -> tuple[str, str | None, bool]:
    """(insert, UMI, adapter found) of one read; the UMI is None without one."""
    sequence = sequence[kit["clip_5p"] :]
    if adapter is None:
        return sequence, None, False
    match = adapter.match_to(sequence)
    if match is None:
        return sequence, None, False
    umi = umi_in_match(sequence[match.rstart : match.rstop], kit["umi"]) if kit["umi"] else None
    return sequence[: match.rstart], umi, True


def trim_distinct(
    read_counts: Mapping[str, int], kit: dict[str, Any], adapter: BackAdapter | None, discard_untrimmed: bool
) -> tuple[Counter[tuple[str, str | None]], Counter[str]]:
    """Trim every distinct read of `read_counts` ({sequence: reads}) once.

    Returns (Counter of (insert, UMI) pairs with their reads, Counter of `input_reads`,
    `adapter_found` and `untrimmed_discarded` reads). Reads without an adapter are dropped
    with `discard_untrimmed` when the kit has an adapter: their insert is longer than the read.
    """
    pairs = Counter()
    stats = Counter()
    for sequence, count in read_counts.items():
        insert, umi, found = trim_read(sequence, kit, adapter)
        stats["input_reads"] += count
        stats["adapter_found"] += count * found
        if not found and adapter is not None and discard_untrimmed:
            stats["untrimmed_discarded"] += count
            continue
        pairs[insert, umi] += count
    return pairs, stats
