"""Library-kit presets (resources/kits.yaml): checking them and detecting a sample's kit from
its reads.

Detection reads the first reads of a sample and asks, for every kit, whether the kit's read
layout fits each read: its 3' adapter found by cutadapt's aligner (as in trimming; a UMI
kit's adapter includes the UMI and the adapter after it) where it leaves an insert of the
kit's length range after the kit's clips. A kit's support is the fraction of reads it fits.
Kits that share an adapter (TruSeq, NEXTflex, Lexogen) fit nearly the same reads; between
them the reads decide by how many inserts, clipped as the kit says, are exactly a known
mature miRNA: 4 random bases left on an insert (or cut from it) spoil every such match.
"""

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from exomir.inserts.adapters import LayoutAdapter, pick

KITS_SCHEMA = Path(__file__).resolve().parents[3] / "schemas" / "kits.schema.yaml"
AUTO = "auto"

MIN_PARTIAL = 6  # shortest adapter prefix still taken as the adapter at a read's end
ANCHOR = 3  # adapter nt that must match exactly where the insert ends
MIN_WHOLE = 10  # adapter nt that prove a read untrimmed (4**-10 per position by chance)
# Kits whose support differs by less than this are told apart by their exact-miRNA inserts,
# then by their order in kits.yaml. Measured: on TruSeq reads (exRNAQC017, miRTrace, simulated)
# NEXTflex v3 trails by 0.56-0.93 (22-nt inserts lose 8 nt); on simulated NEXTflex v3 reads
# TruSeq trails by 0.003.
TIE_MARGIN = 0.05


class KitDetectionError(ValueError):
    """No kit explains enough of a sample's reads."""


