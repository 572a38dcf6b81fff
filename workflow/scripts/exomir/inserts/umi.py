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
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping

BASES = "ACGTN"


def _substitutions(sequence: str) -> Iterator[str]:
    for position, base in enumerate(sequence):
        for other in BASES:
            if other != base:
                yield sequence[:position] + other + sequence[position + 1 :]


def _one_substitution_apart(first: str, second: str) -> bool:
    return len(first) == len(second) and sum(a != b for a, b in zip(first, second)) == 1


def directional_groups(pair_reads: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(insert, UMI): the pair that heads its molecule} by directional adjacency.

    `pair_reads` maps (insert, UMI) to its read count. Pairs are visited from the most
    reads down (ties in sequence order, so the result does not depend on input order);
    each unvisited pair heads a molecule that takes every pair reachable through edges
    A -> B with reads(A) >= 2 * reads(B) - 1.
    """
    umis_of_insert = defaultdict(set)
    inserts_of_umi = defaultdict(list)
    for insert, umi in pair_reads:
        umis_of_insert[insert].add(umi)
        inserts_of_umi[umi].append(insert)

    def neighbours(pair: tuple[str, str]) -> Iterator[tuple[str, str]]:
        insert, umi = pair
        umis = umis_of_insert[insert]
        for other_umi in _substitutions(umi):
            if other_umi in umis:
                yield insert, other_umi
        for other_insert in inserts_of_umi[umi]:
            if _one_substitution_apart(insert, other_insert):
                yield other_insert, umi

    head_of = {}
    for pair in sorted(pair_reads, key=lambda pair: (-pair_reads[pair], pair)):
        if pair in head_of:
            continue
        head_of[pair] = pair
        stack = [pair]
        while stack:
            current = stack.pop()
            for neighbour in neighbours(current):
                if neighbour not in head_of and pair_reads[current] >= 2 * pair_reads[neighbour] - 1:
                    head_of[neighbour] = pair
                    stack.append(neighbour)
    return head_of


def molecules_per_insert(pair_reads: Mapping[tuple[str, str], int]) -> Counter[str]:
    """Counter {insert: molecules}: each molecule counts once, on the insert of the pair
    that heads it (its most-read form)."""
    heads = set(directional_groups(pair_reads).values())
    return Counter(insert for insert, _ in heads)
