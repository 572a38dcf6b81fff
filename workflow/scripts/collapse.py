"""Collapse trimmed reads into unique inserts with a count per sample.

The collapsed table (sequence, reads, molecules) is what quantification and any later
reanalysis start from, so trimming never has to be repeated.
"""

import sys
import gzip
import json
from collections import Counter

import dnaio
import pandas as pd

from atomic import atomic_path


def clip_and_filter(sequences, clip_3p, min_length, max_length):
    """Count inserts after removing `clip_3p` bases from their 3' end and keeping
    those of `min_length`..`max_length` nt. Returns (Counter of inserts, stats dict)."""
    inserts = Counter()
    too_short = too_long = total = 0
    for sequence in sequences:
        total += 1
        if clip_3p:
            sequence = sequence[:-clip_3p]
        if len(sequence) < min_length:
            too_short += 1
        elif len(sequence) > max_length:
            too_long += 1
        else:
            inserts[sequence] += 1
    stats = {
        "trimmed_reads": total,
        "too_short": too_short,
        "too_long": too_long,
        "length_passed": total - too_short - too_long,
        "unique_sequences": len(inserts),
    }
    return inserts, stats


def collapsed_table(inserts):
    """Unique inserts as a table sorted by read count, most abundant first."""
    table = pd.DataFrame(inserts.items(), columns=["sequence", "reads"])
    table["molecules"] = table["reads"]
    return table.sort_values(["reads", "sequence"], ascending=[False, True], ignore_index=True)


def read_sequences(path):
    with dnaio.open(path) as reads:
        for read in reads:
            yield read.sequence


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    kit = snakemake.params.kit
    inserts, stats = clip_and_filter(
        read_sequences(snakemake.input.trimmed),
        clip_3p=kit["clip_3p"],
        min_length=snakemake.params.min_length,
        max_length=snakemake.params.max_length,
    )
    table = collapsed_table(inserts)
    with atomic_path(snakemake.output.table) as temporary:
        with gzip.open(temporary, "wt", compresslevel=1) as handle:
            table.to_csv(handle, sep="\t", index=False)
    with atomic_path(snakemake.output.stats) as temporary, open(temporary, "w") as handle:
        json.dump(stats, handle, indent=2)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
