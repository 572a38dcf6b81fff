"""Kit presets, insert length limits, collapsing and reading a sample's lanes."""

import gzip
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from exomir.devtools.runs import REPO
from exomir.inserts.collapse import InsertCounts, collapsed_rows, pair_keys, write_collapsed
from exomir.inserts.kits import kit_preset, load_kits
from exomir.inserts.reads import ReadFileError, distinct_read_chunks, first_reads, insert_length_range
from exomir.inserts.trim import Trimmed

KITS = load_kits(REPO / "resources" / "kits.yaml")


def trimmed(rows, umi=True):
    """A chunk of trimmed distinct reads from (insert, UMI, reads) rows."""
    inserts, umis, reads = zip(*rows)
    return Trimmed(list(inserts), list(umis) if umi else None, np.ones(len(rows), bool), np.array(reads))


def test_kit_lookup_gives_the_preset_adapter_and_clips():
    assert kit_preset(KITS, "truseq")["adapter_3p"] == "TGGAATTCTCGGGTGCCAAGG"
    assert kit_preset(KITS, "nextflex_v3")["clip_5p"] == 4
    assert kit_preset(KITS, "qiaseq")["umi"]["length"] == 12
    with pytest.raises(KeyError, match="unknown kit 'truseqq'.*truseq"):
        kit_preset(KITS, "truseqq")


def test_every_kit_cites_its_source():
    for name, kit in KITS.items():
        assert len(kit["source"]) > 20, name


def test_insert_length_range_is_the_kits_unless_the_config_sets_an_end():
    assert insert_length_range(KITS["truseq"], None, None) == (16, 45)
    assert insert_length_range(KITS["truseq"], 18, None) == (18, 45)
    assert insert_length_range(KITS["truseq"], None, 30) == (16, 30)


def test_collapse_counts_identical_inserts_after_clip_and_length_filter():
    reads = ["AAAACCCCGGGGTTTTAAAANNNN", "AAAACCCCGGGGTTTTAAAATTTT", "ACGT", "A" * 60, "CCCCGGGGTTTTAAAACCCCGGGG"]
    inserts = InsertCounts({"clip_3p": 4, "umi": None}, min_length=16, max_length=45)
    inserts.add(trimmed([(read, None, 1) for read in reads[:3]], umi=False))
    inserts.add(trimmed([(read, None, 1) for read in reads[3:]], umi=False))  # a second chunk
    assert inserts.length_stats() == {
        "trimmed_reads": 5,
        "too_short": 1,
        "too_long": 1,
        "length_passed": 3,
        "unique_sequences": 2,
        "insert_lengths": {20: 3},
        "trimmed_lengths": {0: 1, 20: 3, 56: 1},
    }
    rows, umi_stats = inserts.collapse()
    assert umi_stats is None
    assert rows == [("AAAACCCCGGGGTTTTAAAA", 2, 2), ("CCCCGGGGTTTTAAAACCCC", 1, 1)]


def test_umi_pairs_are_summed_across_chunks_and_deduplicated():
    """Molecules: AAAA's two UMIs one substitution apart are one (reads 6 + 3 over two
    chunks against 1), CCCC's UMI is another; GGGG's only read ended inside its UMI."""
    kit = {"clip_3p": 0, "umi": {"length": 4}}
    inserts = InsertCounts(kit, min_length=4, max_length=10)
    inserts.add(trimmed([("AAAA", "ACGT", 4), ("AAAA", "ACGA", 1), ("CCCC", "ACGT", 2), ("GGGG", None, 5)]))
    inserts.add(trimmed([("AAAA", "ACGT", 2), ("CCCC", "TTTT", 1), ("AC", "ACGT", 7)]))
    pairs = inserts.pairs()
    assert [pairs.pair(index) for index in range(len(pairs.numbers))] == [
        ("AAAA", "ACGA"),
        ("AAAA", "ACGT"),
        ("CCCC", "ACGT"),
        ("CCCC", "TTTT"),
    ]
    assert pairs.reads.tolist() == [1, 6, 2, 1]
    inserts = InsertCounts(kit, min_length=4, max_length=10)
    inserts.add(trimmed([("AAAA", "ACGT", 4), ("AAAA", "ACGA", 1), ("CCCC", "ACGT", 2), ("GGGG", None, 5)]))
    inserts.add(trimmed([("AAAA", "ACGT", 2), ("CCCC", "TTTT", 1), ("AC", "ACGT", 7)]))
    rows, umi_stats = inserts.collapse()
    assert rows == [("AAAA", 7, 1), ("CCCC", 3, 2)]
    assert umi_stats == {
        "reads_with_umi": 10,
        "umi_incomplete": 5,
        "distinct_insert_umi_pairs": 4,
        "molecules": 3,
        "duplication_rate": 0.7,
    }
    assert inserts.length_stats()["unique_sequences"] == 3  # GGGG passed the length filter


