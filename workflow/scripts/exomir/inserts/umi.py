"""UMIs: counting molecules with error correction.

Trimming (trim.trim_reads) searches a UMI kit's adapter as `after` + N per UMI base +
`then_adapter` and reads the UMI from the matched part of the read, before the adapter is
cut away (trimming first leaves nothing to take: the failure of nf-core/smrnaseq #503).

Reads with the same insert and UMI are PCR copies of one molecule. A sequencing error in the
UMI or in the insert makes a copy look like a new molecule, about one read in 40 at 0.1 %
errors per base, which would inflate molecule counts by several per cent. Copies are
therefore grouped with the directional method of UMI-tools (Smith, Heger & Sudbery, Genome
Res 2017;27:491-499): pair B joins pair A when they differ by one substitution and
reads(A) >= 2 * reads(B) - 1. Here the pair is (insert, UMI) and the substitution may be in
either; inserts of different length never join.

The pairs are held as arrays (`Pairs`: insert number, UMI bytes, reads), not as Python
tuples: 8,000,000 high-diversity QIAseq reads hold 3,510,304 pairs, and the job held as
dicts of tuples peaked at 2.8 GB (0.95 GB as arrays). Finding the pairs one substitution
apart is what costs. UMIs of one insert one substitution apart are found by sorting the
pairs' codes with one UMI position masked at a time (numpy, _umi_edges); inserts one
substitution apart are compared, as byte rows, only among the pairs that share a UMI
(_insert_edges). Only pairs with a neighbour are walked.
"""

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import ne

import numpy as np

BASES = "ACGTN"
UMI_CODES = np.full(256, -1, dtype=np.int8)  # A/C/G/T/N as 0-4, any other symbol -1
UMI_CODES[np.frombuffer(BASES.encode(), dtype=np.uint8)] = np.arange(len(BASES))
HAMMING_BATCH = 250_000  # insert pairs compared per numpy step (45-nt rows: 11 MB each side)


@dataclass
class Pairs:
    """Distinct (insert, UMI) pairs as arrays: `inserts` holds each insert once (an insert's
    number is its index), and pair i is (inserts[numbers[i]], umis[i]) with reads[i] reads."""

    inserts: Sequence[str]
    numbers: np.ndarray  # int64
    umis: np.ndarray  # bytes ("S"), one per pair
    reads: np.ndarray  # int64

    @functools.cached_property
    def insert_bytes(self) -> np.ndarray:
        """The inserts as a bytes array, which numpy sorts in str order (they are ASCII)."""
        return np.array(self.inserts, dtype="S")

    def pair(self, index: int) -> tuple[str, str]:
        return self.inserts[int(self.numbers[index])], self.umis[index].decode()


def pairs_of(pair_reads: Mapping[tuple[str, str], int]) -> Pairs:
    """`Pairs` of a {(insert, UMI): reads} mapping, in its order."""
    numbers = {}
    for insert, _ in pair_reads:
        numbers.setdefault(insert, len(numbers))
    return Pairs(
        inserts=list(numbers),
        numbers=np.array([numbers[insert] for insert, _ in pair_reads], dtype=np.int64),
        umis=np.array([umi.encode() for _, umi in pair_reads], dtype="S"),
        reads=np.fromiter(pair_reads.values(), dtype=np.int64, count=len(pair_reads)),
    )


def _substitutions(sequence: str) -> Iterator[str]:
    for position, base in enumerate(sequence):
        for other in BASES:
            if other != base:
                yield sequence[:position] + other + sequence[position + 1 :]


def _one_substitution_apart(first: str, second: str) -> bool:
    return len(first) == len(second) and sum(map(ne, first, second)) == 1


