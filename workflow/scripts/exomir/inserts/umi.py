"""UMIs: counting molecules with error correction.

Trimming (trim.trim_read) searches a UMI kit's adapter as `after` + N per UMI base +
`then_adapter` and reads the UMI from the matched part of the read, before the adapter is
cut away (trimming first leaves nothing to take: the failure of nf-core/smrnaseq #503).

Reads with the same insert and UMI are PCR copies of one molecule. A sequencing error in the
UMI or in the insert makes a copy look like a new molecule, about one read in 40 at 0.1 %
errors per base, which would inflate molecule counts by several per cent. Copies are
therefore grouped with the directional method of UMI-tools (Smith, Heger & Sudbery, Genome
Res 2017;27:491-499): pair B joins pair A when they differ by one substitution and
reads(A) >= 2 * reads(B) - 1. Here the pair is (insert, UMI) and the substitution may be in
either; inserts of different length never join.

Finding the pairs one substitution apart is what costs: 2,000,000 high-diversity QIAseq reads
hold 1.2 million pairs. UMIs of one insert one substitution apart are found by sorting the
pairs' codes with one UMI position masked at a time (numpy, _neighbours); inserts one
substitution apart are compared only among the pairs that share a UMI, and only pairs with a
neighbour are walked (bench/run_benchmark.py --kit qiaseq --diversity high).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from operator import ne

import numpy as np

BASES = "ACGTN"
UMI_CODES = np.full(256, -1, dtype=np.int8)  # A/C/G/T/N as 0-4, any other symbol -1 (int8: 12 B per UMI)
UMI_CODES[np.frombuffer(BASES.encode(), dtype=np.uint8)] = np.arange(len(BASES))


def _substitutions(sequence: str) -> Iterator[str]:
    for position, base in enumerate(sequence):
        for other in BASES:
            if other != base:
                yield sequence[:position] + other + sequence[position + 1 :]


def _one_substitution_apart(first: str, second: str) -> bool:
    return len(first) == len(second) and sum(map(ne, first, second)) == 1


def _neighbours(pairs: list[tuple[str, str]]) -> dict[int, list[int]]:
    """{pair index: indices of its neighbours} for the pairs that have any: the same insert
    and a UMI one substitution (to A/C/G/T/N) away, or the same UMI and an insert of the
    same length one substitution away.

    UMIs of A/C/G/T/N are coded in base 5 (numpy). Pair codes (insert number, then UMI) sorted
    with one UMI position zeroed at a time put the pairs that differ only there side by side;
    UMI codes with the insert length, sorted once, group the pairs that share a UMI, whose
    inserts are then compared. Other UMIs (other symbols) are looked up one by one."""
    adjacent = defaultdict(list)
    insert_number = {}
    numbers = np.array([insert_number.setdefault(insert, len(insert_number)) for insert, _ in pairs], dtype=np.int64)
    insert_lengths = np.fromiter(map(len, (insert for insert, _ in pairs)), dtype=np.int64, count=len(pairs))
    umis = [umi for _, umi in pairs]
    foreign = []
    longest = int(insert_lengths.max(initial=0))
    for length in set(map(len, umis)):
        if 5**length * max(len(insert_number), longest + 1) >= 2**63:
            raise ValueError(f"UMIs of {length} nt are too long to code in 64 bits")
        members = np.flatnonzero(np.fromiter(map(len, umis), dtype=np.int64, count=len(umis)) == length)
        text = "".join(umis[index] for index in members.tolist()).encode()
        digits = UMI_CODES[np.frombuffer(text, dtype=np.uint8).reshape(len(members), length)]
        plain = (digits >= 0).all(axis=1)
        foreign += members[~plain].tolist()
        members, digits = members[plain], digits[plain]
        weights = 5 ** np.arange(length, dtype=np.int64)
        umi_codes = digits @ weights
        codes = numbers[members] * 5**length + umi_codes
        for position in range(length):
            _join_equal(codes - digits[:, position] * weights[position], members, adjacent, one_apart=None)
        _join_equal(umi_codes * (longest + 1) + insert_lengths[members], members, adjacent, one_apart=pairs)
    if foreign:
        index_of = {pair: index for index, pair in enumerate(pairs)}
        for index in foreign:
            insert, umi = pairs[index]
            adjacent[index] += [index_of[insert, other] for other in _substitutions(umi) if (insert, other) in index_of]
        sharing = defaultdict(list)
        for index in foreign:
            sharing[pairs[index][1], len(pairs[index][0])].append(index)
        for members in sharing.values():
            _join_inserts(members, pairs, adjacent)
    return adjacent


def _join_equal(keys: np.ndarray, members: np.ndarray, adjacent: dict, one_apart: list | None) -> None:
    """Group the `members` with equal `keys`; each group's members become neighbours of each
    other (`one_apart` None: at most five share a key, one per base) or, given the pairs,
    when their inserts are one substitution apart."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sizes = np.diff(np.append(starts, len(ordered)))
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        group = members[order[start : start + size]].tolist()
        if one_apart is None:
            for first in group:
                adjacent[first] += [second for second in group if second != first]
        else:
            _join_inserts(group, one_apart, adjacent)


def _join_inserts(group: list[int], pairs: list[tuple[str, str]], adjacent: dict) -> None:
    """Pairs of `group` (one UMI) whose inserts are one substitution apart become neighbours."""
    for first in group:
        adjacent[first] += [second for second in group if _one_substitution_apart(pairs[first][0], pairs[second][0])]


def _claimed(pair_reads: Mapping[tuple[str, str], int]) -> tuple[list[tuple[str, str]], dict[int, int]]:
    """(pairs, {index of a pair that joins another's molecule: index of the head})."""
    pairs = list(pair_reads)
    reads = list(pair_reads.values())
    adjacent = _neighbours(pairs)
    head_of = {}
    visited = set()
    for start in sorted(adjacent, key=lambda index: (-reads[index], pairs[index])):
        if start in visited:
            continue
        visited.add(start)
        stack = [start]
        while stack:
            current = stack.pop()
            for neighbour in adjacent[current]:
                if neighbour not in visited and reads[current] >= 2 * reads[neighbour] - 1:
                    visited.add(neighbour)
                    head_of[neighbour] = start
                    stack.append(neighbour)
    return pairs, head_of


def directional_groups(pair_reads: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(insert, UMI): the pair that heads its molecule} by directional adjacency.

    `pair_reads` maps (insert, UMI) to its read count. Pairs are visited from the most
    reads down (ties in sequence order, so the result does not depend on input order);
    each unvisited pair heads a molecule that takes every pair reachable through edges
    A -> B with reads(A) >= 2 * reads(B) - 1. A pair without neighbours heads its own.
    """
    pairs, head_of = _claimed(pair_reads)
    heads = dict(zip(pairs, pairs))
    heads.update((pairs[index], pairs[head]) for index, head in head_of.items())
    return heads


def molecules_per_insert(pair_reads: Mapping[tuple[str, str], int]) -> Counter[str]:
    """Counter {insert: molecules}: each molecule counts once, on the insert of the pair
    that heads it (its most-read form)."""
    pairs, head_of = _claimed(pair_reads)
    molecules = Counter(insert for insert, _ in pairs)
    molecules.subtract(pairs[index][0] for index in head_of)
    return +molecules
