"""Property-based tests of reading lanes: any well-formed FASTQ, plain or gzipped, with any line
ending and any case, is counted exactly; anything broken raises ReadFileError naming the file."""

import gzip
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exomir.inserts.check import full_check, quick_check
from exomir.inserts.reads import ReadFileError, distinct_read_chunks

SEQUENCES = st.text("ACGTNacgtn", min_size=0, max_size=60)
RECORDS = st.lists(SEQUENCES, min_size=1, max_size=60)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(path, sequences, newline="\n", compress=False):
    text = "".join(f"@r{n} x{newline}{s}{newline}+{newline}{'I' * len(s)}{newline}" for n, s in enumerate(sequences))
    if compress:
        with gzip.open(path, "wb") as handle:
            handle.write(text.encode())
    else:
        path.write_bytes(text.encode())
    return path


@SETTINGS
@given(sequences=RECORDS, newline=st.sampled_from(["\n", "\r\n"]), compress=st.booleans(), chunk=st.integers(1, 70))
def test_every_read_is_counted_once_in_capitals(tmp_path, sequences, newline, compress, chunk):
    lane = write(tmp_path / ("reads.fq.gz" if compress else "reads.fq"), sequences, newline, compress)
    counted = sum(distinct_read_chunks([lane], chunk), start=Counter())
    expected = Counter(sequence.upper() for sequence in sequences)
    assert counted == expected
    check = full_check(lane)
    assert check.problems == [] and check.reads == len(sequences)
    lowercase = Counter()
    list(distinct_read_chunks([lane], chunk, lowercase))
    assert lowercase["lowercase_reads"] == sum(1 for s in sequences if s and not s.isupper())
    assert quick_check(lane).problem is None


@SETTINGS
@given(sequences=RECORDS, cut=st.floats(0.05, 0.95))
def test_a_truncated_gzip_is_named_and_never_counted_silently(tmp_path, sequences, cut):
    lane = write(tmp_path / "reads.fq.gz", sequences * 20, compress=True)
    data = lane.read_bytes()
    lane.write_bytes(data[: max(1, int(len(data) * cut))])
    with pytest.raises(ReadFileError, match=str(lane)):
        for _ in distinct_read_chunks([lane], 1000):
            pass
    assert full_check(lane).problems


@SETTINGS
@given(garbage=st.binary(min_size=1, max_size=400))
def test_any_bytes_are_read_or_refused_with_a_read_file_error(tmp_path, garbage):
    lane = tmp_path / "garbage.fq"
    lane.write_bytes(garbage)
    check = full_check(lane)
    try:
        counted = sum(sum(counts.values()) for counts in distinct_read_chunks([lane], 1000))
    except ReadFileError as error:
        assert str(lane) in str(error) and check.problems
    else:
        assert check.problems == [] or counted == 0
        assert counted == check.reads
