"""UMI extraction and molecule counting, on constructed pairs and on the real QIAseq reads."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.inserts.collapse import COLLAPSED_COLUMNS
from exomir.inserts.kits import load_kits
from exomir.inserts.reads import collapse_lanes, distinct_read_chunks
from exomir.inserts.trim import adapter_finder, trim_distinct, trim_reads, umis_at
from exomir.inserts.umi import directional_groups, molecules_per_insert, pairs_of

QIASEQ = load_kits(REPO / "resources" / "kits.yaml")["qiaseq"]
QIASEQ_READS = SHARED_DATA / "reads" / "mirtrace_tutorial" / "QiaSeq_data.fastq.gz"
TRIM_CONFIG = {"error_rate": 0.1, "min_adapter_overlap": 3, "discard_untrimmed": True}
MIR_16 = "TAGCAGCACGTAAATATTGGCG"


def test_umi_is_read_from_the_matched_adapter():
    after = QIASEQ["umi"]["after"]
    matched = [f"{after}ACGTACGTACGTAGATCGG", f"{after}ACGTACGTAC", f"TT{after}ACGTACGTACGTAG"]
    starts, stops = np.array([0, 0, 2]), np.array([len(matched[0]), len(matched[1]), len(matched[2]) - 1])
    # The third match ends one base into the adapter after the UMI; the second ends in the UMI.
    assert umis_at(matched, starts, stops, QIASEQ["umi"]) == ["ACGTACGTACGT", None, "ACGTACGTACGT"]
    adapter = adapter_finder(QIASEQ, 0.1, 3)
    reads = [MIR_16 + after + "ACGTACGTACGT" + "AGATCGGAAG", MIR_16 + after + "ACGTAC", "ACGT" * 15]
    trimmed = trim_reads(reads, QIASEQ, adapter)
    assert trimmed.inserts == [MIR_16, MIR_16, "ACGT" * 15]
    assert trimmed.umis == ["ACGTACGTACGT", None, None]
    assert trimmed.found.tolist() == [True, True, False]


def test_copies_with_one_error_in_umi_or_insert_join_the_abundant_molecule():
    error_in_insert = MIR_16[:5] + "A" + MIR_16[6:]
    pairs = {
        (MIR_16, "AAAAAAAAAAAA"): 10,
        (MIR_16, "AAAAAAAAAAAT"): 1,  # UMI error
        (error_in_insert, "AAAAAAAAAAAA"): 2,  # insert error
        (MIR_16, "CCCCCCCCCCCC"): 3,  # another molecule
        (MIR_16, "CCCCCCCCCCCA"): 3,  # as abundant: 3 < 2 * 3 - 1, a molecule of its own
    }
    heads = directional_groups(pairs)
    assert heads[MIR_16, "AAAAAAAAAAAT"] == heads[error_in_insert, "AAAAAAAAAAAA"] == (MIR_16, "AAAAAAAAAAAA")
    assert heads[MIR_16, "CCCCCCCCCCCA"] != heads[MIR_16, "CCCCCCCCCCCC"]
    assert molecules(pairs) == Counter({MIR_16: 3})


def test_same_umi_on_inserts_of_different_length_stays_apart():
    pairs = {(MIR_16, "ACGTACGTACGT"): 5, (MIR_16 + "A", "ACGTACGTACGT"): 1}
    assert molecules(pairs) == Counter({MIR_16: 1, MIR_16 + "A": 1})


def molecules(pair_reads):
    pairs = pairs_of(pair_reads)
    return Counter(
        {insert: count for insert, count in zip(pairs.inserts, molecules_per_insert(pairs).tolist()) if count}
    )


def reference_groups(pair_reads):
    """The directional method written out plainly: neighbours by trying every substitution."""
    head_of = {}
    for pair in sorted(pair_reads, key=lambda pair: (-pair_reads[pair], pair)):
        if pair in head_of:
            continue
        head_of[pair] = pair
        stack = [pair]
        while stack:
            insert, umi = current = stack.pop()
            substituted = [(insert, umi[:i] + base + umi[i + 1 :]) for i in range(len(umi)) for base in "ACGTN"]
            same_umi = [(other, umi) for other, other_umi in pair_reads if other_umi == umi]
            for neighbour in substituted + same_umi:
                one_apart = sum(map(str.__ne__, "".join(neighbour), "".join(current))) == 1
                if (
                    neighbour in pair_reads
                    and neighbour not in head_of
                    and len(neighbour[0]) == len(insert)
                    and one_apart
                    and pair_reads[current] >= 2 * pair_reads[neighbour] - 1
                ):
                    head_of[neighbour] = pair
                    stack.append(neighbour)
    return head_of


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["ACG", "ACT", "TCG", "ACGA", "ACGT"]), st.text("ACGTN.", min_size=3, max_size=3)),
        st.integers(1, 8),
        max_size=40,
    )
)
def test_directional_groups_equal_the_plain_method(pair_reads):
    assert directional_groups(pair_reads) == reference_groups(pair_reads)
    heads = set(reference_groups(pair_reads).values())
    assert molecules(pair_reads) == Counter(insert for insert, _ in heads)


def collapse_real_qiaseq(lanes):
    rows, stats = collapse_lanes(lanes, QIASEQ, TRIM_CONFIG, QIASEQ["insert_length"])
    return pd.DataFrame(rows, columns=COLLAPSED_COLUMNS), stats["umi"]


@pytest.fixture(scope="module")
def real_qiaseq():
    return collapse_real_qiaseq([QIASEQ_READS])


def test_real_qiaseq_molecules_are_fewer_than_reads(real_qiaseq):
    table, umi_stats = real_qiaseq
    print(
        f"QiaSeq_data: {umi_stats['reads_with_umi']} reads with a UMI, {umi_stats['distinct_insert_umi_pairs']}"
        f" distinct (insert, UMI) pairs, {umi_stats['molecules']} molecules,"
        f" duplication rate {umi_stats['duplication_rate']:.3f},"
        f" {umi_stats['umi_incomplete']} reads without a whole UMI"
    )
    assert table["molecules"].sum() == umi_stats["molecules"] < table["reads"].sum() == umi_stats["reads_with_umi"]
    assert (
        0
        < umi_stats["duplication_rate"]
        == pytest.approx(1 - umi_stats["molecules"] / umi_stats["reads_with_umi"], abs=1e-4)
    )
    # No insert has more molecules than distinct UMIs, and every insert read has one.
    trimmed = trim_distinct(
        sum(distinct_read_chunks([QIASEQ_READS], 10**6), Counter()),
        QIASEQ,
        adapter_finder(QIASEQ, 0.1, 3),
        True,
        Counter(),
    )
    low, high = QIASEQ["insert_length"]
    pairs = zip(trimmed.inserts, trimmed.umis)
    kept = {(insert, umi) for insert, umi in pairs if umi is not None and low <= len(insert) <= high}
    distinct_umis = Counter(insert for insert, _ in kept)
    by_insert = table.set_index("sequence")
    assert (by_insert["molecules"] <= by_insert.index.map(distinct_umis)).all()
    assert (by_insert["molecules"] >= 1).all()
    assert umi_stats["umi_incomplete"] < 0.05 * umi_stats["reads_with_umi"]


def test_real_qiaseq_duplicates_count_once(real_qiaseq):
    """The same reads twice (as two lanes) are PCR copies: twice the reads, the same
    (insert, UMI) pairs, and no more molecules than pairs. Doubling only makes the
    directional rule stricter (2a >= 4b - 1), so molecules may rise a little, never fall."""
    table, umi_stats = real_qiaseq
    doubled, doubled_stats = collapse_real_qiaseq([QIASEQ_READS, QIASEQ_READS])
    print(f"QiaSeq_data twice: {doubled_stats['molecules']} molecules (once: {umi_stats['molecules']})")
    assert doubled_stats["reads_with_umi"] == 2 * umi_stats["reads_with_umi"]
    assert doubled_stats["distinct_insert_umi_pairs"] == umi_stats["distinct_insert_umi_pairs"]
    assert umi_stats["molecules"] <= doubled_stats["molecules"] <= umi_stats["distinct_insert_umi_pairs"]
    assert doubled_stats["molecules"] <= 1.02 * umi_stats["molecules"]
    merged = table.merge(doubled, on="sequence", suffixes=("", "_doubled"))
    assert len(merged) == len(table) == len(doubled)
    assert (merged["reads_doubled"] == 2 * merged["reads"]).all()
