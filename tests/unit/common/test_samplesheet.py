"""Unit tests of the trimming, collapsing and counting logic."""

import pytest

from exomir.common.samplesheet import SampleSheetError, load_sample_sheet
from exomir.devtools.runs import REPO, write_sample_sheet
from exomir.inserts.kits import load_kits
from exomir.quantify.assign import resolve_insert

KITS = load_kits(REPO / "resources" / "kits.yaml")

MIRBASE = REPO / "resources" / "mirbase-v22-hsa"


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
