"""Sheet columns of a monitored series: a patient's samples need numeric, distinct timepoints, and every
problem names its row."""

import gzip

import pytest

from exomir.common.samplesheet import SampleSheetError, load_sample_sheet
from exomir.devtools.runs import REPO
from exomir.inserts.kits import load_kits
from exomir.monitor.series import patient_series, patients_with_series

KITS = load_kits(REPO / "resources" / "kits.yaml")
HEADER = "sample\tfastq\tbiofluid\tkit\tcondition\tpatient\ttimepoint\tevent"


def sheet(tmp_path, *rows):
    lines = [HEADER]
    for number, row in enumerate(rows):
        reads = tmp_path / f"r{number}.fq.gz"
        with gzip.open(reads, "wt") as handle:
            handle.write("".join(f"@r{number}_{n} 1:N:0\nTGAGGTAGTAGGTTGTATAGTT\n+\n{'I' * 22}\n" for n in range(3)))
        sample, rest = row.split("\t", 1)
        lines.append(f"{sample}\t{reads}\t{rest}")
    path = tmp_path / "samples.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_series_loads_in_time_order(tmp_path):
    path = sheet(
        tmp_path,
        "b\tplasma\ttruseq\tcancer\tP1\t30\tsurgery",
        "a\tplasma\ttruseq\tcancer\tP1\t0\t",
        "c\tplasma\ttruseq\tcancer\tP2\t0\t",
        "d\tplasma\ttruseq\thealthy\t\t\t",
    )
    samples = load_sample_sheet(path, KITS)
    series = patient_series(samples)
    assert list(series["sample"]) == ["a", "b"]  # P2 has one sample: no series
    assert list(series["timepoint"]) == [0.0, 30.0] and list(series["event"]) == ["", "surgery"]
    assert patients_with_series(samples) == ["P1"]


def test_timepoints_must_be_numeric_and_distinct_within_a_patient(tmp_path):
    path = sheet(
        tmp_path,
        "a\tplasma\ttruseq\tcancer\tP1\t0\t",
        "b\tplasma\ttruseq\tcancer\tP1\tday 3\t",
        "c\tplasma\ttruseq\tcancer\tP1\t0.0\t",
        "d\tplasma\ttruseq\tcancer\tP2\t\t",
        "e\tplasma\ttruseq\tcancer\tP3\t0\t",
        "f\tplasma\ttruseq\tcancer\tP/4\t1\t",
    )
    with pytest.raises(SampleSheetError) as error:
        load_sample_sheet(path, KITS)
    message = str(error.value)
    assert f"{path}: row 3, column 'timepoint': timepoint 'day 3' is not a number" in message
    assert f"{path}: row 4, column 'timepoint': patient 'P1' has two samples at timepoint 0.0" in message
    assert "'a' (row 2)" in message
    assert f"{path}: row 5, column 'timepoint': timepoint missing" in message
    assert f"{path}: row 7, column 'patient':" in message  # not usable in a file name
    assert "row 6" not in message  # P3 at 0 is another patient


def test_a_sheet_without_patients_has_no_series(tmp_path):
    path = sheet(tmp_path, "a\tplasma\ttruseq\tcancer\t\t5\t")
    samples = load_sample_sheet(path, KITS)
    assert patients_with_series(samples) == []
    assert patients_with_series(samples.drop(columns=["patient", "timepoint", "event"])) == []
