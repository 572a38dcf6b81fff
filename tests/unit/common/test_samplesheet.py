"""The sample sheet: every problem named with its file, row and column; lanes and optional columns."""

import pytest

from exomir.common.samplesheet import SampleSheetError, load_sample_sheet
from exomir.devtools.runs import REPO, write_sample_sheet
from exomir.inserts.kits import load_kits

KITS = load_kits(REPO / "resources" / "kits.yaml")


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
