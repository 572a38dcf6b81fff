"""Simulate small-RNA-seq reads of any kit in resources/kits.yaml, with a truth table.

Read 1 is built as the kit lays it out (see kits.yaml):
    [clip_5p random nt] insert [clip_3p random nt] [poly(A)] adapter_3p [UMI then_adapter] filler
and truncated to the read length; the filler is one random sequence per run, standing in for
the index and flow-cell adapter that follow the 3' adapter. Kits without a 3' adapter give the
bare insert. Inserts are mature miRNAs (canonical or isomiRs), fragments of contaminant
FASTA records, random sequences and (optionally) adapter dimers, molecules without an insert.
With a UMI kit each molecule is sequenced as several PCR duplicates that share insert, random
clip bases and UMI; otherwise every read is a molecule. Sequencing errors hit every base of the
read outside the UMI (the UMI has its own rate), at one rate or at a rate drawn per read.

`--diversity high` simulates libraries as diverse as real ones (HIGH_DIVERSITY): errors of
0.1-1 % per base, fragments of tRNA, rRNA, Y RNA and other small ncRNA (the annotation bundle's
FASTAs) and adapter dimers; the default stays the low-diversity library of earlier versions.

The truth TSV has one row per read: read_id biotype name kind insert umi molecule.
Everything random comes from one seed, so the same arguments give byte-identical outputs.
"""

import argparse
import contextlib
import gzip
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import dnaio
import numpy as np
import pandas as pd

from exomir.common.atomic import atomic_path
from exomir.common.fasta import read_fasta
from exomir.inserts.kits import kit_preset, load_kits

try:
    from isal import igzip as fast_gzip
except ImportError:
    fast_gzip = None

REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_KITS = REPO_ROOT / "resources" / "kits.yaml"
DEFAULT_MATURE = REPO_ROOT / "resources" / "mirbase-v22-hsa" / "mature.fa"
DEFAULT_HAIRPIN = REPO_ROOT / "resources" / "mirbase-v22-hsa" / "hairpin.fa"

# The miRNAs that dominate plasma/serum small-RNA libraries, most abundant first: red-cell
# miR-486-5p and miR-451a, then miR-92a-3p, miR-16-5p, let-7b-5p, miR-25-3p and miR-223-3p.
# Juzenas et al., "A comprehensive, cell specific microRNA catalogue of human peripheral
# blood", Nucleic Acids Res 2017;45:9290-9301; Hulstaert et al., "Charting extracellular
# transcriptomes in The Human Biofluid RNA Atlas", Cell Rep 2020;33:108552; exRNAQC
# Consortium, "Blood collection tube and RNA purification method recommendations for
# extracellular RNA transcriptome profiling", Nat Commun 2025;16:4513.
PLASMA_TOP_MIRNAS = (
    "hsa-miR-486-5p",
    "hsa-miR-451a",
    "hsa-miR-92a-3p",
    "hsa-miR-16-5p",
    "hsa-let-7b-5p",
    "hsa-miR-25-3p",
    "hsa-miR-223-3p",
)
DEFAULT_PROFILE_SIZE = 300
ZIPF_EXPONENT = 1.1  # the miRNA of rank r gets weight r**-1.1: a heavy tail

ISOMIR_KINDS = ("canonical", "isomiR-5p", "isomiR-3p", "nta", "substitution")
KINDS = (*ISOMIR_KINDS, "fragment", "random", "dimer")
DIMER_BIOTYPE = "adapter_dimer"
END_SHIFTS = (-2, -1, 1, 2)  # isomiR-5p/3p: negative trims the end, positive extends it
END_FLANK = max(END_SHIFTS)  # hairpin bases kept on each side of a mature for extensions
NON_TEMPLATED_TAILS = ("A", "AA", "T", "TT")
FRAGMENT_LENGTH = (16, 40)  # contaminant fragments, nt, both ends included
POLYA_LENGTH = (10, 30)  # poly(A) tail added before ligation (polya kits), nt
QUALITY = ord("I")
READS_PER_CHUNK = 200_000
TRUTH_COLUMNS = ("read_id", "biotype", "name", "kind", "insert", "umi", "molecule")

