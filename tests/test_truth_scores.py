"""Accuracy against the simulator's truth, every read joined to its truth row (bare inserts).

Uses the annotation index of the shared exRNAQC run. The full TruSeq simulation through the
whole workflow, at 200,000 reads, is in bench/accuracy.py."""

import pandas as pd

from annotation_reference import annotation_records
from conftest import SHARED_ANNOTATION
from fasta import read_fasta
from truth_scores import identical_sequence_units, mirna_scores, simulate_and_score


def test_mirna_scores_on_a_known_case():
    true = pd.Series({"a": 100, "b": 50, "c": 10})
    counted = pd.Series({"a": 90.0, "b": 60.0, "d": 5.0})
    scores = mirna_scores(true, counted)
    assert scores["recall"] == (90 + 50) / 160
    assert scores["absent_share"] == 5 / 155 and scores["mirnas_compared"] == 3
    assert identical_sequence_units({"x": "ACGT", "y": "ACGT", "z": "AC"}) == {"x": "x/y", "y": "x/y", "z": "z"}


def test_simulated_reads_are_counted_as_the_truth_says(exrnaqc_run, tmp_path):
    yrna = annotation_records({}, ncrna=SHARED_ANNOTATION["ncrna"])
    contaminants = {
        "tRNA": read_fasta(SHARED_ANNOTATION["trna"][0]),
        "rRNA": read_fasta(SHARED_ANNOTATION["rrna"][0]),
        "YRNA": {name: sequence for name, biotype, _, _, sequence in yrna if biotype == "YRNA"},
    }
    scores, stats = simulate_and_score(
        f"{exrnaqc_run}/results/references/",
        40_000,
        11,
        contaminants,
        tmp_path,
        contaminant_fraction=0.3,
        random_fraction=0.05,
        isomir_fraction=0.3,
    )
    print(scores)
    identifiable = scores["identifiable"]
    assert identifiable["recall"] >= 0.97
    assert identifiable["pearson_log2_cpm"] >= 0.99 and identifiable["mirnas_compared"] >= 150
    assert identifiable["absent_share"] < 0.005
    assert scores["fragments_on_mirna"] == {"tRNA": 0, "rRNA": 0, "YRNA": 0}
    assert scores["fragment_reads"]["tRNA"] > 2000 and stats["biotype_reads"]["tRNA"] > 2000
