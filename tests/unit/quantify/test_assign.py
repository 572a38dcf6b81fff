"""Biotype priority, isomiR classification, tRNA fragment types and mirGFF3 output."""

import pandas as pd
import pytest

from exomir.quantify.assign import (
    FRAGMENT_TYPES,
    count_sample,
    mirgff_variant,
    resolve_inserts,
    split_nontemplated,
    trna_fragment_type,
)
from exomir.quantify.mirgff import mirgff3_lines, read_isomirs
from exomir.report.mirtop_stats import problems

#               0         1         2         3
#               0123456789012345678901234567890123456789
HAIRPIN = "GGGGGGGGGGTGAGGTAGTAGGTTGTATAGTTGCCCCCCCCC"
MATURE = HAIRPIN[10:32]  # TGAGGTAGTAGGTTGTATAGTT, like hsa-let-7a-5p
POSITIONS = {"hp1": [("let-7a-5p", "MIMAT1", 10, 32)], "hp2": [("let-7z-5p", "MIMAT9", 10, 32)]}
RECORDS = {
    "miRNA|hp1": ("miRNA", "hp1", len(HAIRPIN)),
    "miRNA|hp2": ("miRNA", "hp2", len(HAIRPIN)),
    "tRNA|7": ("tRNA", "tRNA-Gly-GCC", 74),
    "rRNA|8": ("rRNA", "RNA5-8S", 160),
    "snoRNA|9": ("snoRNA", "SNORD3A", 200),
    "spike_in|10": ("spike_in", "RC1-01", 25),
}
TOLERANCES = (2, 3, 3)


@pytest.fixture
def resolve(alignment_table):
    """(biotype, targets) of one insert with these alignments: its best mature fits, hairpins or
    (feature, fragment type) targets."""

    def one_insert(alignments, sequence=MATURE):
        resolution = resolve_inserts(alignment_table({0: alignments}), [sequence], POSITIONS, RECORDS, TOLERANCES)
        biotype = resolution.biotypes[0]
        if biotype == "miRNA":
            return biotype, resolution.mirna_fits[0]
        targets = list(resolution.targets[["feature", "fragment_type"]].itertuples(index=False, name=None))
        return biotype, [feature for feature, _ in targets] if biotype == "miRNA_hairpin" else targets

    return one_insert


def test_nontemplated_tail_is_taken_from_the_last_mismatch_on_when_all_a_or_t():
    read = MATURE + "AT"  # the hairpin has CC after the mature: offset 22 is a mismatch, 23 too
    assert split_nontemplated(read, [(22, "C", "A"), (23, "C", "T")], 0, 3) == (22, 2, [])
    # A G in the end keeps it a substitution; a tail longer than allowed too.
    assert split_nontemplated(MATURE + "G", [(22, "C", "G")], 0, 3) == (23, 0, [(22, "C", "G")])
    assert split_nontemplated(MATURE + "A", [(22, "C", "A")], 3, 3) == (23, 3, [(22, "C", "A")])


def test_isomir_kinds_are_described_as_mirgff3_variants(resolve):
    cases = {
        (0, "miRNA|hp1", 10, 32, "", MATURE): "NA",
        (0, "miRNA|hp1", 9, 32, "", HAIRPIN[9:32]): "iso_5p:-1",
        (0, "miRNA|hp1", 10, 30, "", MATURE[:-2]): "iso_3p:-2",
        (2, "miRNA|hp1", 10, 32, "", MATURE + "TT"): "iso_add3p:2",
        (0, "miRNA|hp1", 10, 32, "4:G>C", MATURE[:4] + "C" + MATURE[5:]): "iso_snv_seed",
        (0, "miRNA|hp1", 10, 33, "22:C>A", MATURE + "A"): "iso_add3p:1",
    }
    for (tail, reference, start, end, mismatches, sequence), variant in cases.items():
        biotype, fits = resolve([(tail, reference, start, end, mismatches)], sequence)
        assert biotype == "miRNA" and len(fits) == 1
        assert mirgff_variant(fits[0]) == variant, (sequence, fits[0])


