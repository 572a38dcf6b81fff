"""Simulate small-RNA-seq reads of any kit in resources/kits.yaml, with a truth table.

Read 1 is built as the kit lays it out (see kits.yaml):
    [clip_5p random nt] insert [clip_3p random nt] [poly(A)] adapter_3p [UMI then_adapter] filler
and truncated to the read length; the filler is one random sequence per run, standing in for
the index and flow-cell adapter that follow the 3' adapter. Kits without a 3' adapter give the
bare insert. Inserts are mature miRNAs (canonical or isomiRs), fragments of contaminant
FASTA records and random sequences. With a UMI kit each molecule is sequenced as several PCR
duplicates that share insert, random clip bases and UMI; otherwise every read is a molecule.

Everything random comes from one seed, so the same arguments give byte-identical outputs.
"""

import argparse
import contextlib
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from atomic import atomic_path
from kits import kit_preset, load_kits
from mirna_reference import read_fasta

try:
    from isal import igzip as fast_gzip
except ImportError:
    fast_gzip = None

REPO_ROOT = Path(__file__).resolve().parents[2]
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
ZIPF_EXPONENT = 1.1  # weight of the miRNA of rank r is r**-1.1: a heavy tail

ISOMIR_KINDS = ("canonical", "isomiR-5p", "isomiR-3p", "nta", "substitution")
END_SHIFTS = (-2, -1, 1, 2)  # isomiR-5p/3p: negative trims the end, positive extends it
NON_TEMPLATED_TAILS = ("A", "AA", "T", "TT")
FRAGMENT_LENGTH = (16, 40)  # contaminant fragments, nt, both ends included
POLYA_LENGTH = (10, 30)  # poly(A) tail added before ligation (polya kits), nt
QUALITY = ord("I")
READS_PER_CHUNK = 200_000

BASES = "ACGT"
N_CODE, PAD_CODE = 4, 5
DECODE = np.frombuffer(b"ACGTN\0", dtype=np.uint8)  # PAD decodes to NUL, dropped by bytes views
ENCODE = np.full(256, N_CODE, dtype=np.uint8)  # any IUPAC code other than ACGT/U becomes N
for _code, _bases in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    ENCODE[np.frombuffer(_bases.encode(), dtype=np.uint8)] = _code


@dataclass
class Library:
    """Molecules of a simulated library and which molecule each read sequences.

    `template` holds, per molecule, 5' clip + insert + 3' clip + poly(A) as base codes padded
    with PAD_CODE; `before_umi` and `after_umi` are the adapter codes around the UMI (all of
    the adapter and filler sit in `after_umi` when the kit has no UMI). Sequencing errors are
    drawn when reads are produced, from `error_seed`, so producing them again repeats them.
    """

    biotype: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    insert: np.ndarray
    template: np.ndarray
    template_length: np.ndarray
    umi: np.ndarray
    before_umi: np.ndarray
    after_umi: np.ndarray
    has_adapter: bool
    molecule_of_read: np.ndarray
    read_length: int
    error_rate: float
    umi_error_rate: float
    error_seed: np.random.SeedSequence


def encode(sequence):
    """Base codes (A=0, C=1, G=2, T/U=3, other=N) of a sequence string."""
    return ENCODE[np.frombuffer(sequence.encode(), dtype=np.uint8)]


def decode_rows(codes):
    """Strings of the rows of a padded code matrix (padding dropped)."""
    ascii_rows = np.ascontiguousarray(DECODE[codes])
    return ascii_rows.view(f"S{codes.shape[1]}").ravel().astype(str)


def read_mature_sequences(path):
    """{mature name: DNA sequence}; fails on a record that is not plain A/C/G/T/U."""
    matures = read_fasta(path)
    for name, sequence in matures.items():
        if not sequence or set(sequence) - set(BASES):
            raise ValueError(f"{path}: record {name} is not an A/C/G/T/U sequence: {sequence!r}")
    if not matures:
        raise ValueError(f"{path}: no sequences")
    return matures


