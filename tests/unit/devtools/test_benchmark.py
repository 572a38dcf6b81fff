"""bench/run_benchmark.py: the accuracy scores its table quotes.

A full run, even on 2,000 reads, builds the references and runs the workflow twice (about a
minute on 2 cores), so it is left to `bench/run_benchmark.py --reads 2000 --repeats 1`."""

import importlib.util

import pandas as pd
import pytest

from exomir.devtools.runs import REPO

SCRIPT = REPO / "bench" / "run_benchmark.py"
_spec = importlib.util.spec_from_file_location("run_benchmark", SCRIPT)
run_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_benchmark)


def test_accuracy_caps_each_mirna_at_its_truth():
    truth = pd.Series({"miR-a": 100, "miR-b": 50, "miR-c": 30})
    estimated = pd.Series({"miR-a": 80.0, "miR-b": 50.0, "miR-c": 0.0, "miR-x": 20.0})
    recall, precision, pearson = run_benchmark.accuracy(estimated, truth)
    assert recall == pytest.approx(130 / 180)
    assert precision == pytest.approx(130 / 150)
    assert pearson < 0.9  # miR-c, a true miRNA, was missed


def test_accuracy_ignores_library_size_in_the_correlation_not_in_precision():
    truth = pd.Series({"miR-a": 100, "miR-b": 50, "miR-c": 12, "miR-d": 3})
    recall, precision, pearson = run_benchmark.accuracy(truth * 2.0, truth)
    assert (recall, precision, pearson) == pytest.approx((1.0, 0.5, 1.0))


def test_distinct_share_counts_distinct_reads_of_the_file_and_of_its_first_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(run_benchmark, "DISTINCT_FIRST_READS", 4)
    fastq = tmp_path / "reads.fastq"
    reads = ["ACGT", "ACGT", "TTTT", "ACGT", "GGGG", "CCCC", "GGGG", "AAAA"]  # 5 distinct of 8; 2 of the first 4
    fastq.write_text("".join(f"@r{n}\n{read}\n+\nIIII\n" for n, read in enumerate(reads)))
    assert run_benchmark.distinct_share(fastq) == (5 / 8, 2 / 4)
    fastq.write_text("@r0\nACGT\n+\nIIII\n")  # kept beside the file: not read again
    assert run_benchmark.distinct_share(fastq) == (5 / 8, 2 / 4)
