"""Align a sample's unique inserts, give every insert one biotype, and count miRNAs, isomiRs
and the other biotypes.

Alignment: align_inserts.py (combined annotation index, 3' A/T rescue, genome), run here so
that one job takes a sample from its collapsed table to its counts.

Biotype of an insert, by BIOTYPE_PRIORITY (annotation_reference.py; README, "Quantification"):
spike-in > tRNA > rRNA > Y RNA > mature miRNA > snRNA > snoRNA > other ncRNA > miRNA hairpin
outside any mature > genome > unassigned. Within the best biotype, the insert is split 1/N
between the distinct features it matches (miRNAs, tRNA family and fragment type, genes).

miRNA rules:
- An alignment to a hairpin fits a mature when its templated 5' end lies within
  `five_prime_tolerance` nt and its templated 3' end within `three_prime_tolerance` nt of the
  mature's ends. A 3' end that starts at a mismatch and is all A/T is a non-templated addition
  (like the tail align_inserts.py removed), up to `max_nontemplated` nt in all; other
  mismatches are substitutions.
- Canonical: both ends exact, no substitution, no addition. Everything else is an isomiR.
- Among all alignments of one insert only the best fits count (fit = |5' shift| + |3' shift| +
  substitutions). A mature found on several loci (hsa-miR-16-5p on mir-16-1 and mir-16-2) is
  one miRNA, counted once.
- An insert that fits matures of different names equally well is split 1/N between them, and
  the split is listed in the ambiguity table.
- An insert that aligns to hairpins but fits no mature is hairpin-only (loop or miRNA-offset
  RNA), split 1/N between its hairpins, unless another annotation explains it.
Nothing is filtered: every insert ends in one row of the insert table with its biotype.

tRNA fragment types (simplified from Kumar et al., Genome Biol 2016;17:1; halves are the
30-40 nt products of anticodon-loop cleavage, Yamasaki et al., J Cell Biol 2009;185:35):
starting at the tRNA's first 2 nt and ending in its last 3 nt (the CCA) is full_length; only
the 5' end: 5'_half when >= 28 nt, else 5'_tRF; only the 3' end: 3'_half or 3'_tRF likewise;
neither end: i-tRF.
"""

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from exomir.common.biotypes import BIOTYPE_PRIORITY
from exomir.quantify.align import NONTEMPLATED_BASES, align_inserts

HALF_MIN_LENGTH = 28
TRNA_5P_SLACK, TRNA_3P_SLACK = 1, 3
SNV_REGIONS = ((2, 7, "iso_snv_seed"), (8, 8, "iso_snv_central_offset"), (9, 12, "iso_snv_central"))
SNV_REGIONS += ((13, 17, "iso_snv_central_supp"),)
ISOMIR_COLUMNS = [
    "sequence",
    "mirna",
    "accession",
    "hairpin",
    "start",
    "end",
    "iso_5p",
    "iso_3p",
    "iso_add3p",
    "iso_snv",
    "variant",
    "canonical",
    "hits",
    "molecules",
    "reads",
    "count",
]
FEATURE_COLUMNS = ["biotype", "feature", "fragment_type", "count", "reads"]


def load_positions(path: str | os.PathLike) -> dict[str, list[tuple[str, str, int, int]]]:
    """{hairpin: [(mirna, accession, start, end), ...]} from the mature position table."""
    positions = defaultdict(list)
    for row in pd.read_csv(path, sep="\t").itertuples(index=False):
        positions[row.hairpin].append((row.mirna, row.accession, row.start, row.end))
    return positions


def load_records(path: str | os.PathLike) -> dict[str, tuple[str, str, int]]:
    """{reference: (biotype, family, length)} from the annotation record table."""
    table = pd.read_csv(path, sep="\t", keep_default_na=False)
    return {row.reference: (row.biotype, row.family, row.length) for row in table.itertuples(index=False)}


def parse_mismatches(descriptor: str) -> list[tuple[int, str, str]]:
    """bowtie's `offset:reference>read,...` as [(offset, reference base, read base)]."""
    if not isinstance(descriptor, str) or not descriptor:
        return []
    mismatches = []
    for item in descriptor.split(","):
        offset, change = item.split(":")
        reference_base, read_base = change.split(">")
        mismatches.append((int(offset), reference_base, read_base))
    return mismatches