# The fragment sources of `--diversity high`: the annotation bundle's FASTAs (resources/bundle/
# MANIFEST.tsv), the small ncRNAs split into Y RNA (GENCODE gene names RNY*) and the others.
BUNDLE_ANNOTATION = REPO_ROOT / "resources" / "bundle" / "annotation"
FRAGMENT_SOURCES = {
    "tRNA": (BUNDLE_ANNOTATION / "trna.fa.gz", None),
    "rRNA": (BUNDLE_ANNOTATION / "rrna.fa.gz", None),
    "Y_RNA": (BUNDLE_ANNOTATION / "ncrna.fa.gz", True),
    "ncRNA": (BUNDLE_ANNOTATION / "ncrna.fa.gz", False),
}
# Project choice for a high-diversity library, set so that simulated TruSeq reads are about as
# diverse as the real ones of ../shared/data/reads (distinct share of the first 10,000 reads:
# exRNAQC017 28-31 %, miRTrace 32-70 %; QIAseq 99 %): per-read error rates uniform in 0.1-1 %
# (Illumina substitution rates, Schirmer et al., BMC Bioinformatics 2016;17:125), 30 % ncRNA
# fragments, 2 % adapter dimers and 2 % random inserts. bench/run_benchmark.py reports the
# distinct share of every file it times.
HIGH_DIVERSITY = {
    "error_rate": 0.001,
    "max_error_rate": 0.01,
    "contaminant_fraction": 0.3,
    "dimer_fraction": 0.02,
    "random_fraction": 0.02,
}

BASES = "ACGT"
N_CODE, PAD_CODE = 4, 5
DECODE = np.frombuffer(b"ACGTN\0", dtype=np.uint8)  # padding decodes to NUL, dropped on output
ENCODE = np.full(256, N_CODE, dtype=np.uint8)  # any symbol other than A/C/G/T/U becomes N
for _code, _bases in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    ENCODE[np.frombuffer(_bases.encode(), dtype=np.uint8)] = _code


@dataclass
class Library:
    """Molecules of a simulated library and the molecule each read sequences.

    Per molecule: `biotype` and `name` index the `biotypes` and `names` tables, `kind` KINDS;
    `template` holds 5' clip + insert + 3' clip + poly(A) as base codes padded with PAD_CODE,
    the insert starting at column `clip_5p`. `before_umi` and `after_umi` are the adapter codes
    around the UMI (adapter and filler are all in `after_umi` without a UMI). Sequencing errors
    are drawn from `error_seed` when reads are produced, so producing them again repeats them.
    """

    biotypes: list
    names: list
    biotype: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    template: np.ndarray
    template_length: np.ndarray
    clip_5p: int
    insert_length: np.ndarray
    umi: np.ndarray
    before_umi: np.ndarray
    after_umi: np.ndarray
    has_adapter: bool
    molecule_of_read: np.ndarray
    read_length: int
    error_rate: float
    umi_error_rate: float
    error_seed: np.random.SeedSequence
    max_error_rate: float | None = None


def encode(sequence: str) -> np.ndarray:
    """Base codes (A=0, C=1, G=2, T/U=3, other=N) of a sequence string."""
    return ENCODE[np.frombuffer(sequence.encode(), dtype=np.uint8)]


def padded_codes(sequences: Sequence[str], width: int) -> np.ndarray:
    """PAD_CODE-padded code matrix of `width` columns, one row per sequence."""
    matrix = np.full((len(sequences), width), PAD_CODE, dtype=np.uint8)
    for row, sequence in enumerate(sequences):
        matrix[row, : len(sequence)] = encode(sequence)
    return matrix


def read_mature_sequences(path: str | os.PathLike) -> dict[str, str]:
    """{mature name: DNA sequence}; fails on a record that is not plain A/C/G/T/U."""
    matures = read_fasta(path)
    if not matures:
        raise ValueError(f"{path}: no sequences")
    for name, sequence in matures.items():
        if len(sequence) < 3 or set(sequence) - set(BASES):
            raise ValueError(f"{path}: record {name} is not an A/C/G/T/U sequence: {sequence!r}")
    return matures


def read_profile(path: str | os.PathLike, matures: Mapping[str, str]) -> dict[str, float]:
    """{mature name: weight} from a `mirna<TAB>weight` TSV whose names are all in `matures`."""
    profile = {}
    with open(path) as handle:
        for row_number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2:
                raise ValueError(f"{path}, row {row_number}: expected 'mirna<TAB>weight', got {line!r}")
            name, weight = fields
            if row_number == 1 and weight.strip().lower() == "weight":
                continue
            try:
                weight = float(weight)
            except ValueError:
                raise ValueError(f"{path}, row {row_number}: weight {weight!r} is not a number") from None
            if not np.isfinite(weight) or weight < 0:
                raise ValueError(f"{path}, row {row_number}: weight {weight} must be finite and >= 0")
            if name not in matures:
                raise ValueError(f"{path}, row {row_number}: {name} is not in the mature FASTA")
            profile[name] = profile.get(name, 0.0) + weight
    if sum(profile.values()) <= 0:
        raise ValueError(f"{path}: no miRNA has a positive weight")
    return profile


