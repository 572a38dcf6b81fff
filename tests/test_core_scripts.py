"""Unit tests of the trimming, collapsing and counting logic."""

import gzip
from collections import Counter

import pandas as pd
import pytest

from collapse import clip_and_filter, collapsed_rows, count_inserts, write_collapsed
from conftest import REPO, write_sample_sheet
from count_matrix import count_matrix, counts_per_million
from fasta import read_fasta
from inserts import ReadFileError, distinct_read_chunks, first_reads, insert_length_range
from kits import kit_preset, load_kits
from mirna_reference import mature_positions, parse_gff3
from quantify_mirnas import count_sample, resolve_insert
from samplesheet import SampleSheetError, load_sample_sheet

KITS = load_kits(REPO / "resources" / "kits.yaml")
MIRBASE = REPO / "resources" / "mirbase-v22-hsa"


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
    inserts, stats = clip_and_filter(Counter((read, None) for read in reads), clip_3p=4, min_length=16, max_length=45)
    assert inserts == {("AAAACCCCGGGGTTTTAAAA", None): 2, ("CCCCGGGGTTTTAAAACCCC", None): 1}
    assert stats == {
        "trimmed_reads": 5,
        "too_short": 1,
        "too_long": 1,
        "length_passed": 3,
        "unique_sequences": 2,
        "insert_lengths": {20: 3},
    }
    reads_per_insert, molecules, umi_stats = count_inserts(inserts, has_umi=False)
    assert umi_stats is None
    rows = collapsed_rows(reads_per_insert, molecules)
    assert rows == [("AAAACCCCGGGGTTTTAAAA", 2, 2), ("CCCCGGGGTTTTAAAACCCC", 1, 1)]


def test_collapsed_table_is_sorted_by_reads_then_sequence_and_reads_back(tmp_path):
    rows = collapsed_rows(Counter({"CCCC": 3, "AAAA": 3, "GGGG": 7}), Counter({"CCCC": 1, "GGGG": 2}))
    assert rows == [("GGGG", 7, 2), ("AAAA", 3, 0), ("CCCC", 3, 1)]
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


@pytest.fixture(scope="module")
def positions():
    hairpins = read_fasta(MIRBASE / "hairpin.fa", "hsa")
    matures = read_fasta(MIRBASE / "mature.fa", "hsa")
    table, problems = mature_positions(*parse_gff3(MIRBASE / "hsa.gff3"), hairpins, matures)
    assert problems == []
    return table, hairpins, matures


def test_every_v22_mature_is_placed_where_its_sequence_is(positions):
    table, hairpins, matures = positions
    assert table["mirna"].nunique() == len(matures) == 2656
    assert all(matures[row.mirna] == row.sequence for row in table.itertuples())
    # hsa-miR-16-5p arises from two loci.
    assert set(table.loc[table["mirna"] == "hsa-miR-16-5p", "hairpin"]) == {"hsa-mir-16-1", "hsa-mir-16-2"}


def as_lookup(table):
    lookup = {}
    for row in table.itertuples():
        lookup.setdefault(row.hairpin, []).append((row.mirna, row.accession, row.start, row.end))
    return lookup


def hairpin_records(lookup):
    return {f"miRNA|{hairpin}": ("miRNA", hairpin, 110) for hairpin in lookup}


def assign(alignments, lookup, five_prime_tolerance=2, three_prime_tolerance=3):
    """resolve_insert on exact (tail 0, no mismatch) hairpin alignments (hairpin, start, end)."""
    hits = [(0, f"miRNA|{hairpin}", start, end, "") for hairpin, start, end in alignments]
    tolerances = (five_prime_tolerance, three_prime_tolerance, 3)
    biotype, targets = resolve_insert(hits, "A" * 30, lookup, hairpin_records(lookup), tolerances)
    if biotype == "miRNA":
        return biotype, {(fit["mirna"], fit["accession"]): fit["iso_5p"] == fit["iso_3p"] == 0 for fit in targets}
    return biotype, targets


def test_read_overhanging_the_mature_by_2_nt_is_assigned_as_isomir(positions):
    table, _, _ = positions
    mature = table[table["mirna"] == "hsa-miR-486-5p"].iloc[0]
    lookup = as_lookup(table)
    overhang = [(mature.hairpin, mature.start, mature.end + 2)]
    assert assign(overhang, lookup) == ("miRNA", {("hsa-miR-486-5p", "MIMAT0002177"): False})
    exact = [(mature.hairpin, mature.start, mature.end)]
    assert assign(exact, lookup) == ("miRNA", {("hsa-miR-486-5p", "MIMAT0002177"): True})
    too_far = [(mature.hairpin, mature.start + 3, mature.end + 3)]
    assert assign(too_far, lookup)[0] == "miRNA_hairpin"