def _equal_key_pairs(keys: np.ndarray, members: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(first, second) member arrays of every two `members` with equal `keys`, each two once,
    in steps: step d pairs the members d places apart in key order."""
    order = np.argsort(keys, kind="stable")
    ordered, sorted_members = keys[order], members[order]
    active = np.arange(len(ordered) - 1)
    for distance in range(1, len(ordered)):
        active = active[active + distance < len(ordered)]
        active = active[ordered[active] == ordered[active + distance]]
        if not len(active):
            return
        yield sorted_members[active], sorted_members[active + distance]


def _umi_edges(pairs: Pairs, members: np.ndarray, digits: np.ndarray, umi_codes: np.ndarray, edges: list) -> np.ndarray:
    """Edges (both ways) between the `members` (plain UMIs of one length, as `digits` and
    their base-5 `umi_codes`) of one insert whose UMIs differ at one position; returns the
    members that have any. Only inserts with two or more of the members can have such pairs,
    so only they are sorted."""
    shared = np.bincount(pairs.numbers[members])[pairs.numbers[members]] > 1
    members, digits = members[shared], digits[shared]
    length = digits.shape[1]
    codes = pairs.numbers[members] * 5**length + umi_codes[shared]
    linked = [np.empty(0, dtype=np.int64)]
    for position in range(length):
        masked = codes - digits[:, position].astype(np.int64) * 5**position
        for first, second in _equal_key_pairs(masked, members):
            edges += [(first, second), (second, first)]
            linked += [first, second]
    return np.concatenate(linked)


def _insert_edges(pairs: Pairs, members: np.ndarray, keys: np.ndarray, edges: list) -> np.ndarray:
    """Edges (both ways) between `members` with equal `keys` (one UMI, one insert length)
    whose inserts are one substitution apart; returns every member that shares its key."""
    rows = pairs.insert_bytes
    rows = rows.view(np.uint8).reshape(len(rows), rows.dtype.itemsize)
    grouped = [np.empty(0, dtype=np.int64)]
    for first, second in _equal_key_pairs(keys, members):
        grouped += [first, second]
        for start in range(0, len(first), HAMMING_BATCH):
            one, other = first[start : start + HAMMING_BATCH], second[start : start + HAMMING_BATCH]
            apart = (rows[pairs.numbers[one]] != rows[pairs.numbers[other]]).sum(axis=1) == 1
            edges += [(one[apart], other[apart]), (other[apart], one[apart])]
    return np.concatenate(grouped)


def _foreign_edges(pairs: Pairs, foreign: np.ndarray, edges: list) -> None:
    """Edges of the pairs whose UMI holds a symbol other than A/C/G/T/N (rare; looked up one
    by one): to the pairs of the same insert whose UMI is one substitution to A/C/G/T/N away,
    and both ways between foreign pairs of one UMI whose inserts are one substitution apart."""
    numbers = set(pairs.numbers[foreign].tolist())
    candidates = np.flatnonzero(np.isin(pairs.numbers, list(numbers)))
    index_of = {pairs.pair(index): index for index in candidates.tolist()}
    sharing = {}
    first, second = [], []
    for index in foreign.tolist():
        insert, umi = pairs.pair(index)
        for other in _substitutions(umi):
            if (insert, other) in index_of:
                first.append(index)
                second.append(index_of[insert, other])
        sharing.setdefault((umi, len(insert)), []).append(index)
    for group in sharing.values():
        for one in group:
            for other in group:
                if _one_substitution_apart(pairs.pair(one)[0], pairs.pair(other)[0]):
                    first.append(one)
                    second.append(other)
    edges.append((np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)))


def _edges(pairs: Pairs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sources, targets, starts): the directed edges between pairs one substitution apart,
    and the pairs the walk starts from. Neighbours are the same insert with a UMI one
    substitution (to A/C/G/T/N) away, or the same UMI with an insert of the same length one
    substitution away. A pair whose UMI holds another symbol links only to the pairs its
    substitutions reach. The starts are the pairs that share a UMI-masked code or a UMI and
    insert length with another pair, and the foreign pairs."""
    count = len(pairs.numbers)
    insert_lengths = np.fromiter(map(len, pairs.inserts), dtype=np.int64, count=len(pairs.inserts))[pairs.numbers]
    longest = int(insert_lengths.max(initial=0))
    umi_lengths = np.char.str_len(pairs.umis) if count else np.empty(0, dtype=np.int64)
    characters = pairs.umis.view(np.uint8).reshape(count, pairs.umis.dtype.itemsize)
    edges, linked, foreign = [], [], []
    for length in np.unique(umi_lengths).tolist():
        if 5**length * max(len(pairs.inserts), longest + 1) >= 2**63:
            raise ValueError(f"UMIs of {length} nt are too long to code in 64 bits")
        members = np.flatnonzero(umi_lengths == length)
        digits = UMI_CODES[characters[members, :length]]
        plain = (digits >= 0).all(axis=1)
        foreign.append(members[~plain])
        members, digits = members[plain], digits[plain]
        umi_codes = np.zeros(len(members), dtype=np.int64)
        for position in range(length):  # column by column: int64 digits would take 8 B per base
            umi_codes += digits[:, position].astype(np.int64) * 5**position
        linked.append(_umi_edges(pairs, members, digits, umi_codes, edges))
        linked.append(_insert_edges(pairs, members, umi_codes * (longest + 1) + insert_lengths[members], edges))
    foreign = np.concatenate(foreign) if foreign else np.empty(0, dtype=np.int64)
    if len(foreign):
        _foreign_edges(pairs, foreign, edges)
    starts = np.zeros(count, dtype=bool)
    for members in [*linked, foreign]:
        starts[members] = True
    if not edges:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), starts
    return np.concatenate([one for one, _ in edges]), np.concatenate([other for _, other in edges]), starts


