"""Scoring of counts against the simulator's truth, on a known case."""

import pandas as pd

from exomir.devtools.truth import identical_sequence_units, mirna_scores


def test_mirna_scores_on_a_known_case():
    true = pd.Series({"a": 100, "b": 50, "c": 10})
    counted = pd.Series({"a": 90.0, "b": 60.0, "d": 5.0})
    scores = mirna_scores(true, counted)
    assert scores["recall"] == (90 + 50) / 160
    assert scores["absent_share"] == 5 / 155 and scores["mirnas_compared"] == 3
    assert identical_sequence_units({"x": "ACGT", "y": "ACGT", "z": "AC"}) == {"x": "x/y", "y": "x/y", "z": "z"}