def test_mature_from_several_loci_is_counted_once(positions):
    table, _, _ = positions
    loci = table[table["mirna"] == "hsa-miR-16-5p"]
    alignments = [(row.hairpin, row.start, row.end) for row in loci.itertuples()]
    assert len(alignments) == 2
    outcome, matures = assign(alignments, as_lookup(table))
    assert outcome == "miRNA" and matures == {("hsa-miR-16-5p", "MIMAT0000069"): True}


def test_equal_fit_to_differently_named_matures_is_split(tmp_path):
    lookup = {"hp1": [("miR-a", "MIMAT1", 5, 27)], "hp2": [("miR-b", "MIMAT2", 10, 32)]}
    outcome, matures = assign([("hp1", 5, 27), ("hp2", 10, 32)], lookup)
    assert outcome == "miRNA" and set(matures) == {("miR-a", "MIMAT1"), ("miR-b", "MIMAT2")}
    # A better fit wins over a worse one.
    outcome, matures = assign([("hp1", 5, 27), ("hp2", 10, 33)], lookup)
    assert set(matures) == {("miR-a", "MIMAT1")}


def test_count_sample_splits_molecules_and_reports_the_split(tmp_path):
    alignments = {
        0: [(0, "miRNA|hp1", 5, 27, ""), (0, "miRNA|hp2", 10, 32, "")],
        1: [(0, "miRNA|hp1", 5, 27, "")],
        2: [(0, "miRNA|hp2", 38, 60, "")],
    }
    collapsed = pd.DataFrame({"sequence": ["A" * 22, "C" * 22, "G" * 22], "reads": [10, 4, 3], "molecules": [10, 4, 3]})
    lookup = {"hp1": [("miR-a", "MIMAT1", 5, 27)], "hp2": [("miR-b", "MIMAT2", 10, 32)]}
    tables, stats = count_sample(alignments, collapsed, lookup, hairpin_records(lookup), (2, 3, 3))
    counts = tables["mirnas"].set_index("mirna")["count"]
    assert counts.to_dict() == {"miR-a": 9.0, "miR-b": 5.0}
    assert tables["hairpins"].set_index("hairpin")["count"].to_dict() == {"hp2": 3.0}
    split = [{"sequence": "A" * 22, "molecules": 10, "split_between": "miR-a;miR-b"}]
    assert tables["ambiguous"].to_dict("records") == split
    assert stats["mirna_molecules"] == 14.0 and stats["hairpin_only_molecules"] == 3.0


def test_count_matrix_fills_absent_mirnas_with_zero_and_cpm_handles_empty_samples():
    per_sample = {
        "s1": pd.DataFrame({"mirna": ["a", "b"], "accession": ["M1", "M2"], "count": [3.0, 1.0]}),
        "s2": pd.DataFrame({"mirna": ["b"], "accession": ["M2"], "count": [5.0]}),
        "s3": pd.DataFrame({"mirna": [], "accession": [], "count": []}),
    }
    matrix, accessions = count_matrix(per_sample)
    assert matrix.loc["a"].tolist() == [3.0, 0.0, 0.0]
    assert accessions.tolist() == ["M1", "M2"]
    cpm = counts_per_million(matrix)
    assert cpm["s1"].tolist() == [750000.0, 250000.0]
    assert cpm["s3"].tolist() == [0.0, 0.0]


def test_sample_sheet_errors_name_file_row_and_column(tmp_path):
    reads = tmp_path / "a.fastq.gz"
    reads.write_bytes(b"")
    sheet = write_sample_sheet(
        tmp_path / "samples.tsv",
        [
            ("s1", reads, "plasma", "truseq", "healthy"),
            ("s1", reads, "blood", "truseq", "healthy"),
            ("s2", tmp_path / "missing.fq.gz", "serum", "nosuchkit", "healthy"),
        ],
    )
    with pytest.raises(SampleSheetError) as error:
        load_sample_sheet(sheet, KITS)
    message = str(error.value)
    assert f"{sheet}: row 3, column 'sample': duplicate sample 's1' (first on row 2)" in message
    assert f"{sheet}: row 3, column 'biofluid':" in message and "'blood'" in message
    assert f"{sheet}: row 4, column 'kit': unknown kit 'nosuchkit'" in message
    assert f"{sheet}: row 4, column 'fastq': file not found: {tmp_path / 'missing.fq.gz'}" in message


def test_sample_sheet_lanes_are_split_and_batch_is_optional(tmp_path):
    lanes = [tmp_path / "L1.fq.gz", tmp_path / "L2.fq.gz"]
    for lane in lanes:
        lane.write_bytes(b"")
    sheet = write_sample_sheet(tmp_path / "s.tsv", [("s1", f"{lanes[0]},{lanes[1]}", "urine", "none", "unknown")])
    samples = load_sample_sheet(sheet, KITS)
    assert samples.loc["s1", "fastq"].split(",") == [str(lane) for lane in lanes]
    assert samples.loc["s1", "batch"] == ""