def heads(pairs: Pairs) -> np.ndarray:
    """The index of the pair that heads each pair's molecule, by directional adjacency.

    Starts are visited from the most reads down (ties in (insert, UMI) order, so the result
    does not depend on input order); each unvisited start heads a molecule that takes every
    pair reachable through edges A -> B with reads(A) >= 2 * reads(B) - 1. Any other pair
    heads its own. A start no edge leads into or out of claims nothing and is never claimed,
    so it is not walked.
    """
    reads = pairs.reads
    sources, targets, starts = _edges(pairs)
    claims = reads[sources] >= 2 * reads[targets] - 1
    sources, targets = sources[claims], targets[claims]
    walked = np.zeros(len(reads), dtype=bool)
    walked[sources] = walked[targets] = True
    walked = np.flatnonzero(walked & starts)
    rank = np.empty(len(pairs.inserts), dtype=np.int64)
    rank[np.argsort(pairs.insert_bytes, kind="stable")] = np.arange(len(pairs.inserts))
    walked = walked[np.lexsort((pairs.umis[walked], rank[pairs.numbers[walked]], -reads[walked]))].tolist()
    # Each source's targets as a range of one list: a list per pair would take 130 MB at 3.5 million pairs.
    order = np.argsort(sources, kind="stable")
    sources, targets = sources[order], targets[order].tolist()
    linked, begins = np.unique(sources, return_index=True)
    ends = np.append(begins[1:], len(targets))
    out_edges = dict(zip(linked.tolist(), zip(begins.tolist(), ends.tolist())))
    claimed = {}
    for start in walked:
        if start in claimed:
            continue
        claimed[start] = start
        stack = [start]
        while stack:
            begin, end = out_edges.get(stack.pop(), (0, 0))
            for neighbour in targets[begin:end]:
                if neighbour not in claimed:
                    claimed[neighbour] = start
                    stack.append(neighbour)
    head = np.arange(len(reads))
    head[np.fromiter(claimed, dtype=np.int64, count=len(claimed))] = np.fromiter(
        claimed.values(), dtype=np.int64, count=len(claimed)
    )
    return head


def directional_groups(pair_reads: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(insert, UMI): the pair that heads its molecule} (see heads) of {(insert, UMI): reads}."""
    pairs = pairs_of(pair_reads)
    return {pairs.pair(index): pairs.pair(head) for index, head in enumerate(heads(pairs).tolist())}


def molecules_per_insert(pairs: Pairs) -> np.ndarray:
    """Molecules per insert number: each molecule counts once, on the insert of the pair that
    heads it (its most-read form)."""
    heading = heads(pairs) == np.arange(len(pairs.numbers))
    return np.bincount(pairs.numbers[heading], minlength=len(pairs.inserts))
