"""From a sample's FASTQ.gz lanes to its unique inserts: kit, trimming and collapsing in one job.

The kit is decided on the first reads (kits.gather_evidence, kits.choose_kit). Then every read
is counted, each distinct read trimmed once (trim.trim_distinct), and the inserts clipped,
length-filtered and collapsed (collapse). One process reads the FASTQ once for all of it:
the reads are decompressed in a second thread and never written out again.

A declared kit is used as given; a mismatch with the reads becomes a warning in the report.
`auto` takes the detected kit, or stops naming the best candidates.
"""

import contextlib
import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any

import dnaio

from exomir.inserts.collapse import InsertCounts
from exomir.inserts.kits import choose_kit, gather_evidence
from exomir.inserts.trim import adapter_finder, trim_distinct

# Distinct reads are counted and trimmed per chunk of reads, so memory stays bounded when
# most reads are distinct (UMI libraries); 1,000,000 distinct 75-nt reads take about 190 MB.
READS_PER_CHUNK = 1_000_000
TRIM_COUNTS = ("input_reads", "adapter_found", "untrimmed_discarded", "lowercase_reads")
# Distinct reads trimmed at once. With the whole chunk at once, 8,000,000 high-diversity QIAseq
# reads peaked at 982 MB (/usr/bin/time), against 924 MB when each read was counted as it was trimmed.
TRIM_BATCH = 200_000


class ReadFileError(ValueError):
    """A lane that is not a complete FASTQ (or FASTA) file."""


@contextlib.contextmanager
def lane_sequences(lane: str | os.PathLike) -> Iterator[Iterator[str]]:
    """The read sequences of one lane, read lazily; a malformed or truncated lane raises
    ReadFileError naming the file and, where the parser knows it, the line."""
    try:
        with dnaio.open(lane, open_threads=1) as reads:
            # map() keeps the per-read work in C: a generator here costs 0.3 s per 2,000,000 reads.
            yield map(attrgetter("sequence"), reads)
    except (dnaio.exceptions.FileFormatError, EOFError, OSError) as error:
        raise ReadFileError(f"{lane}: {error}") from error


def distinct_read_chunks(
    lanes: Iterable[str | os.PathLike], chunk_reads: int, stats: Counter[str] | None = None
) -> Iterator[Counter[str]]:
    """{sequence: reads} of consecutive chunks of at most `chunk_reads` reads of each lane, in
    capitals; `stats`, when given, counts the `lowercase_reads`."""
    for lane in lanes:
        with lane_sequences(lane) as sequences:
            while chunk := Counter(itertools.islice(sequences, chunk_reads)):
                lowercase = uppercase(chunk)
                if stats is not None:
                    stats["lowercase_reads"] += lowercase
                yield chunk
                del chunk  # before the next chunk is counted: two would be held at once


def uppercase(read_counts: Counter[str]) -> int:
    """Put every sequence of `read_counts` in capitals, in place (FASTQ allows lowercase bases,
    which the adapters and references, all in capitals, would never match), merging counts of
    sequences that differ only in case; returns the reads that had lowercase bases. A chunk in
    capitals pays one `isupper` of all its distinct reads joined."""
    if "".join(read_counts).isupper():  # one test for the whole chunk (a few ms per 1,000,000 reads)
        return 0
    lower = [sequence for sequence in read_counts if not sequence.isupper() and sequence]
    reads = 0
    for sequence in lower:
        count = read_counts.pop(sequence)
        read_counts[sequence.upper()] += count
        reads += count
    return reads


def first_reads(lanes: Iterable[str | os.PathLike], max_reads: int) -> Counter[str]:
    """{sequence: reads} of the first `max_reads` reads of the lanes, read in order."""
    counts = Counter()
    for lane in lanes:
        with lane_sequences(lane) as sequences:
            counts.update(itertools.islice(sequences, max_reads - counts.total()))
    uppercase(counts)
    return counts


def detect(
    sample: str,
    declared: str,
    lanes: Iterable[str | os.PathLike],
    kits: Mapping[str, dict[str, Any]],
    mature_sequences: Iterable[str],
    max_reads: int,
    min_fraction: float,
    error_rate: float,
) -> dict[str, Any]:
    """The kit decision on the first `max_reads` reads (see kits.choose_kit), with the chosen
    kit's preset."""
    detection = gather_evidence(first_reads(lanes, max_reads), kits, mature_sequences, error_rate)
    decision = choose_kit(sample, declared, detection, list(kits), min_fraction)
    decision["preset"] = kits[decision["kit"]]
    return decision


def insert_length_range(kit: dict[str, Any], min_length: int | None, max_length: int | None) -> tuple[int, int]:
    """The kit's insert length range, either end replaced by the config's when it sets one."""
    kit_min, kit_max = kit["insert_length"]
    return (kit_min if min_length is None else min_length, kit_max if max_length is None else max_length)


def collapse_lanes(
    lanes: Iterable[str | os.PathLike],
    kit: dict[str, Any],
    trim_config: Mapping[str, Any],
    length_range: Sequence[int],
    chunk_reads: int = READS_PER_CHUNK,
) -> tuple[list[tuple[str, int, int]], dict[str, Any]]:
    """(collapsed rows, stats) of all reads of the lanes trimmed as `kit` says."""
    adapter = adapter_finder(kit, trim_config["error_rate"], trim_config["min_adapter_overlap"])
    inserts = InsertCounts(kit, *length_range)
    trim_counts = Counter(dict.fromkeys(TRIM_COUNTS, 0))
    for chunk in distinct_read_chunks(lanes, chunk_reads, trim_counts):
        # Trimmed and counted a batch at a time: the batch's inserts and UMIs are Python strings
        # until they are counted.
        distinct = iter(chunk.items())
        while batch := dict(itertools.islice(distinct, TRIM_BATCH)):
            inserts.add(trim_distinct(batch, kit, adapter, trim_config["discard_untrimmed"], trim_counts))
        del chunk, distinct  # as in distinct_read_chunks
    rows, umi_stats = inserts.collapse()
    return rows, {**trim_counts, **inserts.length_stats(), "umi": umi_stats}
