"""Mature positions on v22 hairpins and the assignment of hairpin alignments to matures."""

import pandas as pd
import pytest

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO
from exomir.quantify.align import ALIGNMENT_COLUMNS
from exomir.quantify.assign import count_sample, resolve_inserts
from exomir.references.mirbase import mature_positions, parse_gff3

MIRBASE = REPO / "resources" / "mirbase-v22-hsa"


def as_lookup(table):
    lookup = {}
    for row in table.itertuples():
        lookup.setdefault(row.hairpin, []).append((row.mirna, row.accession, row.start, row.end))
    return lookup


def hairpin_records(lookup):
    return {f"miRNA|{hairpin}": ("miRNA", hairpin, 110) for hairpin in lookup}


def assign(alignments, lookup, five_prime_tolerance=2, three_prime_tolerance=3):
    """resolve_inserts on one insert's exact (tail 0, no mismatch) hairpin alignments (hairpin,
    start, end): (biotype, {(mature, accession): canonical}) or (biotype, hairpins)."""
    hits = pd.DataFrame(
        [(0, 0, f"miRNA|{hairpin}", start, end, "") for hairpin, start, end in alignments], columns=ALIGNMENT_COLUMNS
    )
    tolerances = (five_prime_tolerance, three_prime_tolerance, 3)
    resolution = resolve_inserts(hits, ["A" * 30], lookup, hairpin_records(lookup), tolerances)
    biotype = resolution.biotypes[0]
    if biotype == "miRNA":
        fits = resolution.mirna_fits[0]
        return biotype, {(fit["mirna"], fit["accession"]): fit["iso_5p"] == fit["iso_3p"] == 0 for fit in fits}
    return biotype, resolution.targets["feature"].tolist()


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


def test_count_sample_splits_molecules_and_reports_the_split(tmp_path, alignment_table):
    alignments = {
        0: [(0, "miRNA|hp1", 5, 27, ""), (0, "miRNA|hp2", 10, 32, "")],
        1: [(0, "miRNA|hp1", 5, 27, "")],
        2: [(0, "miRNA|hp2", 38, 60, "")],
    }
    collapsed = pd.DataFrame({"sequence": ["A" * 22, "C" * 22, "G" * 22], "reads": [10, 4, 3], "molecules": [10, 4, 3]})
    lookup = {"hp1": [("miR-a", "MIMAT1", 5, 27)], "hp2": [("miR-b", "MIMAT2", 10, 32)]}
    tables, stats = count_sample(alignment_table(alignments), collapsed, lookup, hairpin_records(lookup), (2, 3, 3))
    counts = tables["mirnas"].set_index("mirna")["count"]
    assert counts.to_dict() == {"miR-a": 9.0, "miR-b": 5.0}
    assert tables["hairpins"].set_index("hairpin")["count"].to_dict() == {"hp2": 3.0}
    split = [{"sequence": "A" * 22, "molecules": 10, "split_between": "miR-a;miR-b"}]
    assert tables["ambiguous"].to_dict("records") == split
    assert stats["mirna_molecules"] == 14.0 and stats["hairpin_only_molecules"] == 3.0
