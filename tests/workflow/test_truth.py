"""Accuracy against the simulator's truth, every read joined to its truth row (bare inserts).

Uses the annotation index of the shared exRNAQC run. The full TruSeq simulation through the
whole workflow, at 200,000 reads, is in bench/accuracy.py."""

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import shared_references
from exomir.devtools.truth import simulate_and_score
from exomir.references.annotation import annotation_records

SHARED_ANNOTATION = shared_references()["annotation"]


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
