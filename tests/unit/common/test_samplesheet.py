"""The sample sheet: every problem named with its file, row and column, before any job starts.

Each case of the bad-input matrix that the sheet loader can catch is here; the cases that need
a workflow run are in tests/workflow/test_bad_inputs.py."""

import gzip
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exomir.common.samplesheet import SampleSheetError, load_sample_sheet
from exomir.devtools.runs import REPO
from exomir.inserts.kits import load_kits

KITS = load_kits(REPO / "resources" / "kits.yaml")
HEADER = "sample\tfastq\tbiofluid\tkit\tcondition"


def fastq(path, first_id="read", reads=3, sequence="TGAGGTAGTAGGTTGTATAGTT"):
    """A small gzipped FASTQ whose read IDs start with `first_id`."""
    records = "".join(f"@{first_id}{n} 1:N:0\n{sequence}\n+\n{'I' * len(sequence)}\n" for n in range(reads))
    with gzip.open(path, "wt") as handle:
        handle.write(records)
    return path


def sheet(tmp_path, *rows, header=HEADER, name="samples.tsv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def problems(path):
    with pytest.raises(SampleSheetError) as error:
        load_sample_sheet(path, KITS)
    return str(error.value)


def test_errors_name_file_row_and_column(tmp_path):
    reads = fastq(tmp_path / "a.fastq.gz")
    path = sheet(
        tmp_path,
        f"s1\t{reads}\tplasma\ttruseq\thealthy",
        f"s1\t{fastq(tmp_path / 'b.fq.gz', 'b')}\tblood\ttruseq\thealthy",
        f"s2\t{tmp_path / 'missing.fq.gz'}\tserum\tnosuchkit\thealthy",
    )
    message = problems(path)
    assert f"{path}: row 3, column 'sample': duplicate sample 's1' (first on row 2)" in message
    assert f"{path}: row 3, column 'biofluid':" in message and "'blood'" in message
    assert f"{path}: row 4, column 'kit': unknown kit 'nosuchkit'" in message
    assert f"{path}: row 4, column 'fastq': file not found: {tmp_path / 'missing.fq.gz'}" in message


def test_lanes_are_split_and_batch_is_optional(tmp_path):
    lanes = [fastq(tmp_path / "L1.fq.gz", "l1_"), fastq(tmp_path / "L2.fq.gz", "l2_")]
    samples = load_sample_sheet(sheet(tmp_path, f"s1\t{lanes[0]},{lanes[1]}\turine\tnone\tunknown"), KITS)
    assert samples.loc["s1", "fastq"].split(",") == [str(lane) for lane in lanes]
    assert samples.loc["s1", "batch"] == ""


def test_numeric_and_na_like_sample_names_stay_text(tmp_path):
    rows = [
        f"{name}\t{fastq(tmp_path / f'{n}.fq.gz', f'r{n}_')}\tplasma\ttruseq\thealthy"
        for n, name in enumerate(["01", "02", "3", "NA"])
    ]
    samples = load_sample_sheet(sheet(tmp_path, *rows), KITS)
    assert list(samples.index) == ["01", "02", "3", "NA"]
    assert samples["sample"].map(type).eq(str).all()


def test_hash_is_a_comment_only_at_the_start_of_a_line(tmp_path):
    reads = fastq(tmp_path / "a.fq.gz")
    path = sheet(tmp_path, "# a comment line", f"s1\t{reads}\tplasma\ttruseq\tcancer #2 stage IV")
    assert load_sample_sheet(path, KITS).loc["s1", "condition"] == "cancer #2 stage IV"


def test_trailing_tabs_crlf_and_a_byte_order_mark_are_read(tmp_path):
    reads = fastq(tmp_path / "a.fq.gz")
    path = tmp_path / "samples.tsv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + f"s1\t{reads}\tplasma\ttruseq\thealthy\t\t\r\n").encode())
    samples = load_sample_sheet(path, KITS)
    assert samples.loc["s1", "condition"] == "healthy" and list(samples.index) == ["s1"]


def test_a_row_with_more_values_than_columns_is_named(tmp_path):
    reads = fastq(tmp_path / "a.fq.gz")
    path = sheet(tmp_path, f"s1\t{reads}\tplasma\ttruseq\thealthy\textra")
    assert f"{path}: row 2, column '?': 6 fields, but the header has 5 columns" in problems(path)


@pytest.mark.parametrize(
    "header, message",
    [
        ("sample\tfastq\tbiofluid\tkit\tcondtion", "column 'condtion': unknown column"),
        ("sample\tfastq\tbiofluid\tkit", "column 'condition': 'condition' is a required property"),
    ],
)
def test_column_typos_and_missing_columns(tmp_path, header, message):
    reads = fastq(tmp_path / "a.fq.gz")
    row = "\t".join(["s1", str(reads), "plasma", "truseq", "healthy"][: len(header.split("\t"))])
    assert message in problems(sheet(tmp_path, row, header=header))


@pytest.mark.parametrize("name", ["my sample", "s$(touch x)", "a;b", "-lead", "é"])
def test_sample_names_with_spaces_or_metacharacters_are_refused(tmp_path, name):
    reads = fastq(tmp_path / "a.fq.gz")
    path = sheet(tmp_path, f"{name}\t{reads}\tplasma\ttruseq\thealthy")
    assert f"{path}: row 2, column 'sample':" in problems(path)


def test_paths_with_spaces_and_metacharacters_are_accepted(tmp_path):
    folder = tmp_path / "run $(touch x) & y"
    folder.mkdir()
    reads = fastq(folder / "reads; 1.fq.gz")
    samples = load_sample_sheet(sheet(tmp_path, f"s1\t{reads}\tplasma\ttruseq\thealthy"), KITS)
    assert samples.loc["s1", "fastq"] == str(reads)
    assert not (tmp_path / "x").exists()


def test_sample_names_that_differ_only_in_case_are_refused(tmp_path):
    path = sheet(
        tmp_path,
        f"Sample_A\t{fastq(tmp_path / 'a.fq.gz', 'a')}\tplasma\ttruseq\thealthy",
        f"sample_a\t{fastq(tmp_path / 'b.fq.gz', 'b')}\tplasma\ttruseq\thealthy",
    )
    assert "row 3, column 'sample': sample 'sample_a' differs from sample 'Sample_A' (row 2) only in case" in problems(
        path
    )


def test_empty_files_and_files_without_reads(tmp_path):
    empty = tmp_path / "empty.fq.gz"
    empty.write_bytes(b"")
    no_reads = tmp_path / "no_reads.fq.gz"
    with gzip.open(no_reads, "wt"):
        pass
    good = fastq(tmp_path / "good.fq.gz")
    path = sheet(tmp_path, f"s1\t{good},{empty}\tplasma\ttruseq\thealthy", f"s2\t{no_reads}\tplasma\ttruseq\thealthy")
    message = problems(path)
    assert f"row 2, column 'fastq': {empty}: empty file" in message
    assert f"row 3, column 'fastq': {no_reads}: no reads in the file" in message


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is a text file, not reads\n", "not a readable FASTQ file"),
        (bytes(range(256)) * 8, "not a readable FASTQ file"),
        (b"@r1\nACGTACGT\n+\nIIII\n", "Length of sequence and qualities differ"),
        (b"@r1\nACGTACGT\nIIIIIIII\n", "not a readable FASTQ file"),
    ],
    ids=["text", "binary", "length mismatch", "no plus line"],
)
def test_files_that_are_not_fastq_are_named(tmp_path, content, message):
    bad = tmp_path / "bad.fastq"
    bad.write_bytes(content)
    path = sheet(tmp_path, f"s1\t{bad}\tplasma\ttruseq\thealthy")
    assert f"row 2, column 'fastq': {bad}: " in problems(path) and message in problems(path)


