"""Align each unique insert once to the combined annotation index, then rescue the rest.

Pass 1: every insert of the collapsed table against the combined index (all biotypes), with
bowtie 1 `-v <mismatches> -a --best --strata --norc`: every alignment in the best mismatch
stratum, sense strand only.
Pass 2: inserts that did not align and end in A/T are aligned again with 1..max_nontemplated
3' A/T removed (non-templated 3' additions, mostly mono-uridylation and adenylation of
miRNAs; Wyman et al., Genome Res 2011;21:1450). The shortest removal that aligns is kept; an
insert is never shortened below the minimum insert length.
Pass 3 (when a genome index is configured): inserts still unaligned, against the genome, both
strands, one alignment reported (only the count matters).

Result: one tuple per alignment: row (0-based row of the collapsed table), tail (3' nt removed
before aligning), reference, start, end (0-based, end exclusive, on the reference), and
mismatches (bowtie's descriptor, `offset:reference>read` with offsets from the read's 5' end).
"""

import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence

NONTEMPLATED_BASES = set("AT")


def run_bowtie(
    sequences: Sequence[str],
    index: str,
    arguments: Sequence[str],
    workdir: str | os.PathLike,
    report: str | os.PathLike | None = None,
) -> Iterator[tuple[int, str, int, int, str]]:
    """Align `sequences` (list of str) with bowtie 1; yield (input number, reference, start,
    end, mismatch descriptor) per alignment. bowtie's summary goes to `report` (a path)."""
    if not sequences and report is None:
        return
    # With no inserts bowtie still runs, so the sample keeps a (zero) report for MultiQC.
    with tempfile.NamedTemporaryFile("w", dir=workdir, suffix=".txt") as reads:
        reads.writelines(sequence + "\n" for sequence in sequences)
        reads.flush()
        command = ["bowtie", *arguments, "-r", "-x", index, reads.name]
        with open(report or "/dev/null", "w") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
            # Default bowtie output: name strand reference offset sequence qualities others mismatches.
            for line in process.stdout:
                fields = line.rstrip("\n").split("\t")
                start = int(fields[3])
                yield int(fields[0]), fields[2], start, start + len(fields[4]), fields[7]
            if process.wait() != 0:
                raise RuntimeError(f"bowtie failed ({process.returncode}): {' '.join(command)}; see {report}")


def nontemplated_candidates(
    sequences: Sequence[str], rows: Iterable[int], max_nontemplated: int, min_length: int
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
    mismatches: int,
    max_nontemplated: int,
    min_length: int,
    workdir: str | os.PathLike,
    report: str | os.PathLike,
    genome_index: str | None = None,
) -> tuple[list[tuple[int, int, str, int, int, str]], dict[str, int]]:
    """All passes (module docstring) over the inserts; returns (alignment rows, pass counts)."""
    annotation_arguments = ["-v", str(mismatches), "-a", "--best", "--strata", "--norc"]
    alignments = [(row, 0, *hit) for row, *hit in run_bowtie(sequences, index, annotation_arguments, workdir, report)]
    aligned = {alignment[0] for alignment in alignments}
    counts = {"aligned_as_is": len(aligned)}

    unaligned = [row for row in range(len(sequences)) if row not in aligned]
    candidates = nontemplated_candidates(sequences, unaligned, max_nontemplated, min_length)
    by_candidate = {}
    for number, *hit in run_bowtie([sequence for *_, sequence in candidates], index, annotation_arguments, workdir):
        by_candidate.setdefault(number, []).append(hit)
    shortest_tail = {}
    for number in sorted(by_candidate):
        row, tail, _ = candidates[number]
        if shortest_tail.setdefault(row, tail) == tail:
            alignments += [(row, tail, *hit) for hit in by_candidate[number]]
    aligned |= set(shortest_tail)
    counts["aligned_after_tail_removal"] = len(shortest_tail)

    counts["aligned_to_genome"] = 0
    if genome_index:
        unaligned = [row for row in range(len(sequences)) if row not in aligned]
        genome_arguments = ["-v", str(mismatches), "-k", "1"]
        hits = run_bowtie([sequences[row] for row in unaligned], genome_index, genome_arguments, workdir)
        for number, reference, start, end, descriptor in hits:
            alignments.append((unaligned[number], 0, f"genome|{reference}", start, end, descriptor))
            counts["aligned_to_genome"] += 1
    return alignments, counts