def split_nontemplated(
    read: str, mismatches: Iterable[tuple[int, str, str]], tail: int, max_nontemplated: int
) -> tuple[int, int, list[tuple[int, str, str]]]:
    """Move the aligned read's 3' end from its last mismatch on into the non-templated tail
    when that end is all A/T and the tail stays within `max_nontemplated`; repeat while it
    applies. `read` is the aligned part of the insert. Returns (templated length, tail length,
    remaining mismatches)."""
    length, mismatches = len(read), sorted(mismatches)
    while mismatches:
        last = mismatches[-1][0]
        added = length - last
        if tail + added > max_nontemplated or set(read[last:length]) - NONTEMPLATED_BASES:
            break
        length, tail, mismatches = last, tail + added, mismatches[:-1]
    return length, tail, mismatches


def snv_label(position: int) -> str:
    """mirGFF3 substitution class of a 1-based position in the read."""
    for first, last, label in SNV_REGIONS:
        if first <= position <= last:
            return label
    return "iso_snv"


def mature_fits(
    alignment: tuple[int, str, int, int, str],
    sequence: str,
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    tolerances: tuple[int, int, int],
) -> list[dict[str, Any]]:
    """The matures one hairpin alignment fits, as dicts with fit and isomiR description.

    `alignment` is (tail, hairpin, start, end, mismatch descriptor); `tolerances` is
    (five_prime_tolerance, three_prime_tolerance, max_nontemplated)."""
    tail, hairpin, start, end, descriptor = alignment
    five_prime_tolerance, three_prime_tolerance, max_nontemplated = tolerances
    read = sequence[: end - start]  # the aligned part: the insert less any removed tail
    length, tail, substitutions = split_nontemplated(read, parse_mismatches(descriptor), tail, max_nontemplated)
    end = start + length
    fits = []
    for mirna, accession, mature_start, mature_end in positions.get(hairpin, ()):
        shift_5p, shift_3p = start - mature_start, end - mature_end
        if abs(shift_5p) > five_prime_tolerance or abs(shift_3p) > three_prime_tolerance:
            continue
        fits.append(
            {
                "fit": abs(shift_5p) + abs(shift_3p) + len(substitutions),
                "mirna": mirna,
                "accession": accession,
                "hairpin": hairpin,
                "start": start,
                "end": end,
                "iso_5p": shift_5p,
                "iso_3p": shift_3p,
                "iso_add3p": sequence[len(sequence) - tail :] if tail else "",
                "substitutions": [(offset + 1, reference, read) for offset, reference, read in substitutions],
            }
        )
    return fits


def mirgff_variant(fit: Mapping[str, Any]) -> str:
    """The mirGFF3 Variant attribute of one fit (NA for the canonical sequence)."""
    variants = [snv_label(position) for position, *_ in fit["substitutions"]]
    if fit["iso_add3p"]:
        variants.append(f"iso_add3p:{len(fit['iso_add3p'])}")
    if fit["iso_5p"]:
        variants.append(f"iso_5p:{fit['iso_5p']:+d}")
    if fit["iso_3p"]:
        variants.append(f"iso_3p:{fit['iso_3p']:+d}")
    return ",".join(sorted(set(variants))) or "NA"


def trna_fragment_type(start: int, end: int, length: int) -> str:
    at_5p, at_3p = start <= TRNA_5P_SLACK, end >= length - TRNA_3P_SLACK
    if at_5p and at_3p:
        return "full_length"
    if at_5p or at_3p:
        size = "half" if end - start >= HALF_MIN_LENGTH else "tRF"
        return f"{'5' if at_5p else '3'}'_{size}"
    return "i-tRF"