def test_priority_spike_in_then_trna_then_mirna_then_snorna_then_hairpin(resolve):
    mirna = (0, "miRNA|hp1", 10, 32, "")
    loop = (0, "miRNA|hp1", 0, 20, "")
    trna = (0, "tRNA|7", 0, 22, "")
    snorna = (0, "snoRNA|9", 40, 62, "")
    spike = (0, "spike_in|10", 0, 22, "")
    assert resolve([mirna, trna, spike])[0] == "spike_in"
    assert resolve([mirna, trna]) == ("tRNA", [("tRNA-Gly-GCC", "5'_tRF")])
    assert resolve([mirna, snorna])[0] == "miRNA"
    # A hairpin alignment outside any mature yields to any other annotation.
    assert resolve([loop, snorna], HAIRPIN[:20]) == ("snoRNA", [("SNORD3A", "")])
    assert resolve([loop], HAIRPIN[:20]) == ("miRNA_hairpin", ["hp1"])
    assert resolve([]) == ("unassigned", [])
    assert resolve([(0, "genome|chr1", 5, 27, "")]) == ("genome", [("genome", "")])


def test_trna_fragment_types():
    cases = {(0, 33, 75): "5'_half", (1, 20, 75): "5'_tRF", (40, 75, 75): "3'_half", (56, 73, 75): "3'_tRF"}
    cases |= {(20, 40, 75): "i-tRF", (0, 75, 75): "full_length"}
    starts, ends, lengths = zip(*cases)
    assert [FRAGMENT_TYPES[code] for code in trna_fragment_type(starts, ends, lengths)] == list(cases.values())
    assert list(FRAGMENT_TYPES) == sorted(FRAGMENT_TYPES)  # positions sort as the names


def test_counts_keep_canonical_and_isomirs_apart_and_every_insert_has_a_biotype(alignment_table):
    collapsed = pd.DataFrame(
        {
            "sequence": [MATURE, MATURE + "TT", HAIRPIN[:20], "A" * 20, "C" * 22],
            "reads": [10, 5, 3, 2, 4],
            "molecules": [10, 5, 3, 2, 4],
        }
    )
    alignments = {
        0: [(0, "miRNA|hp1", 10, 32, ""), (0, "miRNA|hp2", 10, 32, "")],
        1: [(2, "miRNA|hp1", 10, 32, "")],
        2: [(0, "miRNA|hp1", 0, 20, "")],
        4: [(0, "rRNA|8", 3, 25, "")],
    }
    tables, stats = count_sample(alignment_table(alignments), collapsed, POSITIONS, RECORDS, TOLERANCES)
    mirnas = tables["mirnas"].set_index("mirna")
    assert mirnas.loc["let-7a-5p", ["canonical", "isomir", "count"]].tolist() == [5.0, 5.0, 10.0]
    assert mirnas.loc["let-7z-5p", ["canonical", "isomir", "count"]].tolist() == [5.0, 0.0, 5.0]
    assert tables["inserts"]["biotype"].tolist() == ["miRNA", "miRNA", "miRNA_hairpin", "unassigned", "rRNA"]
    assert stats["biotype_reads"]["miRNA"] == 15 and stats["biotype_reads"]["unassigned"] == 2
    assert sum(stats["biotype_reads"].values()) == collapsed["reads"].sum()
    isomirs = tables["isomirs"].set_index(["sequence", "mirna"])
    assert isomirs.loc[(MATURE, "let-7a-5p"), "hits"] == 2
    assert isomirs.loc[(MATURE + "TT", "let-7a-5p"), "variant"] == "iso_add3p:2"


def test_mirgff3_passes_mirtop_validation(tmp_path, alignment_table):
    collapsed = pd.DataFrame({"sequence": [MATURE, MATURE + "TT"], "reads": [10, 5], "molecules": [10, 5]})
    alignments = alignment_table({0: [(0, "miRNA|hp1", 10, 32, "")], 1: [(2, "miRNA|hp1", 10, 32, "")]})
    tables, _ = count_sample(alignments, collapsed, POSITIONS, RECORDS, TOLERANCES)
    # Written and read back as the quantify and mirtop_gff rules do.
    tables["isomirs"].to_csv(tmp_path / "s1.isomirs.tsv", sep="\t", index=False)
    lines, left_out = mirgff3_lines(read_isomirs(tmp_path / "s1.isomirs.tsv"), "s1", "miRBasev22", {"hp1": HAIRPIN})
    gff = tmp_path / "s1.gff"
    gff.write_text("".join(lines))
    assert left_out == 0 and problems([gff]) == []
    body = [line for line in lines if not line.startswith("#")]
    assert body[0].split("\t")[2:5] == ["ref_miRNA", "11", "32"] and "Variant NA;" in body[0]
    assert "Variant iso_add3p:2" in body[1] and "Expression 5" in body[1]
    # mirtop's validator does catch a broken line.
    gff.write_text("".join(lines).replace("\tisomiR\t", "\tisoform\t"))
    assert problems([gff]) == ["INCORRECT TYPE in line 6"]
