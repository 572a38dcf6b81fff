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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from exomir.common.biotypes import BIOTYPE_PRIORITY
from exomir.quantify.align import ALIGNMENT_COLUMNS, NONTEMPLATED_BASES, align_inserts
from exomir.quantify.exact import ExactIndex

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


# Fragment types of the targets: "" for every biotype but tRNA. In sorted order, so that their
# positions sort as their names do.
FRAGMENT_TYPES = ("", "3'_half", "3'_tRF", "5'_half", "5'_tRF", "full_length", "i-tRF")


def trna_fragment_type(start: Any, end: Any, length: Any) -> np.ndarray:
    """Fragment type of tRNA alignments from 0-based start, end and the tRNA's length (numbers
    or arrays of them), as positions in FRAGMENT_TYPES."""
    start, end, length = np.asarray(start), np.asarray(end), np.asarray(length)
    at_5p, at_3p = start <= TRNA_5P_SLACK, end >= length - TRNA_3P_SLACK
    half = end - start >= HALF_MIN_LENGTH
    conditions = [at_5p & at_3p, at_5p & half, at_5p, at_3p & half, at_3p]
    choices = [FRAGMENT_TYPES.index(name) for name in ("full_length", "5'_half", "5'_tRF", "3'_half", "3'_tRF")]
    return np.select(conditions, choices, FRAGMENT_TYPES.index("i-tRF"))