def read_profile(path, matures):
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
            if weight < 0 or not np.isfinite(weight):
                raise ValueError(f"{path}, row {row_number}: weight {weight} must be finite and >= 0")
            if name not in matures:
                raise ValueError(f"{path}, row {row_number}: {name} is not in the mature FASTA")
            profile[name] = profile.get(name, 0.0) + weight
    if sum(profile.values()) <= 0:
        raise ValueError(f"{path}: no miRNA has a positive weight")
    return profile


def plasma_profile(mature_names, rng, size=DEFAULT_PROFILE_SIZE):
    """Plasma-like abundance: PLASMA_TOP_MIRNAS on top, then random matures, Zipf weights."""
    top = [name for name in PLASMA_TOP_MIRNAS if name in mature_names]
    others = sorted(set(mature_names) - set(top))
    chosen = top + list(rng.choice(others, size=min(max(size - len(top), 0), len(others)), replace=False))
    ranks = np.arange(1, len(chosen) + 1)
    return dict(zip(chosen, (ranks**-ZIPF_EXPONENT).tolist()))


def hairpin_flanks(mature_sequences, hairpins, flank=max(END_SHIFTS)):
    """{mature name: (upstream, downstream)} hairpin bases around the mature's first occurrence.

    Hairpins are searched in file order; a mature that is in none gets empty flanks.
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


def isomir_sequence(mature, kind, parameter, upstream="", downstream=""):
    """The insert of one isomiR of `mature`.

    isomiR-5p/-3p: END_SHIFTS[parameter] nt trimmed (negative) or templated from the hairpin
    flank (positive; trimmed instead when the flank is too short); nta: a non-templated
    NON_TEMPLATED_TAILS[parameter] tail; substitution: base at parameter // 4 replaced by the
    base (parameter % 4) steps further in ACGT.
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


def _padded(codes_list, width):
    """Stack code arrays into a PAD_CODE-padded matrix of `width` columns."""
    matrix = np.full((len(codes_list), width), PAD_CODE, dtype=np.uint8)
    for row, codes in enumerate(codes_list):
        matrix[row, : len(codes)] = codes
    return matrix


def _place(destination, offsets, segment, lengths):
    """Write the first `lengths` columns of each `segment` row at `offsets` of `destination`."""
    columns = np.arange(segment.shape[1])
    target = offsets[:, None] + columns
    keep = (columns < lengths[:, None]) & (target < destination.shape[1])
    rows, segment_columns = np.nonzero(keep)
    destination[rows, target[keep]] = segment[rows, segment_columns]


def mirna_molecules(count, profile, mature_sequences, flanks, isomir_fraction, rng):
    """(name, kind, insert strings) of `count` miRNA molecules drawn from `profile`."""
    names = np.array(list(profile))
    weights = np.array(list(profile.values()), dtype=float)
    lengths = np.array([len(mature_sequences[name]) for name in names])
    mirna = rng.choice(len(names), size=count, p=weights / weights.sum())
    kind = np.where(rng.random(count) < isomir_fraction, rng.integers(1, len(ISOMIR_KINDS), count), 0)
    parameter = rng.integers(0, 4, count)
    internal_position = 1 + (rng.random(count) * (lengths[mirna] - 2)).astype(np.int64)
    substitution_step = rng.integers(1, 4, count)
    parameter = np.where(kind == ISOMIR_KINDS.index("canonical"), 0, parameter)
    is_substitution = kind == ISOMIR_KINDS.index("substitution")
    parameter = np.where(is_substitution, internal_position * 4 + substitution_step, parameter)
    variants, variant_of_molecule = np.unique(np.stack([mirna, kind, parameter], axis=1), axis=0, return_inverse=True)
    variant_inserts = np.array(
        [
            isomir_sequence(mature_sequences[names[m]], ISOMIR_KINDS[k], p, *flanks[names[m]])
            for m, k, p in variants.tolist()
        ]
    )
    variant_of_molecule = variant_of_molecule.ravel()
    return (
        names[variants[variant_of_molecule, 0]],
        np.array(ISOMIR_KINDS)[variants[variant_of_molecule, 1]],
        variant_inserts[variant_of_molecule],
    )