def resolve_insert(
    alignments: Iterable[tuple[int, str, int, int, str]],
    sequence: str,
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    records: Mapping[str, tuple[str, str, int]],
    tolerances: tuple[int, int, int],
) -> tuple[str, list[dict[str, Any]] | list[str] | list[tuple[str, str]]]:
    """Biotype and targets of one insert from its alignments (see module docstring).

    Returns ("miRNA", [best fits, one per mature name]), ("miRNA_hairpin", [hairpins]),
    (biotype, [(feature, fragment type)]) or ("unassigned", [])."""
    by_biotype = defaultdict(list)
    for alignment in alignments:
        reference = alignment[1]
        biotype = "genome" if reference.startswith("genome|") else records[reference][0]
        by_biotype[biotype].append(alignment)
    fits = []
    for tail, reference, start, end, descriptor in by_biotype.get("miRNA", ()):
        hairpin_alignment = (tail, reference.split("|", 1)[1], start, end, descriptor)
        fits += mature_fits(hairpin_alignment, sequence, positions, tolerances)
    if fits:
        by_biotype["miRNA"] = fits
    elif "miRNA" in by_biotype:
        by_biotype["miRNA_hairpin"] = by_biotype.pop("miRNA")
    for biotype in BIOTYPE_PRIORITY:
        if biotype not in by_biotype:
            continue
        hits = by_biotype[biotype]
        if biotype == "miRNA":
            best = min(fit["fit"] for fit in hits)
            by_name = {}
            for fit in sorted(hits, key=lambda fit: (fit["hairpin"], fit["start"])):
                if fit["fit"] == best:
                    by_name.setdefault(fit["mirna"], fit)
            return biotype, [by_name[name] for name in sorted(by_name)]
        if biotype == "miRNA_hairpin":
            return biotype, sorted({reference.split("|", 1)[1] for _, reference, *_ in hits})
        if biotype == "genome":
            return biotype, [("genome", "")]
        targets = set()
        for _, reference, start, end, _ in hits:
            _, family, length = records[reference]
            fragment_type = trna_fragment_type(start, end, length) if biotype == "tRNA" else ""
            targets.add((family, fragment_type))
        return biotype, sorted(targets)
    return "unassigned", []


def alignments_by_insert(
    alignments: Iterable[tuple[int, int, str, int, int, str]],
) -> dict[int, list[tuple[int, str, int, int, str]]]:
    """{row: [(tail, reference, start, end, mismatch descriptor), ...]} from align_inserts' rows."""
    grouped = defaultdict(list)
    for row, *alignment in alignments:
        grouped[row].append(tuple(alignment))
    return grouped


def align_and_count(
    collapsed: pd.DataFrame,
    index: str,
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    records: Mapping[str, tuple[str, str, int]],
    tolerances: tuple[int, int, int],
    mismatches: int,
    min_rescued_length: int,
    workdir: str | os.PathLike,
    report: str | os.PathLike,
    genome_index: str | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any], dict[str, int]]:
    """Align the collapsed table's inserts (align_inserts) and count them (count_sample).
    `tolerances` is (5' tolerance, 3' tolerance, max non-templated nt). Returns (tables,
    stats, alignment pass counts)."""
    alignments, passes = align_inserts(
        collapsed["sequence"].tolist(),
        index,
        mismatches,
        tolerances[2],
        min_rescued_length,
        workdir,
        report,
        genome_index,
    )
    tables, stats = count_sample(alignments_by_insert(alignments), collapsed, positions, records, tolerances)
    return tables, stats, passes


