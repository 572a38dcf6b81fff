"""The per-sample stats files are read against their schemas, naming the file and the key."""

import json

import pytest

from exomir.common.stats import StatsError, read_insert_stats, read_quantify_stats

INSERTS = {
    "input_reads": 100,
    "adapter_found": 95,
    "untrimmed_discarded": 5,
    "trimmed_reads": 95,
    "too_short": 10,
    "too_long": 0,
    "length_passed": 85,
    "unique_sequences": 40,
    "insert_lengths": {"22": 85},
    "trimmed_lengths": {"22": 85},
    "umi": None,
}
BIOTYPES = {"spike_in": 0.0, "miRNA": 80.0, "unassigned": 5.0, "tRNA": 0.0}
QUANTIFY = {
    "molecules": 85,
    "reads": 85,
    "mirna_molecules": 80.0,
    "canonical_molecules": 60.0,
    "isomir_molecules": 20.0,
    "hairpin_only_molecules": 0.0,
    "ambiguous_molecules": 1.5,
    "mirnas_detected": 12,
    "biotype_molecules": BIOTYPES,
    "biotype_reads": BIOTYPES,
}


def write(tmp_path, stats):
    path = tmp_path / "s.stats.json"
    path.write_text(json.dumps(stats))
    return path


def test_well_formed_stats_are_read(tmp_path):
    assert read_insert_stats(write(tmp_path, INSERTS)) == INSERTS
    assert read_quantify_stats(write(tmp_path, QUANTIFY)) == QUANTIFY


@pytest.mark.parametrize(
    "reader, stats, message",
    [
        (
            read_insert_stats,
            {k: v for k, v in INSERTS.items() if k != "too_short"},
            "top level: 'too_short' is a required",
        ),
        (read_insert_stats, INSERTS | {"input_reads": -1}, "input_reads: -1 is less than the minimum of 0"),
        (read_insert_stats, INSERTS | {"umi": {"molecules": 3}}, "umi"),
        (read_quantify_stats, QUANTIFY | {"biotype_reads": {"miRNA": 1.0}}, "biotype_reads: 'spike_in' is a required"),
        (read_quantify_stats, {"reads": 5}, "'molecules' is a required property"),
    ],
)
def test_a_stats_file_that_does_not_fit_is_named_with_the_key(tmp_path, reader, stats, message):
    path = write(tmp_path, stats)
    with pytest.raises(StatsError, match=rf"{path}: .*{message}"):
        reader(path)