def load_kits(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Read the kit presets, checked against workflow/schemas/kits.schema.yaml and for what a
    schema cannot say: a UMI's `after` starts with the adapter, insert_length is [min, max].
    Every problem raises naming the file and the kit."""
    with open(path) as handle:
        kits = yaml.safe_load(handle)
    if isinstance(kits, dict) and AUTO in kits:
        raise ValueError(f"{path}: '{AUTO}' is reserved for kit detection and cannot name a kit")
    error = jsonschema.exceptions.best_match(_kits_validator().iter_errors(kits))
    if error is not None:
        where = "kit '" + "', key '".join(map(str, error.absolute_path)) + "'" if error.absolute_path else "top level"
        raise ValueError(f"{path}: {where}: {error.message}")
    for kit_name, kit in kits.items():
        umi = kit["umi"]
        if umi and not (kit["adapter_3p"] and umi["after"].startswith(kit["adapter_3p"])):
            raise ValueError(f"{path}: kit '{kit_name}': umi.after must start with adapter_3p")
        low, high = kit["insert_length"]
        if not 0 < low <= high:
            raise ValueError(f"{path}: kit '{kit_name}': insert_length {kit['insert_length']} is not [min, max]")
    return kits


@functools.cache
def _kits_validator() -> jsonschema.Draft202012Validator:
    with open(KITS_SCHEMA) as handle:
        return jsonschema.Draft202012Validator(yaml.safe_load(handle))


def kit_preset(kits: Mapping[str, dict[str, Any]], kit_name: str) -> dict[str, Any]:
    """Return the preset of `kit_name`, or fail naming the known kits."""
    try:
        return kits[kit_name]
    except KeyError:
        raise KeyError(f"unknown kit '{kit_name}' (known: {', '.join(sorted(kits))})") from None


def layout_adapter(kit: dict[str, Any]) -> str:
    """The sequence that follows a kit's insert in read 1, as cutadapt searches it: the
    3' adapter, or for a UMI kit `after` + N per UMI base + `then_adapter`."""
    umi = kit["umi"]
    return umi["after"] + "N" * umi["length"] + umi["then_adapter"] if umi else kit["adapter_3p"]


@dataclass
class KitEvidence:
    """Reads a kit's layout fits (`supported`), and how many of those give an insert that is
    exactly a known mature miRNA (`mirna_exact`)."""

    supported: int = 0
    mirna_exact: int = 0


@dataclass
class Detection:
    """Evidence for every kit from the first `reads` reads of a sample."""

    reads: int
    evidence: dict = field(default_factory=dict)

    def support(self, kit_name: str) -> float:
        return self.evidence[kit_name].supported / self.reads if self.reads else 0.0

    def mirna_exact(self, kit_name: str) -> float:
        return self.evidence[kit_name].mirna_exact / self.reads if self.reads else 0.0


def gather_evidence(
    read_counts: Mapping[str, int],
    kits: Mapping[str, dict[str, Any]],
    mature_sequences: Iterable[str],
    error_rate: float,
) -> Detection:
    """Fit every kit's layout to reads given as {sequence: reads}, each distinct read once.

    Each layout adapter is matched to all reads at once (LayoutAdapter.locate_all: cutadapt's
    match, allowing `error_rate` errors and a prefix of at least MIN_PARTIAL nt at the read's end).
    The insert ends where the first adapter starts, so that QIAseq's second adapter, or the
    index and poly(A) after a TruSeq or v1.5 adapter, do not pass for another kit's.
    Kits without an adapter (reads already trimmed) fit a read in which no adapter is found
    whole, whose length is in their range and below the longest read's: untrimmed reads all
    have the run's read length.
    """
    kits_by_adapter = {}
    for name, kit in kits.items():
        if kit["adapter_3p"]:
            kits_by_adapter.setdefault(layout_adapter(kit), []).append((name, kit))
    sequences = list(read_counts)
    counts = np.fromiter(read_counts.values(), dtype=np.int64, count=len(sequences))
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    mature = set(mature_sequences)
    evidence = {name: KitEvidence() for name in kits}
    # A prefix at the read's end is too short to prove an adapter (miR-22-3p ends in QIAseq's
    # AACTGT); only MIN_WHOLE adapter nt make a read untrimmed.
    untrimmed = np.zeros(len(sequences), dtype=bool)
    no_match = np.iinfo(np.int64).max
    anchored_starts = {}
    for adapter in sorted(kits_by_adapter):
        starts, stops = LayoutAdapter(adapter, error_rate, MIN_PARTIAL).locate_all(sequences)
        untrimmed |= (starts >= 0) & (stops - starts >= MIN_WHOLE)
        # A match marks where the insert ends only if the adapter's first ANCHOR nt are
        # exact: the v1.5 adapter is the v1.0 adapter after ATC and would otherwise match
        # v1.0 reads 3 nt early, with errors.
        matched = np.flatnonzero(starts >= 0)
        anchors = map(str.startswith, pick(sequences, matched), repeat(adapter[:ANCHOR]), starts[matched].tolist())
        anchored = matched[np.fromiter(anchors, dtype=bool, count=len(matched))]
        anchored_starts[adapter] = np.full(len(sequences), no_match, dtype=np.int64)
        anchored_starts[adapter][anchored] = starts[anchored]
    first = np.minimum.reduce(list(anchored_starts.values()), initial=no_match)
    for adapter, starts in anchored_starts.items():
        rows = np.flatnonzero((starts == first) & (starts != no_match))
        for name, kit in kits_by_adapter[adapter]:
            low, high = kit["insert_length"]
            insert_ends = first[rows] - kit["clip_3p"]
            fitting = (insert_ends - kit["clip_5p"] >= low) & (insert_ends - kit["clip_5p"] <= high)
            fits = rows[fitting]
            slices = map(slice, repeat(kit["clip_5p"]), insert_ends[fitting].tolist())
            inserts = map(str.__getitem__, pick(sequences, fits), slices)
            exact = np.fromiter(map(mature.__contains__, inserts), dtype=bool, count=len(fits))
            evidence[name] = KitEvidence(int(counts[fits].sum()), int(counts[fits][exact].sum()))
    # Kits without an adapter: reads with no whole adapter, by length.
    bare = np.flatnonzero(~untrimmed)
    bare_mirna = bare[np.fromiter(map(mature.__contains__, pick(sequences, bare)), dtype=bool, count=len(bare))]
    longest = int(lengths.max(initial=0))
    for name, kit in kits.items():
        if not kit["adapter_3p"]:
            low, high = kit["insert_length"]
            in_range = (lengths >= low) & (lengths <= high) & (lengths < longest)
            evidence[name] = KitEvidence(
                int(counts[bare][in_range[bare]].sum()), int(counts[bare_mirna][in_range[bare_mirna]].sum())
            )
    return Detection(reads=int(counts.sum()), evidence=evidence)


def rank_kits(detection: Detection, kit_order: Sequence[str]) -> list[str]:
    """Kit names, best first: by support; within TIE_MARGIN of the best, by exact-miRNA
    inserts, then by their order in kits.yaml."""
    by_support = sorted(kit_order, key=lambda name: (-detection.support(name), kit_order.index(name)))
    best_support = detection.support(by_support[0])
    contenders = [name for name in by_support if detection.support(name) >= best_support - TIE_MARGIN]
    contenders.sort(key=lambda name: (-detection.mirna_exact(name), kit_order.index(name)))
    return contenders + [name for name in by_support if name not in contenders]


def indistinguishable(detection: Detection, first: str, second: str) -> bool:
    """True when the reads give `first` and `second` the same support and exact-miRNA inserts
    (within TIE_MARGIN): the reads cannot tell the two kits apart."""
    return (
        abs(detection.support(first) - detection.support(second)) < TIE_MARGIN
        and abs(detection.mirna_exact(first) - detection.mirna_exact(second)) < TIE_MARGIN
    )


def describe(detection: Detection, names: Iterable[str]) -> str:
    return ", ".join(f"{name} {detection.support(name):.1%}" for name in names)


def choose_kit(
    sample: str, declared: str, detection: Detection, kit_order: Sequence[str], min_fraction: float
) -> dict[str, Any]:
    """Decide the kit of `sample` and say how sure the reads are about it.

    `declared` is the sample sheet's kit or AUTO. A declared kit is always used; AUTO takes
    the best-ranked kit and fails when it fits fewer than `min_fraction` of the reads.
    Returns a dict for the per-sample JSON (the preset itself is added by the caller).
    """
    ranking = rank_kits(detection, kit_order)
    detected = ranking[0]
    ties = [name for name in ranking[1:] if indistinguishable(detection, detected, name)]
    # The runner-up is the best kit the reads can tell apart from the detected one.
    runner_up = next((name for name in ranking[1:] if name not in ties), None)
    enough = detection.support(detected) >= min_fraction
    warnings = []
    if declared == AUTO:
        if not enough:
            raise KitDetectionError(
                f"sample '{sample}': no library kit explains at least {min_fraction:.0%} of the first "
                f"{detection.reads} reads; best candidates: {describe(detection, ranking[:3])}. "
                "Check the reads, or set the sample's kit in the sample sheet."
            )
        kit = detected
    else:
        kit = declared
        if not enough:
            warnings.append(
                f"no kit explains {min_fraction:.0%} of the reads (best: {describe(detection, ranking[:3])})"
            )
        elif declared != detected and declared not in ties:
            warnings.append(
                f"declared kit {declared} fits {detection.support(declared):.1%} of the reads, "
                f"but {detected} fits {detection.support(detected):.1%}"
            )
    notes = []
    if ties:
        notes.append(f"reads cannot tell {detected} from {', '.join(ties)} (same adapter and layout)")
    return {
        "sample": sample,
        "declared": declared,
        "kit": kit,
        "detected": detected,
        "support": round(detection.support(detected), 4),
        "mirna_exact": round(detection.mirna_exact(detected), 4),
        "runner_up": runner_up,
        "runner_up_support": round(detection.support(runner_up), 4) if runner_up else None,
        "kit_support": round(detection.support(kit), 4),
        "tied_with": ties,
        "reads_inspected": detection.reads,
        "warnings": warnings,
        "notes": notes,
        "support_by_kit": {name: round(detection.support(name), 4) for name in kit_order},
    }
