"""Assign hairpin alignments of unique inserts to mature miRNAs and count them.

Rules (also in the README):
- An alignment is assigned to a mature on its hairpin when its 5' end lies within
  `five_prime_tolerance` nt and its 3' end within `three_prime_tolerance` nt of the
  mature's ends. It is canonical when both ends match and it has no mismatch.
- Among all alignments of one insert, only the best fits are kept (fit = |5' shift| +
  |3' shift| + mismatches). A mature found on several loci (hsa-miR-16-5p on mir-16-1 and
  mir-16-2) is one miRNA, counted once.
- An insert that fits matures of different names equally well is split 1/N between them,
  and the split is listed in the ambiguity table.
- An insert that aligns to hairpins but fits no mature is counted as hairpin-only
  (loop or miRNA-offset RNA), split 1/N between its hairpins.
"""

import itertools
import json
import sys
from collections import defaultdict

import pandas as pd
import pysam

from atomic import atomic_path


def load_positions(path):
    """{hairpin: [(mirna, accession, start, end), ...]} from the mature position table."""
    positions = defaultdict(list)
    for row in pd.read_csv(path, sep="\t").itertuples(index=False):
        positions[row.hairpin].append((row.mirna, row.accession, row.start, row.end))
    return positions


def mature_fits(hairpin, start, end, mismatches, positions, five_prime_tolerance, three_prime_tolerance):
    """Matures of `hairpin` that the aligned interval [start, end) fits, as
    (fit, mirna, accession, canonical) tuples."""
    fits = []
    for mirna, accession, mature_start, mature_end in positions.get(hairpin, ()):
        shift_5p, shift_3p = start - mature_start, end - mature_end
        if abs(shift_5p) <= five_prime_tolerance and abs(shift_3p) <= three_prime_tolerance:
            canonical = shift_5p == 0 and shift_3p == 0 and mismatches == 0
            fits.append((abs(shift_5p) + abs(shift_3p) + mismatches, mirna, accession, canonical))
    return fits


def assign_insert(alignments, positions, five_prime_tolerance, three_prime_tolerance):
    """Decide what one insert counts towards.

    `alignments` are (hairpin, start, end, mismatches) tuples. Returns
    ("mirna", {(mirna, accession): canonical}) or ("hairpin", [hairpins]) or ("unaligned", []).
    """
    if not alignments:
        return "unaligned", []
    fits = [
        fit
        for hairpin, start, end, mismatches in alignments
        for fit in mature_fits(hairpin, start, end, mismatches, positions, five_prime_tolerance, three_prime_tolerance)
    ]
    if not fits:
        return "hairpin", sorted({hairpin for hairpin, *_ in alignments})
    best = min(fit[0] for fit in fits)
    matures = {}
    for fit, mirna, accession, canonical in fits:
        if fit == best:
            matures[(mirna, accession)] = matures.get((mirna, accession), False) or canonical
    return "mirna", matures


def read_alignments(bam_path):
    """Yield (row, [(hairpin, start, end, mismatches), ...]) per aligned insert.

    Bowtie names each insert by its 0-based row in the collapsed table and reports all
    alignments of an insert together."""
    with pysam.AlignmentFile(bam_path, "rb", check_sq=False) as bam:
        for name, records in itertools.groupby(bam, key=lambda record: record.query_name):
            yield int(name), [
                (record.reference_name, record.reference_start, record.reference_end, record.get_tag("NM"))
                for record in records
                if not record.is_unmapped
            ]


def count_sample(bam_path, collapsed, positions, five_prime_tolerance, three_prime_tolerance):
    """Count one sample. `collapsed` is the collapsed table (sequence, reads, molecules).

    Returns (per-miRNA table, hairpin-only table, ambiguity table, stats dict).
    Counts are molecules (equal to reads when the kit has no UMI).
    """
    mirna_counts = defaultdict(lambda: {"canonical": 0.0, "isomir": 0.0, "reads": 0.0})
    hairpin_counts = defaultdict(float)
    ambiguous = []
    inserts = list(collapsed.itertuples(index=False))
    for row, alignments in read_alignments(bam_path):
        sequence, reads, molecules = inserts[row]
        outcome, targets = assign_insert(alignments, positions, five_prime_tolerance, three_prime_tolerance)
        if outcome == "mirna":
            share = 1.0 / len(targets)
            for key, canonical in targets.items():
                counts = mirna_counts[key]
                counts["canonical" if canonical else "isomir"] += molecules * share
                counts["reads"] += reads * share
            if len(targets) > 1:
                names = ";".join(sorted(mirna for mirna, _ in targets))
                ambiguous.append({"sequence": sequence, "molecules": molecules, "split_between": names})
        elif outcome == "hairpin":
            for hairpin in targets:
                hairpin_counts[hairpin] += molecules / len(targets)
    mirnas = pd.DataFrame(
        [{"mirna": mirna, "accession": accession, **counts} for (mirna, accession), counts in mirna_counts.items()],
        columns=["mirna", "accession", "canonical", "isomir", "reads"],
    )
    mirnas["count"] = mirnas["canonical"] + mirnas["isomir"]
    mirnas = mirnas[["mirna", "accession", "canonical", "isomir", "count", "reads"]]
    mirnas = mirnas.sort_values(["count", "mirna"], ascending=[False, True], ignore_index=True)
    hairpins = pd.DataFrame(sorted(hairpin_counts.items()), columns=["hairpin", "count"])
    ambiguity = pd.DataFrame(ambiguous, columns=["sequence", "molecules", "split_between"])
    stats = {
        "molecules": int(collapsed["molecules"].sum()),
        "mirna_molecules": float(mirnas["count"].sum()),
        "hairpin_only_molecules": float(hairpins["count"].sum()),
        "ambiguous_molecules": float(ambiguity["molecules"].sum()),
        "mirnas_detected": int((mirnas["count"] > 0).sum()),
    }
    return mirnas, hairpins, ambiguity, stats


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    mirnas, hairpins, ambiguity, stats = count_sample(
        snakemake.input.bam,
        pd.read_csv(snakemake.input.collapsed, sep="\t", usecols=["sequence", "reads", "molecules"]),
        load_positions(snakemake.input.positions),
        snakemake.params.five_prime_tolerance,
        snakemake.params.three_prime_tolerance,
    )
    outputs = snakemake.output
    for table, path in ((mirnas, outputs.mirnas), (hairpins, outputs.hairpins), (ambiguity, outputs.ambiguous)):
        with atomic_path(path) as temporary:
            table.to_csv(temporary, sep="\t", index=False)
    with atomic_path(outputs.stats) as temporary, open(temporary, "w") as handle:
        json.dump(stats, handle, indent=2)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