@pytest.mark.parametrize("width", [4, 30])  # 30 symbols over 30 nt do not fit 64 bits: UMI ranks
def test_pair_keys_are_equal_only_for_equal_pairs(width):
    symbols = "ACGTN.ABCDEFGHIJKLMOPQRSUVWXYZ"[:width]
    umis = [symbols[:width], symbols[::-1], symbols[:width], symbols[:width], symbols[1:] + symbols[0]]
    numbers = np.array([0, 0, 1, 0, 0])
    keys = pair_keys(numbers, np.array([umi.encode() for umi in umis]), inserts=2).tolist()
    assert keys[0] == keys[3]  # the same insert and UMI
    assert len({keys[0], keys[1], keys[2], keys[4]}) == 4


def test_collapsed_table_is_sorted_by_reads_then_sequence_and_reads_back(tmp_path):
    rows = collapsed_rows(["CCCC", "AAAA", "GGGG", "TTTT"], np.array([3, 3, 7, 0]), np.array([1, 0, 2, 0]))
    assert rows == [("GGGG", 7, 2), ("AAAA", 3, 0), ("CCCC", 3, 1)]  # TTTT: no reads, no row
    write_collapsed(rows, tmp_path / "s.tsv.gz")
    table = pd.read_csv(tmp_path / "s.tsv.gz", sep="\t")
    assert list(table.columns) == ["sequence", "reads", "molecules"]
    assert list(table.itertuples(index=False, name=None)) == rows


def test_reads_are_counted_per_distinct_sequence_in_chunks_across_lanes(tmp_path):
    first, second = tmp_path / "lane1.fastq", tmp_path / "lane2.fastq"
    first.write_text("@r1\nACGTACGT\n+\nIIIIIIII\n@r2\nACGTACGT\n+\nIIIIIIII\n@r3\nTTTTGGGG\n+\nIIIIIIII\n")
    second.write_text("@r4\nACGTACGT\n+\nIIIIIIII\n")
    chunks = list(distinct_read_chunks([first, second], chunk_reads=2))
    assert chunks == [{"ACGTACGT": 2}, {"TTTTGGGG": 1}, {"ACGTACGT": 1}]
    assert first_reads([first, second], 2) == {"ACGTACGT": 2}
    assert first_reads([first, second], 4) == {"ACGTACGT": 3, "TTTTGGGG": 1}


def test_malformed_or_truncated_reads_are_named_with_their_file(tmp_path):
    malformed = tmp_path / "malformed.fastq"
    malformed.write_text("@r1\nACGT\n+\nIIII\nr2\nACGT\n+\nIIII\n")
    with pytest.raises(ReadFileError, match=r"malformed\.fastq: .*line 5"):
        list(distinct_read_chunks([malformed], 10))
    whole = gzip.compress(b"".join(b"@r%d\nACGTACGTACGTACGT\n+\nIIIIIIIIIIIIIIII\n" % index for index in range(5000)))
    truncated = tmp_path / "truncated.fastq.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReadFileError, match=r"truncated\.fastq\.gz: "):
        list(distinct_read_chunks([truncated], 10))


def test_lowercase_reads_count_as_their_capitals(tmp_path):
    upper = "TGAGGTAGTAGGTTGTATAGTTTGGAATTCTCGGGTGCCAAGG"
    records = [upper, upper.lower(), upper[:10].lower() + upper[10:], "ACGTN", "acgtn", ""]
    lane = tmp_path / "mixed.fastq"
    lane.write_text("".join(f"@r{n}\n{sequence}\n+\n{'I' * len(sequence)}\n" for n, sequence in enumerate(records)))
    assert list(distinct_read_chunks([lane], 100)) == [Counter({upper: 3, "ACGTN": 2, "": 1})]
    assert first_reads([lane], 5) == Counter({upper: 3, "ACGTN": 2})