def plasma_profile(
    mature_names: Sequence[str], rng: np.random.Generator, size: int = DEFAULT_PROFILE_SIZE
) -> dict[str, float]:
    """Plasma-like abundance: PLASMA_TOP_MIRNAS on top, then random matures, Zipf weights."""
    top = [name for name in PLASMA_TOP_MIRNAS if name in mature_names]
    others = sorted(set(mature_names) - set(top))
    n_others = min(max(size - len(top), 0), len(others))
    chosen = top + rng.choice(others, size=n_others, replace=False).tolist()
    ranks = np.arange(1, len(chosen) + 1)
    return dict(zip(chosen, (ranks**-ZIPF_EXPONENT).tolist()))


def hairpin_flanks(
    mature_sequences: Mapping[str, str], hairpins: Mapping[str, str], flank: int = END_FLANK
) -> dict[str, tuple[str, str]]:
    """{mature name: (upstream, downstream)} hairpin bases around the mature's first occurrence.

    Hairpins are searched in file order; a mature found in none gets empty flanks.
    """
    flanks = {}
    for name, mature in mature_sequences.items():
        flanks[name] = ("", "")
        for hairpin in hairpins.values():
            start = hairpin.find(mature)
            if start >= 0:
                end = start + len(mature)
                flanks[name] = (hairpin[max(start - flank, 0) : start], hairpin[end : end + flank])
                break
    return flanks


def isomir_sequence(mature: str, kind: str, parameter: int, upstream: str = "", downstream: str = "") -> str:
    """The insert of one isomiR of `mature`.

    isomiR-5p/-3p: END_SHIFTS[parameter] nt trimmed (negative) or templated from the hairpin
    flank (positive; trimmed instead when the flank is too short); nta: the non-templated
    tail NON_TEMPLATED_TAILS[parameter]; substitution: the base at parameter // 4 replaced by
    the base (parameter % 4) steps further in ACGT.
    """
    if kind == "canonical":
        return mature
    if kind in ("isomiR-5p", "isomiR-3p"):
        shift = END_SHIFTS[parameter]
        flank = upstream if kind == "isomiR-5p" else downstream
        if shift > len(flank):
            shift = -shift
        if kind == "isomiR-5p":
            return flank[len(flank) - shift :] + mature if shift > 0 else mature[-shift:]
        return mature + flank[:shift] if shift > 0 else mature[:shift]
    if kind == "nta":
        return mature + NON_TEMPLATED_TAILS[parameter]
    if kind == "substitution":
        position, step = divmod(parameter, 4)
        substitute = BASES[(BASES.index(mature[position]) + step) % 4]
        return mature[:position] + substitute + mature[position + 1 :]
    raise ValueError(f"unknown isomiR kind {kind!r}")


