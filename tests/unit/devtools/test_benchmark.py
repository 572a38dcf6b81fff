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