def best_mature_fits(fits: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The best fits of one insert, one per mature name (the first by hairpin and start), by name."""
    fits = list(fits)
    best = min(fit["fit"] for fit in fits)
    by_name = {}
    for fit in sorted(fits, key=lambda fit: (fit["hairpin"], fit["start"])):
        if fit["fit"] == best:
            by_name.setdefault(fit["mirna"], fit)
    return [by_name[name] for name in sorted(by_name)]


@dataclass
class Resolution:
    """Biotype and targets of every insert (see module docstring).

    `biotypes`: one per insert. `mirna_fits`: {row: best fits, one per mature name, by name} of
    the miRNA inserts. `targets`: (row, feature, fragment_type) of every other insert that has
    targets, sorted, its names categorical (codes in name order): hairpins of miRNA_hairpin
    inserts, ("genome", "") of genome ones, feature family and tRNA fragment type of the others."""

    biotypes: np.ndarray
    mirna_fits: dict[int, list[dict[str, Any]]]
    targets: pd.DataFrame


def resolve_inserts(
    alignments: pd.DataFrame,
    sequences: Sequence[str],
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    records: Mapping[str, tuple[str, str, int]],
    tolerances: tuple[int, int, int],
) -> Resolution:
    """Resolve every insert from its alignments (align.ALIGNMENT_COLUMNS): hairpin alignments
    are fitted to matures one by one, the biotypes and other targets are chosen for all inserts
    at once (numpy, pandas)."""
    rank = {biotype: number for number, biotype in enumerate(BIOTYPE_PRIORITY)}
    if not alignments["row"].is_monotonic_increasing:  # align_inserts gives them sorted
        alignments = alignments.sort_values("row", kind="stable", ignore_index=True)
    codes, references = pd.factorize(alignments["reference"])
    described = [("genome", "genome", 0) if name.startswith("genome|") else records[name] for name in references]
    reference_rank = np.array([rank[biotype] for biotype, _, _ in described], dtype=np.int64)
    ranks = reference_rank[codes] if len(references) else np.zeros(0, dtype=np.int64)
    rows = alignments["row"].to_numpy()

    is_mirna = ranks == rank["miRNA"]
    fits = defaultdict(list)
    for row, tail, reference, start, end, mismatches in alignments.loc[is_mirna, ALIGNMENT_COLUMNS].itertuples(
        index=False
    ):
        hairpin_alignment = (tail, reference.split("|", 1)[1], start, end, mismatches)
        fits[row] += mature_fits(hairpin_alignment, sequences[row], positions, tolerances)
    fitted = np.zeros(len(sequences), dtype=bool)
    fitted[[row for row, found in fits.items() if found]] = True
    # Hairpin alignments of an insert that fits no mature: hairpin-only, below every other annotation.
    ranks = np.where(is_mirna & ~fitted[rows], rank["miRNA_hairpin"], ranks)
    best = np.full(len(sequences), rank["unassigned"], dtype=np.int64)
    if len(rows):
        firsts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        best[rows[firsts]] = np.minimum.reduceat(ranks, firsts)
    mirna_fits = {row: best_mature_fits(fits[row]) for row in np.flatnonzero(best == rank["miRNA"]).tolist()}

    # Targets of the other inserts: (row, feature, fragment type) coded as one integer, sorted
    # and deduplicated. A reference's feature is its hairpin when the insert is
    # hairpin-only (a miRNA record), else its family.
    kept = (ranks == best[rows]) & (ranks != rank["miRNA"])
    feature_names = [
        name.split("|", 1)[-1] if biotype == "miRNA" else family
        for name, (biotype, family, _) in zip(references, described)
    ]
    features, feature_codes = np.unique(np.array(feature_names, dtype=object), return_inverse=True)
    kept_codes, kept_rows = codes[kept], rows[kept]
    fragment = np.zeros(len(kept_codes), dtype=np.int64)
    trna = reference_rank[kept_codes] == rank["tRNA"]
    trna_lengths = np.array([length for _, _, length in described], dtype=np.int64)[kept_codes[trna]]
    starts, ends = (alignments[column].to_numpy()[kept][trna] for column in ("start", "end"))
    fragment[trna] = trna_fragment_type(starts, ends, trna_lengths)
    kinds = len(FRAGMENT_TYPES)
    keys = np.sort((kept_rows * max(len(features), 1) + feature_codes[kept_codes]) * kinds + fragment)
    # Sorted, then each key once (np.unique hashes: 1.6 instead of 0.1 CPU s for a million keys).
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    target_rows, feature_and_fragment = np.divmod(keys, max(len(features), 1) * kinds)
    feature_code, fragment_code = np.divmod(feature_and_fragment, kinds)
    targets = pd.DataFrame(
        {
            "row": target_rows,
            "feature": pd.Categorical.from_codes(feature_code, categories=features),
            "fragment_type": pd.Categorical.from_codes(fragment_code, categories=FRAGMENT_TYPES),
        }
    )
    return Resolution(np.array(BIOTYPE_PRIORITY, dtype=object)[best], mirna_fits, targets)


def align_and_count(
    collapsed: pd.DataFrame,
    index: str,
    exact: ExactIndex,
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
        exact,
        mismatches,
        tolerances[2],
        min_rescued_length,
        workdir,
        report,
        genome_index,
    )
    tables, stats = count_sample(alignments, collapsed, positions, records, tolerances)
    return tables, stats, passes


def sums_by_key(keys: pd.DataFrame, weights: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """`keys` with each weight summed per distinct key, the keys sorted. Sums are taken in row
    order (np.bincount), as adding one row after another would."""
    groups = keys.groupby(list(keys.columns), sort=True, observed=True)
    codes = groups.ngroup().to_numpy()
    table = groups.size().reset_index()[list(keys.columns)]
    for name, weight in weights.items():
        table[name] = np.bincount(codes, weights=weight, minlength=len(table)) if len(codes) else []
    return table


def count_sample(
    alignments: pd.DataFrame,
    collapsed: pd.DataFrame,
    positions: Mapping[str, Sequence[tuple[str, str, int, int]]],
    records: Mapping[str, tuple[str, str, int]],
    tolerances: tuple[int, int, int],
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Count one sample. `collapsed` is the collapsed table (sequence, reads, molecules),
    `alignments` its inserts' alignments (align.ALIGNMENT_COLUMNS).

    Returns a dict of tables (inserts, mirnas, isomirs, hairpins, ambiguous, features) and the
    stats dict. Counts are molecules (equal to reads when the kit has no UMI); `reads` columns
    keep the read numbers.
    """
    sequences = collapsed["sequence"].tolist()
    reads, molecules = collapsed["reads"].to_numpy(), collapsed["molecules"].to_numpy()
    resolution = resolve_inserts(alignments, sequences, positions, records, tolerances)
    described = np.full(len(sequences), "", dtype=object)

    mirna_counts = defaultdict(lambda: {"canonical": 0.0, "isomir": 0.0, "reads": 0.0})
    isomirs, ambiguous = [], []
    for row, fits in resolution.mirna_fits.items():
        sequence, row_reads, row_molecules = sequences[row], int(reads[row]), int(molecules[row])
        share = 1.0 / len(fits)
        names = [fit["mirna"] for fit in fits]
        for fit in fits:
            variant = mirgff_variant(fit)
            canonical = variant == "NA"
            counts = mirna_counts[(fit["mirna"], fit["accession"])]
            counts["canonical" if canonical else "isomir"] += row_molecules * share
            counts["reads"] += row_reads * share
            isomirs.append(isomir_row(sequence, fit, variant, len(fits), row_molecules, row_reads))
        if len(fits) > 1:
            ambiguous.append({"sequence": sequence, "molecules": row_molecules, "split_between": ";".join(names)})
        described[row] = ";".join(names)

    targets = resolution.targets
    target_rows = targets["row"].to_numpy()
    per_row = np.bincount(target_rows, minlength=len(sequences))
    share = 1.0 / per_row[target_rows]
    weights = {"count": molecules[target_rows] * share, "reads": reads[target_rows] * share}
    biotypes = resolution.biotypes[target_rows]
    hairpin_only = biotypes == "miRNA_hairpin"
    hairpins = sums_by_key(
        targets.loc[hairpin_only, ["feature"]].rename(columns={"feature": "hairpin"}),
        {name: weight[hairpin_only] for name, weight in weights.items()},
    )
    others = ~hairpin_only
    features = sums_by_key(
        targets.loc[others, ["feature", "fragment_type"]].assign(biotype=biotypes[others])[FEATURE_COLUMNS[:3]],
        {name: weight[others] for name, weight in weights.items()},
    )
    # A target's label is its feature and fragment type, either left out when empty; made once
    # per distinct pair.
    kinds = len(FRAGMENT_TYPES)
    pairs = targets["feature"].cat.codes.to_numpy(np.int64) * kinds + targets["fragment_type"].cat.codes.to_numpy()
    distinct, pair_of_target = np.unique(pairs, return_inverse=True)
    names = targets["feature"].cat.categories
    pair_labels = [
        " ".join(filter(None, (names[pair // kinds], FRAGMENT_TYPES[pair % kinds]))) for pair in distinct.tolist()
    ]
    labels = np.array(pair_labels, dtype=object)[pair_of_target]
    single = per_row[target_rows] == 1
    described[target_rows[single]] = labels[single]
    several = np.flatnonzero(~single)
    several_rows, several_labels = target_rows[several], labels[several].tolist()
    firsts = np.flatnonzero(np.r_[True, several_rows[1:] != several_rows[:-1]]) if len(several) else several
    for row, first, last in zip(several_rows[firsts].tolist(), firsts.tolist(), [*firsts[1:].tolist(), len(several)]):
        described[row] = ";".join(several_labels[first:last])

    mirnas = pd.DataFrame(
        [{"mirna": mirna, "accession": accession, **counts} for (mirna, accession), counts in mirna_counts.items()],
        columns=["mirna", "accession", "canonical", "isomir", "reads"],
    )
    mirnas["count"] = mirnas["canonical"] + mirnas["isomir"]
    mirnas = mirnas[["mirna", "accession", "canonical", "isomir", "count", "reads"]]
    mirnas = mirnas.sort_values(["count", "mirna"], ascending=[False, True], ignore_index=True)
    inserts = collapsed[["sequence", "reads", "molecules"]].reset_index(drop=True)
    tables = {
        "inserts": inserts.assign(biotype=resolution.biotypes, targets=described),
        "mirnas": mirnas,
        "isomirs": pd.DataFrame(isomirs, columns=ISOMIR_COLUMNS),
        "hairpins": hairpins,
        "ambiguous": pd.DataFrame(ambiguous, columns=["sequence", "molecules", "split_between"]),
        "features": features,
    }
    biotype_codes = pd.Categorical(resolution.biotypes, categories=BIOTYPE_PRIORITY).codes
    biotype_molecules = np.bincount(biotype_codes, weights=molecules, minlength=len(BIOTYPE_PRIORITY))
    biotype_reads = np.bincount(biotype_codes, weights=reads, minlength=len(BIOTYPE_PRIORITY))
    stats = {
        "molecules": int(collapsed["molecules"].sum()),
        "reads": int(collapsed["reads"].sum()),
        "mirna_molecules": float(mirnas["count"].sum()),
        "canonical_molecules": float(mirnas["canonical"].sum()),
        "isomir_molecules": float(mirnas["isomir"].sum()),
        "hairpin_only_molecules": float(hairpins["count"].sum()),
        "ambiguous_molecules": float(tables["ambiguous"]["molecules"].sum()),
        "mirnas_detected": int((mirnas["count"] > 0).sum()),
        "biotype_molecules": dict(zip(BIOTYPE_PRIORITY, map(float, biotype_molecules))),
        "biotype_reads": dict(zip(BIOTYPE_PRIORITY, map(float, biotype_reads))),
    }
    return tables, stats


def isomir_row(
    sequence: str, fit: Mapping[str, Any], variant: str, hits: int, molecules: int, reads: int
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
        variant,
        variant == "NA",
        hits,
        molecules,
        reads,
        molecules / hits,
    )