def fragment_molecules(count, records, path, rng):
    """(record name, fragment code matrix, lengths) of `count` random fragments of `records`."""
    low, high = FRAGMENT_LENGTH
    usable = {name: sequence for name, sequence in records.items() if len(sequence) >= low}
    if not usable:
        raise ValueError(f"{path}: no record of {low} nt or more to cut fragments from")
    names = np.array(list(usable))
    record_lengths = np.array([len(sequence) for sequence in usable.values()])
    record_starts = np.concatenate([[0], np.cumsum(record_lengths)[:-1]])
    concatenated = np.concatenate([encode("".join(usable.values())), np.full(high, PAD_CODE, dtype=np.uint8)])
    record = rng.integers(0, len(names), count)
    length = np.minimum(rng.integers(low, high + 1, count), record_lengths[record])
    start = record_starts[record] + (rng.random(count) * (record_lengths[record] - length + 1)).astype(np.int64)
    columns = np.arange(high)
    fragments = concatenated[start[:, None] + columns]
    fragments[columns >= length[:, None]] = PAD_CODE
    return names[record], fragments, length


def pcr_copies(n_reads, mean_copies, rng):
    """Copies per molecule (geometric, mean `mean_copies`) adding up to exactly `n_reads`."""
    copies = np.zeros(0, dtype=np.int64)
    while copies.sum() < n_reads:
        copies = np.concatenate([copies, rng.geometric(1 / mean_copies, n_reads // int(mean_copies) + 100)])
    total = np.cumsum(copies)
    n_molecules = int(np.searchsorted(total, n_reads)) + 1
    copies = copies[:n_molecules]
    copies[-1] -= total[n_molecules - 1] - n_reads
    return copies


def simulate(
    kit,
    mature_sequences,
    hairpins,
    n_reads,
    seed,
    read_length=75,
    error_rate=0.001,
    umi_error_rate=None,
    contaminants=None,
    contaminant_fraction=0.0,
    random_fraction=0.0,
    isomir_fraction=0.2,
    profile=None,
    mean_pcr_copies=3.0,
):
    """A Library of `n_reads` reads of `kit` (a kits.yaml preset).

    contaminants: {biotype: (path, {record name: sequence})}; `contaminant_fraction` of the
    molecules are fragments of them, split evenly between biotypes. profile: {mature name:
    weight}; None draws plasma_profile. Fractions are of molecules (= reads without UMI).
    """
    contaminants = contaminants or {}
    for label, fraction in (("contaminant", contaminant_fraction), ("random", random_fraction)):
        if not 0 <= fraction <= 1:
            raise ValueError(f"{label} fraction {fraction} is not between 0 and 1")
    if contaminant_fraction + random_fraction > 1:
        raise ValueError("contaminant and random fractions add up to more than 1")
    if contaminant_fraction > 0 and not contaminants:
        raise ValueError("a contaminant fraction needs at least one contaminant FASTA")
    if n_reads < 1 or read_length < 1:
        raise ValueError("the number of reads and the read length must be positive")
    if kit["umi"] and kit["umi"]["after"] and not kit["umi"]["after"].startswith(kit["adapter_3p"] or ""):
        raise ValueError(f"kit {kit['name']}: umi.after must start with adapter_3p")
    if mean_pcr_copies < 1:
        raise ValueError(f"mean PCR copies {mean_pcr_copies} must be at least 1")
    profile_seed, molecule_seed, error_seed = np.random.SeedSequence(seed).spawn(3)
    profile_rng, rng = np.random.default_rng(profile_seed), np.random.default_rng(molecule_seed)
    if profile is None:
        profile = plasma_profile(sorted(mature_sequences), profile_rng)
    filler = profile_rng.integers(0, 4, read_length, dtype=np.uint8)

    if kit["umi"]:
        copies = pcr_copies(n_reads, mean_pcr_copies, rng)
        molecule_of_read = rng.permutation(np.repeat(np.arange(len(copies)), copies))
    else:
        molecule_of_read = np.arange(n_reads)
    n_molecules = int(molecule_of_read.max()) + 1

    biotypes = ["miRNA", *contaminants, "random"]
    contaminant_shares = [contaminant_fraction / len(contaminants)] * len(contaminants) if contaminants else []
    shares = [1 - contaminant_fraction - random_fraction, *contaminant_shares, random_fraction]
    biotype = np.array(biotypes, dtype=object)[rng.choice(len(biotypes), size=n_molecules, p=shares)]
    name = np.full(n_molecules, "", dtype=object)
    kind = np.full(n_molecules, "", dtype=object)
    insert = np.full(n_molecules, "", dtype=object)
    low, high = kit["insert_length"]
    width = max(FRAGMENT_LENGTH[1], high, max(len(mature_sequences[m]) for m in profile) + max(END_SHIFTS))
    insert_codes = np.full((n_molecules, width), PAD_CODE, dtype=np.uint8)
    insert_length = np.zeros(n_molecules, dtype=np.int64)

    is_mirna = biotype == "miRNA"
    flanks = hairpin_flanks({m: mature_sequences[m] for m in profile}, hairpins)
    mirna_name, mirna_kind, mirna_insert = mirna_molecules(
        int(is_mirna.sum()), profile, mature_sequences, flanks, isomir_fraction, rng
    )
    name[is_mirna], kind[is_mirna], insert[is_mirna] = mirna_name, mirna_kind, mirna_insert
    unique_inserts, insert_index = np.unique(mirna_insert, return_inverse=True)
    insert_codes[is_mirna] = _padded([encode(s) for s in unique_inserts], width)[insert_index.ravel()]
    insert_length[is_mirna] = np.char.str_len(mirna_insert.astype(str))

    for label, (path, records) in contaminants.items():
        selected = biotype == label
        fragment_name, fragments, length = fragment_molecules(int(selected.sum()), records, path, rng)
        name[selected], kind[selected] = fragment_name, "fragment"
        insert_codes[selected, : fragments.shape[1]], insert_length[selected] = fragments, length

    is_random = biotype == "random"
    length = rng.integers(low, high + 1, int(is_random.sum()))
    codes = rng.integers(0, 4, (len(length), width), dtype=np.uint8)
    codes[np.arange(width) >= length[:, None]] = PAD_CODE
    kind[is_random], insert_codes[is_random], insert_length[is_random] = "random", codes, length
    insert[~is_mirna] = decode_rows(insert_codes[~is_mirna])

    clip_5p, clip_3p = kit["clip_5p"], kit["clip_3p"]
    polya_length = (
        rng.integers(POLYA_LENGTH[0], POLYA_LENGTH[1] + 1, n_molecules)
        if kit["polya"]
        else np.zeros(n_molecules, dtype=np.int64)
    )
    template = np.full((n_molecules, clip_5p + width + clip_3p + POLYA_LENGTH[1]), PAD_CODE, dtype=np.uint8)
    template[:, :clip_5p] = rng.integers(0, 4, (n_molecules, clip_5p), dtype=np.uint8)
    template[:, clip_5p : clip_5p + width] = insert_codes
    clip_3p_codes = rng.integers(0, 4, (n_molecules, clip_3p), dtype=np.uint8)
    _place(template, clip_5p + insert_length, clip_3p_codes, np.full(n_molecules, clip_3p))
    polya = np.zeros((n_molecules, POLYA_LENGTH[1]), dtype=np.uint8)
    _place(template, clip_5p + insert_length + clip_3p, polya, polya_length)

    umi = kit["umi"]
    umi_length = umi["length"] if umi else 0
    umi_codes = rng.integers(0, 4, (n_molecules, umi_length), dtype=np.uint8)
    before_umi = (umi["after"] or kit["adapter_3p"] or "") if umi else ""
    after_umi = (umi["then_adapter"] or "") if umi else (kit["adapter_3p"] or "")
    return Library(
        biotype=biotype,
        name=name,
        kind=kind,
        insert=insert,
        template=template,
        template_length=clip_5p + insert_length + clip_3p + polya_length,
        umi=umi_codes,
        before_umi=encode(before_umi),
        after_umi=np.concatenate([encode(after_umi), filler]),
        has_adapter=bool(kit["adapter_3p"]),
        molecule_of_read=molecule_of_read,
        read_length=read_length,
        error_rate=error_rate,
        umi_error_rate=error_rate if umi_error_rate is None else umi_error_rate,
        error_seed=error_seed,
    )


def _substitute(codes, rate, rng, allowed=None):
    """Replace each A/C/G/T code (where `allowed`) by another base with probability `rate`."""
    if rate <= 0 or codes.size == 0:
        return
    n_positions = codes.size
    hits = rng.choice(n_positions, size=rng.binomial(n_positions, rate), replace=False)
    flat = codes.reshape(-1)
    hits = hits[flat[hits] < N_CODE]
    if allowed is not None:
        hits = hits[allowed.reshape(-1)[hits]]
    flat[hits] = (flat[hits] + rng.integers(1, 4, hits.size, dtype=np.uint8)) % 4


def read_chunks(library, chunk_size=READS_PER_CHUNK):
    """Yield (first read index, code matrix, read lengths) chunk by chunk, errors included."""
    rng = np.random.default_rng(library.error_seed)
    length = library.read_length
    columns = np.arange(length)
    template = library.template
    if template.shape[1] < length:
        template = np.pad(template, ((0, 0), (0, length - template.shape[1])), constant_values=PAD_CODE)
    umi_start, umi_length = len(library.before_umi), library.umi.shape[1]
    for first in range(0, len(library.molecule_of_read), chunk_size):
        molecule = library.molecule_of_read[first : first + chunk_size]
        template_length = library.template_length[molecule]
        reads = template[molecule, :length]
        if not library.has_adapter:
            _substitute(reads, library.error_rate, rng)
            yield first, reads, np.minimum(template_length, length)
            continue
        tail_column = columns - template_length[:, None]
        in_tail = tail_column >= 0
        tail_column = np.maximum(tail_column, 0)
        if umi_length:
            umi = library.umi[molecule]
            _substitute(umi, library.umi_error_rate, rng)
            tails = np.concatenate([np.broadcast_to(library.before_umi, (len(molecule), umi_start)), umi], axis=1)
            tails = np.concatenate([tails, np.broadcast_to(library.after_umi, (len(molecule), len(library.after_umi)))], axis=1)
            reads = np.where(in_tail, np.take_along_axis(tails, tail_column, axis=1), reads)
            outside_umi = ~in_tail | (tail_column < umi_start) | (tail_column >= umi_start + umi_length)
            _substitute(reads, library.error_rate, rng, allowed=outside_umi)
        else:
            reads = np.where(in_tail, library.after_umi[tail_column], reads)
            _substitute(reads, library.error_rate, rng)
        yield first, reads, np.full(len(molecule), length)


def read_sequences(library):
    """All read sequences as strings (for small libraries and tests)."""
    sequences = []
    for _, codes, _ in read_chunks(library):
        sequences.extend(decode_rows(codes).tolist())
    return sequences


def truth_table(library):
    """One row per read: read_id, biotype, name, kind, insert, umi, molecule."""
    molecule = library.molecule_of_read
    umi = decode_rows(library.umi) if library.umi.shape[1] else np.full(len(library.biotype), "")
    return pd.DataFrame(
        {
            "read_id": [f"sim{index}" for index in range(len(molecule))],
            "biotype": library.biotype[molecule],
            "name": library.name[molecule],
            "kind": library.kind[molecule],
            "insert": library.insert[molecule],
            "umi": umi[molecule],
            "molecule": molecule,
        }
    )


def true_counts(truth):
    """Reads and distinct molecules per true mature miRNA, from a truth table."""
    mirna = truth[truth["biotype"] == "miRNA"]
    counts = mirna.groupby("name").agg(reads=("molecule", "size"), molecules=("molecule", "nunique"))
    counts.index.name = "mirna"
    return counts.sort_values("reads", ascending=False)


@contextlib.contextmanager
def open_output(path):
    """Open `path` for writing, gzip-compressed (level 1, no name, mtime 0) if it ends in .gz."""
    with atomic_path(path) as temporary, open(temporary, "wb") as raw:
        if str(path).endswith(".gz"):
            if fast_gzip is not None:
                compressed = fast_gzip.IGzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)
            else:
                compressed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)
            with compressed:
                yield compressed
        else:
            yield raw


def write_fastq(library, path):
    """Write the reads as FASTQ (gzip when `path` ends in .gz), ids @sim0, @sim1, ..."""
    qualities = [bytes([QUALITY]) * length for length in range(library.read_length + 1)]
    with open_output(path) as handle:
        for first, codes, lengths in read_chunks(library):
            sequences = np.ascontiguousarray(DECODE[codes]).view(f"S{codes.shape[1]}").ravel().tolist()
            handle.write(
                b"".join(
                    b"@sim%d\n%s\n+\n%s\n" % (first + offset, sequence, qualities[length])
                    for offset, (sequence, length) in enumerate(zip(sequences, lengths.tolist()))
                )
            )


def write_truth(library, path):
    """Write the truth table as TSV (gzip when `path` ends in .gz)."""
    with open_output(path) as handle:
        truth_table(library).to_csv(handle, sep="\t", index=False)


def parse_contaminant(argument):
    """'BIOTYPE=PATH' -> (biotype, path)."""
    biotype, separator, path = argument.partition("=")
    if not separator or not biotype or not path:
        raise argparse.ArgumentTypeError(f"expected BIOTYPE=PATH, got {argument!r}")
    if biotype in ("miRNA", "random"):
        raise argparse.ArgumentTypeError(f"biotype {biotype!r} is reserved")
    return biotype, path


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kit", required=True, help="kit name in the kits file")
    parser.add_argument("--reads", type=int, required=True, help="number of reads")
    parser.add_argument("--fastq", required=True, help="output FASTQ (.gz to compress)")
    parser.add_argument("--truth", required=True, help="output truth TSV (.gz to compress)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kits", default=DEFAULT_KITS, help="kit presets (default: %(default)s)")
    parser.add_argument("--mature", default=DEFAULT_MATURE, help="mature miRNA FASTA (default: %(default)s)")
    parser.add_argument("--hairpin", default=DEFAULT_HAIRPIN, help="hairpin FASTA (default: %(default)s)")
    parser.add_argument("--profile", help="abundance TSV 'mirna<TAB>weight' (default: plasma-like)")
    parser.add_argument("--read-length", type=int, default=75)
    parser.add_argument("--error-rate", type=float, default=0.001, help="substitutions per base")
    parser.add_argument("--umi-error-rate", type=float, help="substitutions per UMI base (default: --error-rate)")
    parser.add_argument("--isomir-fraction", type=float, default=0.2, help="miRNA molecules that are isomiRs")
    parser.add_argument(
        "--contaminant",
        type=parse_contaminant,
        action="append",
        default=[],
        metavar="BIOTYPE=FASTA",
        help="contaminant FASTA(.gz) to cut 16-40 nt fragments from; repeatable",
    )
    parser.add_argument(
        "--contaminant-fraction",
        type=float,
        help="molecules that are contaminant fragments (default: 0.2 with --contaminant, else 0)",
    )
    parser.add_argument("--random-fraction", type=float, default=0.01, help="molecules of random sequence")
    parser.add_argument("--pcr-copies", type=float, default=3.0, help="mean reads per molecule (UMI kits)")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    kit = kit_preset(load_kits(arguments.kits), arguments.kit)
    mature_sequences = read_mature_sequences(arguments.mature)
    contaminants = {biotype: (path, read_fasta(path)) for biotype, path in arguments.contaminant}
    contaminant_fraction = arguments.contaminant_fraction
    if contaminant_fraction is None:
        contaminant_fraction = 0.2 if contaminants else 0.0
    library = simulate(
        kit,
        mature_sequences,
        read_fasta(arguments.hairpin),
        arguments.reads,
        arguments.seed,
        read_length=arguments.read_length,
        error_rate=arguments.error_rate,
        umi_error_rate=arguments.umi_error_rate,
        contaminants=contaminants,
        contaminant_fraction=contaminant_fraction,
        random_fraction=arguments.random_fraction,
        isomir_fraction=arguments.isomir_fraction,
        profile=read_profile(arguments.profile, mature_sequences) if arguments.profile else None,
        mean_pcr_copies=arguments.pcr_copies,
    )
    write_fastq(library, arguments.fastq)
    write_truth(library, arguments.truth)


if __name__ == "__main__":
    main()
