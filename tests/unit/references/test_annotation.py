"""The combined annotation reference: biotype of every record, tRNA tails, spike-in tables."""

import gzip

import pandas as pd
import pytest

from exomir.devtools.runs import shared_references
from exomir.references.annotation import (
    BIOTYPE_PRIORITY,
    annotation_records,
    read_spike_ins,
    shadowed_matures,
    trna_family,
)

SHARED_ANNOTATION = shared_references()["annotation"]


def write_gencode(path, records):
    with gzip.open(path, "wt") as handle:
        for identifier, gene_type, gene_name, sequence in records:
            attributes = f'gene_id "{identifier}";' + (f' gene_type "{gene_type}";' if gene_type else "")
            handle.write(f'>{identifier}\t{attributes} gene_name "{gene_name}"; level 3;\n{sequence}\n')


def test_ncrna_records_get_their_biotype_and_mirna_precursors_are_dropped(tmp_path):
    ncrna = tmp_path / "ncrna.fa.gz"
    write_gencode(
        ncrna,
        [
            ("G1", "miRNA", "MIR21", "ACGTACGTACGTACGTACGT"),
            ("G2", "misc_RNA", "Y_RNA", "GGCTGGTCCGAAGGTAGTGA"),
            ("G3", "misc_RNA", "RNY1", "GGCTGGTCCGAAGGTAGTGC"),
            ("G4", "scaRNA", "SCARNA2", "TTTTACGTACGTACGTACGA"),
            ("G5", "rRNA_pseudogene", "RNA5SP1", "GTCTACGGCCATACCACCCT"),
            ("G6", "misc_RNA", "RN7SK", "GGATGTGAGGGCGATCTGGC"),
            ("G7", "snRNA", "RNU6-1", "GTGCTCGCTTCGGCAGCACA"),
        ],
    )
    records = annotation_records({"hsa-mir-1": "ACGT" * 20}, ncrna=[ncrna])
    biotypes = {feature: biotype for _, biotype, feature, _, _ in records}
    assert biotypes == {
        "hsa-mir-1": "miRNA",
        "Y_RNA": "YRNA",
        "RNY1": "YRNA",
        "SCARNA2": "snoRNA",
        "RNA5SP1": "rRNA",
        "RN7SK": "other_ncRNA",
        "RNU6-1": "snRNA",
    }
    assert records[0][0] == "miRNA|hsa-mir-1" and all(name.startswith(f"{b}|") for name, b, *_ in records)


def test_record_without_gene_type_must_be_a_trna(tmp_path):
    ncrna = tmp_path / "ncrna.fa.gz"
    write_gencode(ncrna, [("G1", None, "X", "ACGTACGTACGTACGTACGT")])
    with pytest.raises(ValueError, match=r"ncrna.fa.gz: record 1 \(G1\) has no gene_type and is no tRNA"):
        annotation_records({}, ncrna=[ncrna])


def test_trnas_get_the_cca_tail_and_their_family():
    records = annotation_records({}, trna=SHARED_ANNOTATION["trna"])
    assert len(records) == 433 and all(sequence.endswith("CCA") for *_, sequence in records)
    ala = next(record for record in records if record[2] == "Homo_sapiens_tRNA-Ala-AGC-1-1")
    assert ala[3] == "tRNA-Ala-AGC" and len(ala[4]) == 72 + 3
    assert trna_family("Homo_sapiens_tRNA_2 tdbD00006186|Homo_sapiens|9606|Lys|TTT") == "tRNA-Lys-TTT"
    assert trna_family("trnalookalike2_GlnTTG_1_-_564879_564950") == "tRNA-Gln-TTG"


def test_shared_sets_give_every_biotype_and_no_mirna_precursor():
    records = annotation_records({}, **SHARED_ANNOTATION)
    counts = pd.Series([biotype for _, biotype, *_ in records]).value_counts()
    # 7,500 GENCODE records less 1,768 miRNA precursors, plus 433 GtRNAdb tRNAs, 23 rRNAs, 30 spike-ins.
    assert counts.sum() == 7500 - 1768 + 433 + 23 + 30
    assert counts["spike_in"] == 30 and counts["YRNA"] > 700 and "miRNA" not in counts


def test_spike_in_csv_with_byte_order_mark(tmp_path):
    table = tmp_path / "spikes.csv"
    table.write_bytes("\ufeffspikeID,sequence\nRC1-01,acgtacgtacgtacgu\n".encode("utf-8"))
    assert read_spike_ins(table) == [("RC1-01", "ACGTACGTACGTACGT")]


def test_matures_inside_a_higher_priority_biotype_are_listed():
    assert BIOTYPE_PRIORITY.index("rRNA") < BIOTYPE_PRIORITY.index("miRNA") < BIOTYPE_PRIORITY.index("snoRNA")
    records = [
        ("rRNA|1", "rRNA", "MT-RNR2", "MT-RNR2", "GGGG" + "ACGTTGCAACGTTGCAACGTTG" + "CCCC"),
        ("snoRNA|2", "snoRNA", "SNORD1", "SNORD1", "TT" + "GATCGATCGATCGATCGATCGA"),
    ]
    positions = pd.DataFrame(
        {
            "mirna": ["miR-in-rRNA", "miR-in-snoRNA"],
            "accession": ["M1", "M2"],
            "sequence": ["ACGTTGCAACGTTGCAACGTTG", "GATCGATCGATCGATCGATCGA"],
        }
    )
    assert shadowed_matures(records, positions).to_dict("records") == [
        {"mirna": "miR-in-rRNA", "accession": "M1", "biotype": "rRNA", "feature": "MT-RNR2"}
    ]


def test_ortholog_markers_keep_only_markers_with_one_identical_mature():
    from exomir.references.bundle import ortholog_markers

    markers = pd.DataFrame(
        {
            "marker_set": ["RBC", "RBC", "RBC"],
            "cell_type": ["e"] * 3,
            "mirna": ["hsa-a", "hsa-b", "hsa-c"],
            "role": ["r"] * 3,
            "citation": ["X 2020"] * 3,
        }
    )
    human = {"hsa-a": "ACGT", "hsa-b": "GGGG", "hsa-c": "TTTT"}
    mouse = {"mmu-a": "ACGT", "mmu-b1": "GGGG", "mmu-b2": "GGGG"}
    table, left_out = ortholog_markers(markers, human, mouse)
    assert table["mirna"].tolist() == ["mmu-a"] and left_out == ["hsa-b", "hsa-c"]
    assert table["citation"].iloc[0] == "ortholog of hsa-a (identical mature sequence, miRBase v22.1); X 2020"