def mirna_molecules(
    count: int,
    profile: Mapping[str, float],
    mature_sequences: Mapping[str, str],
    flanks: Mapping[str, tuple[str, str]],
    isomir_fraction: float,
    width: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(profile index, ISOMIR_KINDS index, insert codes, insert lengths) of `count` molecules."""
    names = list(profile)
    weights = np.array(list(profile.values()), dtype=float)
    mature_length = np.array([len(mature_sequences[name]) for name in names])
    mirna = rng.choice(len(names), size=count, p=weights / weights.sum())
    is_isomir = rng.random(count) < isomir_fraction
    kind = np.where(is_isomir, rng.integers(1, len(ISOMIR_KINDS), count), 0)
    internal_position = 1 + (rng.random(count) * (mature_length[mirna] - 2)).astype(np.int64)
    substitution = internal_position * 4 + rng.integers(1, 4, count)
    parameter = np.where(kind == ISOMIR_KINDS.index("substitution"), substitution, rng.integers(0, 4, count))
    parameter[kind == 0] = 0
    # Build each distinct (miRNA, kind, parameter) once; its molecules share the insert.
    n_parameters = 4 * (int(mature_length.max()) + 1)
    key = (mirna * len(ISOMIR_KINDS) + kind) * n_parameters + parameter
    variants, variant_of_molecule = np.unique(key, return_inverse=True)
    inserts = []
    for variant in variants.tolist():
        mirna_and_kind, variant_parameter = divmod(variant, n_parameters)
        variant_mirna, variant_kind = divmod(mirna_and_kind, len(ISOMIR_KINDS))
        name = names[variant_mirna]
        inserts.append(
            isomir_sequence(mature_sequences[name], ISOMIR_KINDS[variant_kind], variant_parameter, *flanks[name])
        )
    insert_lengths = np.array([len(insert) for insert in inserts], dtype=np.int64)
    return mirna, kind, padded_codes(inserts, width)[variant_of_molecule], insert_lengths[variant_of_molecule]


def fragment_molecules(
    count: int, records: Mapping[str, str], path: str | os.PathLike, rng: np.random.Generator
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(record names, record index, fragment codes, lengths) of `count` random fragments.

    Symbols other than A/C/G/T/U in the records become N in the fragments.
    """
    low, high = FRAGMENT_LENGTH
    usable = {name: sequence for name, sequence in records.items() if len(sequence) >= low}
    if not usable:
        raise ValueError(f"{path}: no record of {low} nt or more to cut fragments from")
    record_lengths = np.array([len(sequence) for sequence in usable.values()])
    record_starts = np.concatenate([[0], np.cumsum(record_lengths)[:-1]])
    concatenated = np.concatenate([encode("".join(usable.values())), np.full(high, PAD_CODE, dtype=np.uint8)])
    record = rng.integers(0, len(usable), count)
    length = np.minimum(rng.integers(low, high + 1, count), record_lengths[record])
    start = record_starts[record] + (rng.random(count) * (record_lengths[record] - length + 1)).astype(np.int64)
    columns = np.arange(high)
    fragments = concatenated[start[:, None] + columns]
    fragments[columns >= length[:, None]] = PAD_CODE
    return list(usable), record, fragments, length


def pcr_copies(n_reads: int, mean_copies: float, rng: np.random.Generator) -> np.ndarray:
    """Reads per molecule (geometric, mean `mean_copies`) adding up to exactly `n_reads`."""
    copies = np.zeros(0, dtype=np.int64)
    while copies.sum() < n_reads:
        copies = np.concatenate([copies, rng.geometric(1 / mean_copies, int(n_reads / mean_copies) + 100)])
    total = np.cumsum(copies)
    n_molecules = int(np.searchsorted(total, n_reads)) + 1
    copies = copies[:n_molecules]
    copies[-1] -= total[n_molecules - 1] - n_reads
    return copies


def _place(destination: np.ndarray, offsets: np.ndarray, segment: np.ndarray, lengths: np.ndarray) -> None:
    """Write the first `lengths` columns of each `segment` row at `offsets` of `destination`."""
    columns = np.arange(segment.shape[1])
    target = offsets[:, None] + columns
    keep = (columns < lengths[:, None]) & (target < destination.shape[1])
    rows, segment_columns = np.nonzero(keep)
    destination[rows, target[keep]] = segment[rows, segment_columns]


def simulate(
    kit: Mapping[str, Any],
    mature_sequences: Mapping[str, str],
    hairpins: Mapping[str, str],
    n_reads: int,
    seed: int,
    read_length: int = 75,
    error_rate: float = 0.001,
    umi_error_rate: float | None = None,
    contaminants: Mapping[str, tuple[str | os.PathLike, Mapping[str, str]]] | None = None,
    contaminant_fraction: float = 0.0,
    random_fraction: float = 0.0,
    isomir_fraction: float = 0.2,
    profile: Mapping[str, float] | None = None,
    mean_pcr_copies: float = 3.0,
    dimer_fraction: float = 0.0,
    max_error_rate: float | None = None,
) -> Library:
    """A Library of `n_reads` reads of `kit` (a kits.yaml preset).

    contaminants: {biotype: (path, {record name: sequence})}; `contaminant_fraction` of the
    molecules are fragments of them, split evenly between biotypes, and `random_fraction` are
    random sequences of the kit's insert length range. profile: {mature name: weight}; None
    draws plasma_profile. mean_pcr_copies: mean reads per molecule, for UMI kits only.
    dimer_fraction: molecules without an insert (adapter dimers, biotype DIMER_BIOTYPE).
    max_error_rate: each read's error rate uniform in [error_rate, max_error_rate]; None: all
    reads at error_rate.
    """
    contaminants = contaminants or {}
    fractions = (("contaminant", contaminant_fraction), ("random", random_fraction), ("dimer", dimer_fraction))
    for label, fraction in fractions:
        if not 0 <= fraction <= 1:
            raise ValueError(f"{label} fraction {fraction} is not between 0 and 1")
    if contaminant_fraction + random_fraction + dimer_fraction > 1:
        raise ValueError("contaminant, random and dimer fractions add up to more than 1")
    if max_error_rate is not None and not 0 <= error_rate <= max_error_rate <= 1:
        raise ValueError(f"error rates {error_rate}-{max_error_rate} are not a range within 0-1")
    if contaminant_fraction > 0 and not contaminants:
        raise ValueError("a contaminant fraction needs at least one contaminant FASTA")
    if n_reads < 1 or read_length < 1:
        raise ValueError("the number of reads and the read length must be positive")
    if mean_pcr_copies < 1:
        raise ValueError(f"mean PCR copies {mean_pcr_copies} must be at least 1")
    umi = kit["umi"]
    adapter = kit["adapter_3p"] or ""
    if umi and not (umi["after"] or "").startswith(adapter):
        raise ValueError(f"kit {kit['name']}: umi.after must start with adapter_3p")
    profile_seed, molecule_seed, error_seed = np.random.SeedSequence(seed).spawn(3)
    profile_rng, rng = np.random.default_rng(profile_seed), np.random.default_rng(molecule_seed)
    if profile is None:
        profile = plasma_profile(sorted(mature_sequences), profile_rng)
    filler = profile_rng.integers(0, 4, read_length, dtype=np.uint8)

    if umi:
        copies = pcr_copies(n_reads, mean_pcr_copies, rng)
        molecule_of_read = rng.permutation(np.repeat(np.arange(len(copies)), copies))
    else:
        molecule_of_read = np.arange(n_reads)
    n_molecules = int(molecule_of_read.max()) + 1

    biotypes = ["miRNA", *contaminants, "random"]
    contaminant_shares = [contaminant_fraction / len(contaminants)] * len(contaminants) if contaminants else []
    shares = [1 - contaminant_fraction - random_fraction - dimer_fraction, *contaminant_shares, random_fraction]
    if dimer_fraction:  # last, so that libraries without dimers draw as before
        biotypes.append(DIMER_BIOTYPE)
        shares.append(dimer_fraction)
    biotype = rng.choice(len(biotypes), size=n_molecules, p=shares).astype(np.int16)
    low, high = kit["insert_length"]
    longest_mature = max(len(mature_sequences[mirna]) for mirna in profile)
    width = max(FRAGMENT_LENGTH[1], high, longest_mature + max(END_SHIFTS))
    names = list(profile)
    name = np.zeros(n_molecules, dtype=np.int64)
    kind = np.zeros(n_molecules, dtype=np.int16)
    insert = np.full((n_molecules, width), PAD_CODE, dtype=np.uint8)
    insert_length = np.zeros(n_molecules, dtype=np.int64)

    is_mirna = biotype == 0
    flanks = hairpin_flanks({mirna: mature_sequences[mirna] for mirna in profile}, hairpins)
    name[is_mirna], kind[is_mirna], insert[is_mirna], insert_length[is_mirna] = mirna_molecules(
        int(is_mirna.sum()), profile, mature_sequences, flanks, isomir_fraction, width, rng
    )
    for index, (path, records) in enumerate(contaminants.values(), start=1):
        selected = biotype == index
        record_names, record, fragments, length = fragment_molecules(int(selected.sum()), records, path, rng)
        name[selected], kind[selected] = len(names) + record, KINDS.index("fragment")
        insert[selected, : fragments.shape[1]], insert_length[selected] = fragments, length
        names += record_names
    is_random = biotype == biotypes.index("random")
    length = rng.integers(low, high + 1, int(is_random.sum()))
    random_codes = rng.integers(0, 4, (len(length), width), dtype=np.uint8)
    random_codes[np.arange(width) >= length[:, None]] = PAD_CODE
    name[is_random], kind[is_random] = len(names), KINDS.index("random")
    insert[is_random], insert_length[is_random] = random_codes, length
    names.append("")
    if dimer_fraction:  # no insert: the row stays padding, of length 0
        kind[biotype == biotypes.index(DIMER_BIOTYPE)] = KINDS.index("dimer")
        name[biotype == biotypes.index(DIMER_BIOTYPE)] = len(names) - 1

    clip_5p, clip_3p = kit["clip_5p"], kit["clip_3p"]
    polya_width = POLYA_LENGTH[1] if kit["polya"] else 0
    polya_length = rng.integers(POLYA_LENGTH[0], polya_width + 1, n_molecules) if kit["polya"] else 0
    template = np.full((n_molecules, clip_5p + width + clip_3p + polya_width), PAD_CODE, dtype=np.uint8)
    template[:, :clip_5p] = rng.integers(0, 4, (n_molecules, clip_5p), dtype=np.uint8)
    template[:, clip_5p : clip_5p + width] = insert
    clip_3p_codes = rng.integers(0, 4, (n_molecules, clip_3p), dtype=np.uint8)
    _place(template, clip_5p + insert_length, clip_3p_codes, np.full(n_molecules, clip_3p))
    polya = np.zeros((n_molecules, polya_width), dtype=np.uint8)
    _place(template, clip_5p + insert_length + clip_3p, polya, np.broadcast_to(polya_length, n_molecules))

    umi_length = umi["length"] if umi else 0
    return Library(
        biotypes=biotypes,
        names=names,
        biotype=biotype,
        name=name,
        kind=kind,
        template=template,
        template_length=clip_5p + insert_length + clip_3p + polya_length,
        clip_5p=clip_5p,
        insert_length=insert_length,
        umi=rng.integers(0, 4, (n_molecules, umi_length), dtype=np.uint8),
        before_umi=encode((umi["after"] or adapter) if umi else ""),
        after_umi=np.concatenate([encode((umi["then_adapter"] or "") if umi else adapter), filler]),
        has_adapter=bool(adapter),
        molecule_of_read=molecule_of_read,
        read_length=read_length,
        error_rate=error_rate,
        umi_error_rate=error_rate if umi_error_rate is None else umi_error_rate,
        error_seed=error_seed,
        max_error_rate=max_error_rate,
    )


def _substitute(
    codes: np.ndarray, rate: float | np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None
) -> None:
    """Replace each A/C/G/T code (where `allowed`) by another base with probability `rate`,
    one rate or one per row."""
    if codes.size == 0:
        return
    if isinstance(rate, np.ndarray):
        hit = rng.random(codes.shape, dtype=np.float32) < rate[:, None]
        hit &= codes < N_CODE
        if allowed is not None:
            hit &= allowed
        codes[hit] = (codes[hit] + rng.integers(1, 4, int(hit.sum()), dtype=np.uint8)) % 4
        return
    if rate <= 0:
        return
    # Positions drawn uniformly from all cells, then filtered: each kept cell is hit with
    # probability `rate`, whatever the share of padding.
    hits = rng.choice(codes.size, size=rng.binomial(codes.size, rate), replace=False)
    flat = codes.reshape(-1)
    hits = hits[flat[hits] < N_CODE]
    if allowed is not None:
        hits = hits[allowed.reshape(-1)[hits]]
    flat[hits] = (flat[hits] + rng.integers(1, 4, hits.size, dtype=np.uint8)) % 4


def chunk_bounds(n_reads: int, chunk_size: int = READS_PER_CHUNK) -> list[tuple[int, int]]:
    """(first, end) read index ranges, also cut at powers of ten so that ids in a chunk have
    one width (fixed-length FASTQ records then need no NUL removal)."""
    cuts = set(range(0, n_reads, chunk_size)) | {10**power for power in range(1, 19) if 10**power < n_reads}
    bounds = [*sorted(cuts), n_reads]
    return list(zip(bounds[:-1], bounds[1:]))


def read_chunks(library: Library) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index of the first read, read code matrix) chunk by chunk, errors included.

    Rows are PAD_CODE-padded when the kit has no adapter (reads are bare inserts).
    """
    rng = np.random.default_rng(library.error_seed)
    length = library.read_length
    template = library.template
    if template.shape[1] < length:
        template = np.pad(template, ((0, 0), (0, length - template.shape[1])), constant_values=PAD_CODE)
    umi_start, umi_length = len(library.before_umi), library.umi.shape[1]
    for first, end in chunk_bounds(len(library.molecule_of_read)):
        molecule = library.molecule_of_read[first:end]
        reads = template[molecule, :length]
        error_rate = library.error_rate
        if library.max_error_rate is not None:
            error_rate = rng.uniform(library.error_rate, library.max_error_rate, len(molecule)).astype(np.float32)
        if not library.has_adapter:
            _substitute(reads, error_rate, rng)
            yield first, reads
            continue
        tails = np.broadcast_to(library.after_umi, (len(molecule), len(library.after_umi)))
        if umi_length:
            umi = library.umi[molecule]
            _substitute(umi, library.umi_error_rate, rng)
            before_umi = np.broadcast_to(library.before_umi, (len(molecule), umi_start))
            tails = np.concatenate([before_umi, umi, tails], axis=1)
        outside_umi = np.ones(reads.shape, dtype=bool)
        # Reads whose template has the same length get their tail in one slice assignment.
        tail_start = library.template_length[molecule]
        order = np.argsort(tail_start, kind="stable")
        starts, group_firsts = np.unique(tail_start[order], return_index=True)
        for start, rows in zip(starts.tolist(), np.split(order, group_firsts[1:])):
            if start < length:
                reads[rows, start:] = tails[rows, : length - start]
                outside_umi[rows, start + umi_start : start + umi_start + umi_length] = False
        _substitute(reads, error_rate, rng, allowed=outside_umi if umi_length else None)
        yield first, reads


def _text_matrix(strings: Sequence[str]) -> np.ndarray:
    """NUL-padded ASCII matrix, one row per string."""
    array = np.asarray(strings, dtype="S")
    return array.view(np.uint8).reshape(len(array), array.itemsize)


def _number_matrix(numbers: np.ndarray) -> np.ndarray:
    """NUL-padded decimal digits, one row per non-negative integer."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n_digits = np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), numbers, side="right") + 1
    power = n_digits[:, None] - 1 - np.arange(int(n_digits.max(initial=1)))
    digits = (numbers[:, None] // 10 ** np.maximum(power, 0)) % 10 + ord("0")
    digits[power < 0] = 0
    return digits.astype(np.uint8)


def _records(*columns: np.ndarray | bytes) -> bytes:
    """Rows of uint8 matrices and constant bytes put side by side, NULs dropped, as bytes."""
    n_rows = next(len(column) for column in columns if isinstance(column, np.ndarray))
    parts = [
        np.broadcast_to(np.frombuffer(column, dtype=np.uint8), (n_rows, len(column)))
        if isinstance(column, bytes)
        else column
        for column in columns
    ]
    flat = np.concatenate(parts, axis=1).ravel()
    is_text = flat != 0
    return flat.tobytes() if is_text.all() else flat[is_text].tobytes()


def fastq_chunks(library: Library) -> Iterator[bytes]:
    """FASTQ text of the reads (ids sim0, sim1, ...) as bytes, chunk by chunk."""
    for first, codes in read_chunks(library):
        sequences = DECODE[codes]
        qualities = (sequences != 0).view(np.uint8) * np.uint8(QUALITY)
        read_ids = _number_matrix(np.arange(first, first + len(codes)))
        yield _records(b"@sim", read_ids, b"\n", sequences, b"\n+\n", qualities, b"\n")


def truth_chunks(library: Library) -> Iterator[bytes]:
    """Truth TSV text (header, then one row per read) as bytes, chunk by chunk."""
    biotypes, names = _text_matrix(library.biotypes), _text_matrix(library.names)
    kinds, columns = _text_matrix(KINDS), np.arange(library.template.shape[1] - library.clip_5p)
    yield ("\t".join(TRUTH_COLUMNS) + "\n").encode()
    for first, end in chunk_bounds(len(library.molecule_of_read)):
        molecule = library.molecule_of_read[first:end]
        insert = DECODE[library.template[molecule, library.clip_5p :]]
        insert[columns >= library.insert_length[molecule][:, None]] = 0
        yield _records(
            b"sim",
            _number_matrix(np.arange(first, first + len(molecule))),
            b"\t",
            biotypes[library.biotype[molecule]],
            b"\t",
            names[library.name[molecule]],
            b"\t",
            kinds[library.kind[molecule]],
            b"\t",
            insert,
            b"\t",
            DECODE[library.umi[molecule]],
            b"\t",
            _number_matrix(molecule),
            b"\n",
        )


def read_truth(source: str | os.PathLike | IO[bytes]) -> pd.DataFrame:
    """Truth TSV (path or file object) as a DataFrame; empty fields stay empty strings."""
    return pd.read_csv(source, sep="\t", keep_default_na=False, dtype={"umi": str, "name": str, "molecule": np.int64})


def truth_table(library: Library) -> pd.DataFrame:
    """The truth of `library` as a DataFrame, one row per read."""
    return read_truth(io.BytesIO(b"".join(truth_chunks(library))))


def true_counts(truth: pd.DataFrame) -> pd.DataFrame:
    """Reads and distinct molecules per true mature miRNA of a truth table, most reads first."""
    mirna = truth[truth["biotype"] == "miRNA"]
    counts = mirna.groupby("name").agg(reads=("molecule", "size"), molecules=("molecule", "nunique"))
    counts.index.name = "mirna"
    return counts.sort_values(["reads", "molecules"], ascending=False)


@contextlib.contextmanager
def open_output(path: str | os.PathLike) -> Iterator[io.BufferedIOBase]:
    """Binary handle on `path`, gzip level 1 (no name, mtime 0) if it ends in .gz."""
    with atomic_path(path) as temporary, open(temporary, "wb") as raw:
        if not str(path).endswith(".gz"):
            yield raw
            return
        gzip_file = fast_gzip.IGzipFile if fast_gzip is not None else gzip.GzipFile
        with gzip_file(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as compressed:
            yield compressed


def write_chunks(chunks: Iterable[bytes], path: str | os.PathLike) -> None:
    with open_output(path) as handle:
        for chunk in chunks:
            handle.write(chunk)


def fragment_sources() -> dict[str, tuple[Path, dict[str, str]]]:
    """{biotype: (FASTA, {record name: sequence})} of FRAGMENT_SOURCES; a source flagged True
    keeps the records whose GENCODE gene name starts with RNY (Y RNA), False the others."""
    sources = {}
    for biotype, (path, y_rna) in FRAGMENT_SOURCES.items():
        records = {}
        with dnaio.open(path) as fasta:
            for record in fasta:
                if y_rna is None or ('gene_name "RNY' in record.name) == y_rna:
                    records[record.name.split()[0]] = record.sequence.upper().replace("U", "T")
        sources[biotype] = (path, records)
    return sources


def parse_contaminant(argument: str) -> tuple[str, str]:
    """'BIOTYPE=PATH' -> (biotype, path)."""
    biotype, separator, path = argument.partition("=")
    if not separator or not biotype or not path:
        raise argparse.ArgumentTypeError(f"expected BIOTYPE=PATH, got {argument!r}")
    if biotype in ("miRNA", "random"):
        raise argparse.ArgumentTypeError(f"biotype {biotype!r} is reserved")
    return biotype, path


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kit", required=True, help="kit name in the kits file")
    parser.add_argument("--reads", type=int, required=True, help="number of reads")
    parser.add_argument("--fastq", required=True, help="output FASTQ (.gz to compress)")
    parser.add_argument("--truth", required=True, help="output truth TSV (.gz to compress)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument("--kits", default=DEFAULT_KITS, help="kit presets (default: %(default)s)")
    parser.add_argument("--mature", default=DEFAULT_MATURE, help="mature miRNA FASTA (default: %(default)s)")
    parser.add_argument(
        "--hairpin",
        default=DEFAULT_HAIRPIN,
        help="hairpin FASTA, for templated isomiR ends (default: %(default)s)",
    )
    parser.add_argument("--profile", help="abundance TSV 'mirna<TAB>weight' (default: plasma-like)")
    parser.add_argument(
        "--read-length",
        type=int,
        default=75,
        help="read length of adapter kits (default: %(default)s)",
    )
    parser.add_argument(
        "--diversity",
        choices=("low", "high"),
        default="low",
        help="high: the HIGH_DIVERSITY library (errors of 0.1-1 %% per base, tRNA, rRNA, Y RNA and ncRNA "
        "fragments, adapter dimers); options given explicitly override it (default: %(default)s)",
    )
    parser.add_argument("--error-rate", type=float, help="substitutions per base (default: 0.001)")
    parser.add_argument(
        "--max-error-rate", type=float, help="draw each read's error rate between --error-rate and this"
    )
    parser.add_argument("--dimer-fraction", type=float, help="molecules that are adapter dimers (default: 0)")
    parser.add_argument("--umi-error-rate", type=float, help="substitutions per UMI base (default: --error-rate)")
    parser.add_argument(
        "--isomir-fraction",
        type=float,
        default=0.2,
        help="miRNA molecules that are isomiRs (default: %(default)s)",
    )
    parser.add_argument(
        "--contaminant",
        type=parse_contaminant,
        action="append",
        default=[],
        metavar="BIOTYPE=FASTA",
        help="FASTA(.gz) to cut 16-40 nt contaminant fragments from; repeatable",
    )
    parser.add_argument(
        "--contaminant-fraction",
        type=float,
        help="molecules that are contaminant fragments (default: 0.2 with --contaminant, else 0)",
    )
    parser.add_argument("--random-fraction", type=float, help="molecules of random sequence (default: 0.01)")
    parser.add_argument(
        "--pcr-copies",
        type=float,
        default=3.0,
        help="mean reads per molecule, UMI kits (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    kit = kit_preset(load_kits(arguments.kits), arguments.kit)
    mature_sequences = read_mature_sequences(arguments.mature)
    contaminants = {biotype: (path, read_fasta(path)) for biotype, path in arguments.contaminant}
    preset = {"error_rate": 0.001, "max_error_rate": None, "dimer_fraction": 0.0, "random_fraction": 0.01}
    if arguments.diversity == "high":
        preset = dict(HIGH_DIVERSITY)
        contaminants = contaminants or fragment_sources()
    preset.setdefault("contaminant_fraction", 0.2 if contaminants else 0.0)
    options = {key: preset[key] if getattr(arguments, key) is None else getattr(arguments, key) for key in preset}
    library = simulate(
        kit,
        mature_sequences,
        read_fasta(arguments.hairpin),
        arguments.reads,
        arguments.seed,
        read_length=arguments.read_length,
        umi_error_rate=arguments.umi_error_rate,
        contaminants=contaminants,
        **options,
        isomir_fraction=arguments.isomir_fraction,
        profile=read_profile(arguments.profile, mature_sequences) if arguments.profile else None,
        mean_pcr_copies=arguments.pcr_copies,
    )
    write_chunks(fastq_chunks(library), arguments.fastq)
    write_chunks(truth_chunks(library), arguments.truth)


if __name__ == "__main__":
    main()