def count_sample(
    alignments: Mapping[int, Sequence[tuple[int, str, int, int, str]]],
    collapsed: pd.DataFrame,
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    records: Mapping[str, tuple[str, str, int]],
    tolerances: tuple[int, int, int],
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Count one sample. `collapsed` is the collapsed table (sequence, reads, molecules).

    Returns a dict of tables (inserts, mirnas, isomirs, hairpins, ambiguous, features) and the
    stats dict. Counts are molecules (equal to reads when the kit has no UMI); `reads` columns
    keep the read numbers.
    """
    mirna_counts = defaultdict(lambda: {"canonical": 0.0, "isomir": 0.0, "reads": 0.0})
    hairpin_counts = defaultdict(lambda: [0.0, 0.0])
    feature_counts = defaultdict(lambda: [0.0, 0.0])
    biotype_molecules, biotype_reads = defaultdict(float), defaultdict(float)
    isomirs, ambiguous, inserts = [], [], []
    for row, (sequence, reads, molecules) in enumerate(collapsed.itertuples(index=False)):
        biotype, targets = resolve_insert(alignments.get(row, ()), sequence, positions, records, tolerances)
        biotype_molecules[biotype] += molecules
        biotype_reads[biotype] += reads
        share = 1.0 / len(targets) if targets else 1.0
        if biotype == "miRNA":
            names = [fit["mirna"] for fit in targets]
            for fit in targets:
                canonical = mirgff_variant(fit) == "NA"
                counts = mirna_counts[(fit["mirna"], fit["accession"])]
                counts["canonical" if canonical else "isomir"] += molecules * share
                counts["reads"] += reads * share
                isomirs.append(isomir_row(sequence, fit, canonical, len(targets), molecules, reads))
            if len(targets) > 1:
                ambiguous.append({"sequence": sequence, "molecules": molecules, "split_between": ";".join(names)})
            described = ";".join(names)
        elif biotype == "miRNA_hairpin":
            for hairpin in targets:
                hairpin_counts[hairpin][0] += molecules * share
                hairpin_counts[hairpin][1] += reads * share
            described = ";".join(targets)
        else:
            for feature, fragment_type in targets:
                feature_counts[(biotype, feature, fragment_type)][0] += molecules * share
                feature_counts[(biotype, feature, fragment_type)][1] += reads * share
            described = ";".join(" ".join(filter(None, target)) for target in targets)
        inserts.append((sequence, reads, molecules, biotype, described))

    mirnas = pd.DataFrame(
        [{"mirna": mirna, "accession": accession, **counts} for (mirna, accession), counts in mirna_counts.items()],
        columns=["mirna", "accession", "canonical", "isomir", "reads"],
    )
    mirnas["count"] = mirnas["canonical"] + mirnas["isomir"]
    mirnas = mirnas[["mirna", "accession", "canonical", "isomir", "count", "reads"]]
    mirnas = mirnas.sort_values(["count", "mirna"], ascending=[False, True], ignore_index=True)
    hairpins = pd.DataFrame(
        [(hairpin, count, reads) for hairpin, (count, reads) in sorted(hairpin_counts.items())],
        columns=["hairpin", "count", "reads"],
    )
    features = pd.DataFrame(
        [(*key, count, reads) for key, (count, reads) in sorted(feature_counts.items())], columns=FEATURE_COLUMNS
    )
    tables = {
        "inserts": pd.DataFrame(inserts, columns=["sequence", "reads", "molecules", "biotype", "targets"]),
        "mirnas": mirnas,
        "isomirs": pd.DataFrame(isomirs, columns=ISOMIR_COLUMNS),
        "hairpins": hairpins,
        "ambiguous": pd.DataFrame(ambiguous, columns=["sequence", "molecules", "split_between"]),
        "features": features,
    }
    stats = {
        "molecules": int(collapsed["molecules"].sum()),
        "reads": int(collapsed["reads"].sum()),
        "mirna_molecules": float(mirnas["count"].sum()),
        "canonical_molecules": float(mirnas["canonical"].sum()),
        "isomir_molecules": float(mirnas["isomir"].sum()),
        "hairpin_only_molecules": float(hairpins["count"].sum()),
        "ambiguous_molecules": float(tables["ambiguous"]["molecules"].sum()),
        "mirnas_detected": int((mirnas["count"] > 0).sum()),
        "biotype_molecules": {biotype: float(biotype_molecules[biotype]) for biotype in BIOTYPE_PRIORITY},
        "biotype_reads": {biotype: float(biotype_reads[biotype]) for biotype in BIOTYPE_PRIORITY},
    }
    return tables, stats


def isomir_row(
    sequence: str, fit: Mapping[str, Any], canonical: bool, hits: int, molecules: int, reads: int
) -> tuple[str, str, str, str, int, int, int, int, str, str, str, bool, int, int, int, float]:
    substitutions = ",".join(f"{position}:{reference}>{read}" for position, reference, read in fit["substitutions"])
    return (
        sequence,
        fit["mirna"],
        fit["accession"],
        fit["hairpin"],
        fit["start"] + 1,
        fit["end"],
        fit["iso_5p"],
        fit["iso_3p"],
        fit["iso_add3p"],
        substitutions,
        mirgff_variant(fit),
        canonical,
        hits,
        molecules,
        reads,
        molecules / hits,
    )
