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
pairs' codes with one UMI position masked at a time (numpy, _umi_edges); inserts one
substitution apart are compared only among the pairs that share a UMI, and only pairs with a
neighbour are walked (bench/run_benchmark.py --kit qiaseq --diversity high).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from operator import ne

import numpy as np

BASES = "ACGTN"
UMI_CODES = np.full(256, -1, dtype=np.int64)  # A/C/G/T/N as 0-4, any other symbol -1
UMI_CODES[np.frombuffer(BASES.encode(), dtype=np.uint8)] = np.arange(len(BASES))


def _substitutions(sequence: str) -> Iterator[str]:
    for position, base in enumerate(sequence):
        for other in BASES:
            if other != base:
                yield sequence[:position] + other + sequence[position + 1 :]


def _one_substitution_apart(first: str, second: str) -> bool:
    return len(first) == len(second) and sum(map(ne, first, second)) == 1


def _umi_edges(pairs: list[tuple[str, str]]) -> Iterator[tuple[int, int]]:
    """(i, j), both ways, for pairs i and j of one insert whose UMIs, of A/C/G/T/N only, are
    one substitution apart. Each pair's code (insert number, then the UMI in base 5) is
    sorted with one UMI position zeroed at a time: pairs then equal differ at that position."""
    insert_number = {}
    by_length = defaultdict(list)
    for index, (insert, umi) in enumerate(pairs):
        insert_number.setdefault(insert, len(insert_number))
        by_length[len(umi)].append(index)
    for length, indices in by_length.items():
        if length == 0 or len(indices) < 2:
            continue
        umis = "".join(pairs[index][1] for index in indices).encode()
        digits = UMI_CODES[np.frombuffer(umis, dtype=np.uint8).reshape(len(indices), length)]
        plain = (digits >= 0).all(axis=1)
        members, digits = np.array(indices)[plain], digits[plain]
        numbers = np.array([insert_number[pairs[index][0]] for index in members.tolist()], dtype=np.int64)
        weights = 5 ** np.arange(length, dtype=np.int64)
        codes = numbers * 5**length + digits @ weights
        for position in range(length):
            masked = codes - digits[:, position] * weights[position]
            order = np.argsort(masked)
            ordered = masked[order]
            # At most five pairs share a masked code (one per base), so they lie within four places.
            for step in range(1, len(BASES)):
                same = np.flatnonzero(ordered[step:] == ordered[:-step])
                first, second = members[order[same]].tolist(), members[order[same + step]].tolist()
                yield from zip(first, second)
                yield from zip(second, first)


def _neighbours(pairs: list[tuple[str, str]]) -> dict[int, list[int]]:
    """{pair index: indices of its neighbours} for the pairs that have any: the same insert
    and a UMI one substitution (to A/C/G/T/N) away, or the same UMI and an insert of the
    same length one substitution away."""
    adjacent = defaultdict(list)
    for first, second in _umi_edges(pairs):
        adjacent[first].append(second)
    foreign = [index for index, (_, umi) in enumerate(pairs) if umi.strip(BASES)]
    if foreign:  # UMIs with other symbols than A/C/G/T/N: substitutions looked up one by one
        index_of = {pair: index for index, pair in enumerate(pairs)}
        for index in foreign:
            insert, umi = pairs[index]
            adjacent[index] += [index_of[insert, other] for other in _substitutions(umi) if (insert, other) in index_of]
    keys = [(umi, len(insert)) for insert, umi in pairs]
    sharing = Counter(keys)
    same_umi = defaultdict(list)
    for index, key in enumerate(keys):
        if sharing[key] > 1:
            same_umi[key].append(index)
    for members in same_umi.values():
        for first in members:
            adjacent[first] += [
                second for second in members if _one_substitution_apart(pairs[first][0], pairs[second][0])
            ]
    return adjacent


def directional_groups(pair_reads: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(insert, UMI): the pair that heads its molecule} by directional adjacency.

    `pair_reads` maps (insert, UMI) to its read count. Pairs are visited from the most
    reads down (ties in sequence order, so the result does not depend on input order);
    each unvisited pair heads a molecule that takes every pair reachable through edges
    A -> B with reads(A) >= 2 * reads(B) - 1. A pair without neighbours heads its own.
    """
    pairs = list(pair_reads)
    reads = [pair_reads[pair] for pair in pairs]
    adjacent = _neighbours(pairs)
    head_of = dict(zip(pairs, pairs))
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
                    head_of[pairs[neighbour]] = pairs[start]
                    stack.append(neighbour)
    return head_of


def molecules_per_insert(pair_reads: Mapping[tuple[str, str], int]) -> Counter[str]:
    """Counter {insert: molecules}: each molecule counts once, on the insert of the pair
    that heads it (its most-read form)."""
    heads = set(directional_groups(pair_reads).values())
    return Counter(insert for insert, _ in heads)