def test_a_lane_named_twice_or_for_two_samples_is_refused(tmp_path):
    reads = fastq(tmp_path / "a.fq.gz", "a")
    link = tmp_path / "link.fq.gz"
    os.symlink(reads, link)
    path = sheet(
        tmp_path,
        f"s1\t{reads},{reads}\tplasma\ttruseq\thealthy",
        f"s2\t{link}\tplasma\ttruseq\thealthy",
    )
    message = problems(path)
    assert f"row 2, column 'fastq': {reads}: listed twice (row 2); its reads would count twice" in message
    assert f"row 3, column 'fastq': {link}: also a lane of sample 's1' (row 2)" in message


def test_read_2_of_a_pair_or_a_copy_of_a_lane_is_refused(tmp_path):
    read_1 = fastq(tmp_path / "x_R1.fq.gz", "A00123:8:H7:1:1101:1000:")
    read_2 = tmp_path / "x_R2.fq.gz"
    with gzip.open(read_2, "wt") as handle:  # the mates: the same IDs, marked read 2
        handle.write("".join(f"@A00123:8:H7:1:1101:1000:{n} 2:N:0:ACGT\nACGT\n+\nIIII\n" for n in range(3)))
    old_style = tmp_path / "old_2.fq"
    old_style.write_text("@HWI-1:1:1:5:7/2\nACGT\n+\nIIII\n")
    copy = tmp_path / "copy.fq.gz"
    copy.write_bytes(read_1.read_bytes())
    path = sheet(
        tmp_path,
        f"s1\t{read_1},{read_2}\tplasma\ttruseq\thealthy",
        f"s2\t{copy}\tplasma\ttruseq\thealthy",
        f"s3\t{old_style}\tplasma\ttruseq\thealthy",
    )
    message = problems(path)
    assert f"row 2, column 'fastq': {read_2}: its reads are read 2 of a pair" in message
    assert f"row 4, column 'fastq': {old_style}: its reads are read 2 of a pair" in message
    assert f"row 3, column 'fastq': {copy} starts with the same reads as {read_1} (a lane of sample 's1'" in message


