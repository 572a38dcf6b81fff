"""Collapse trimmed reads into unique inserts with a count per sample.

The collapsed table (sequence, reads, molecules) is what quantification and any later
reanalysis start from, so trimming never has to be repeated. The kit comes from the
sample's kit-detection JSON: its 3' clip, insert length range and UMI layout. Without a UMI
every read is a molecule; with one, `molecules` counts the insert's molecules after UMI
deduplication (umi.molecules_per_insert) and `reads` stays the raw read count.
"""

import gzip
import itertools
import json
import sys
from collections import Counter

import pandas as pd

from atomic import atomic_path
from umi import molecules_per_insert, umi_from_header


def clip_and_filter(read_counts, clip_3p, min_length, max_length):
    """Count (insert, UMI) pairs after removing `clip_3p` bases from each read's 3' end and
    keeping inserts of `min_length`..`max_length` nt. `read_counts` maps (sequence, UMI)
    pairs, the UMI None without one, to their number of reads. Returns (Counter of pairs,
    stats dict)."""
    pairs = Counter()
    too_short = too_long = total = 0
    for (sequence, umi), count in read_counts.items():
        total += count
        if clip_3p:
            sequence = sequence[:-clip_3p]
        if len(sequence) < min_length:
            too_short += count
        elif len(sequence) > max_length:
            too_long += count
        else:
            pairs[sequence, umi] += count
    stats = {
        "trimmed_reads": total,
        "too_short": too_short,
        "too_long": too_long,
        "length_passed": total - too_short - too_long,
        "unique_sequences": len({insert for insert, _ in pairs}),
    }
    return pairs, stats


def count_inserts(pairs, has_umi):
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


def collapsed_table(reads, molecules):
    """Unique inserts as a table sorted by read count, most abundant first."""
    table = pd.DataFrame({"reads": pd.Series(reads, dtype="int64")})
    table["molecules"] = pd.Series(molecules, dtype="int64").reindex(table.index, fill_value=0)
    table = table.rename_axis("sequence").reset_index()
    return table.sort_values(["reads", "sequence"], ascending=[False, True], ignore_index=True)


def count_trimmed(path, umi_layout):
    """Reads per (sequence, UMI) in cutadapt's FASTA output, whose records are one header
    and one sequence line each; the UMI is None without a UMI layout.

    Without a UMI, identical sequence lines are counted first, in C, so the Python work
    grows with the unique sequences rather than with the reads."""
    read_counts = Counter()
    with open(path) as handle:
        if umi_layout:
            for header, sequence in zip(handle, handle):
                read_counts[sequence.rstrip("\n"), umi_from_header(header[1:].rstrip("\n"), umi_layout)] += 1
        else:
            for line, count in Counter(itertools.islice(handle, 1, None, 2)).items():
                read_counts[line.rstrip("\n"), None] += count
    return read_counts


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    with open(snakemake.input.kit) as handle:
        kit = json.load(handle)["preset"]
    min_length, max_length = kit["insert_length"]
    if snakemake.params.min_length is not None:
        min_length = snakemake.params.min_length
    if snakemake.params.max_length is not None:
        max_length = snakemake.params.max_length
    pairs, stats = clip_and_filter(
        count_trimmed(snakemake.input.trimmed, kit["umi"]),
        clip_3p=kit["clip_3p"],
        min_length=min_length,
        max_length=max_length,
    )
    reads, molecules, umi_stats = count_inserts(pairs, has_umi=bool(kit["umi"]))
    stats["umi"] = umi_stats
    table = collapsed_table(reads, molecules)
    with atomic_path(snakemake.output.table) as temporary:
        with gzip.open(temporary, "wt", compresslevel=1) as handle:
            table.to_csv(handle, sep="\t", index=False)
    with atomic_path(snakemake.output.stats) as temporary, open(temporary, "w") as handle:
        json.dump(stats, handle, indent=2)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