def test_files_whose_read_ids_repeat_but_not_their_reads_are_accepted(tmp_path):
    # Simulated or renumbered reads start at the same IDs in every file.
    one = fastq(tmp_path / "one.fq.gz", "sim", sequence="TGAGGTAGTAGGTTGTATAGTT")
    two = fastq(tmp_path / "two.fq.gz", "sim", sequence="TAGCTTATCAGACTGATGTTGA")
    samples = load_sample_sheet(sheet(tmp_path, f"s1\t{one},{two}\tplasma\ttruseq\thealthy"), KITS)
    assert list(samples.index) == ["s1"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its permissions")
def test_an_unreadable_file_is_named(tmp_path):
    reads = fastq(tmp_path / "a.fq.gz")
    reads.chmod(0)
    path = sheet(tmp_path, f"s1\t{reads}\tplasma\ttruseq\thealthy")
    assert f"row 2, column 'fastq': file not readable: {reads}" in problems(path)


def test_every_problem_is_listed_at_once(tmp_path):
    path = sheet(
        tmp_path,
        f"a b\t{tmp_path / 'none.fq'}\tplasma\ttruseq\thealthy",
        f"c\t{tmp_path / 'none2.fq'}\tliver\tx\thealthy",
    )
    assert problems(path).count(f"{path}: row ") == 5


NAMES = st.text("aZ09_.-é $;#", min_size=0, max_size=8)
VALUES = st.text("abcXYZ 09#\"'", max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            NAMES,
            st.sampled_from(["plasma", "serum", "urine", "blood", ""]),
            st.sampled_from(["truseq", "auto", "", "x"]),
            VALUES,
        ),
        min_size=1,
        max_size=6,
    ),
    trailing_tabs=st.integers(0, 2),
    crlf=st.booleans(),
)
def test_any_sheet_loads_as_written_or_fails_naming_its_rows(tmp_path, rows, trailing_tabs, crlf):
    lines = [HEADER]
    for number, (name, biofluid, kit, condition) in enumerate(rows):
        reads = fastq(tmp_path / f"r{number}.fq.gz", f"s{number}_")
        lines.append("\t".join([name, str(reads), biofluid, kit, condition]) + "\t" * trailing_tabs)
    path = tmp_path / "samples.tsv"
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode() + b"\n")
    try:
        samples = load_sample_sheet(path, KITS)
    except SampleSheetError as error:
        assert all(line.strip().startswith(f"{path}: row ") for line in str(error).splitlines()[1:])
    else:
        # A line starting with '#' is a comment (a sample named '#…' is one); cells are read stripped.
        kept = [row for row in rows if not row[0].startswith("#")]
        assert list(samples.index) == [name.strip() for name, *_ in kept]
        assert list(samples["condition"]) == [condition.strip() for *_, condition in kept]
        assert set(samples["kit"]) <= {"truseq", "auto"}


def test_a_run_from_a_count_table_needs_no_fastq_column(tmp_path):
    path = sheet(tmp_path, "s1\tplasma\thealthy", "s2\tserum\tcolorectal cancer", header="sample\tbiofluid\tcondition")
    samples = load_sample_sheet(path, KITS, counts_table="counts.tsv")
    assert list(samples.index) == ["s1", "s2"] and "fastq" not in samples.columns
    empty = sheet(tmp_path, "s1\t\tplasma\t\thealthy", name="empty.tsv")
    assert list(load_sample_sheet(empty, KITS, counts_table="counts.tsv").index) == ["s1"]
    # without a count table the FASTQ files are required, as ever
    with pytest.raises(SampleSheetError, match="row 2, column 'fastq': 'fastq' is a required property"):
        load_sample_sheet(path, KITS)


def test_fastq_files_and_a_count_table_are_refused_together(tmp_path):
    reads = fastq(tmp_path / "a.fastq.gz")
    path = sheet(tmp_path, f"s1\t{reads}\tplasma\ttruseq\thealthy", "s2\t\tplasma\ttruseq\thealthy")
    with pytest.raises(SampleSheetError) as error:
        load_sample_sheet(path, KITS, counts_table="cohort/counts.tsv")
    message = str(error.value)
    assert f"{path}: row 2, column 'fastq': FASTQ given, but the config's counts_table (cohort/counts.tsv) is set" in (
        message
    )
    assert "row 3" not in message
