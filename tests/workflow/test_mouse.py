"""Another species end to end: the mouse QIAseq (UMI) sample of the miRTrace tutorial with miRBase
v22.1 all-species references (no GFF3: matures placed by sequence) and the bundle's mouse marker
table, through counts, QC and the report; the human-only scoring references say they are absent."""

import json

import pandas as pd
import pytest

from exomir.devtools.runs import REPO, SHARED_DATA, run_snakemake, write_sample_sheet


@pytest.fixture(scope="module")
def mouse_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mouse")
    reads = SHARED_DATA / "reads" / "mirtrace_tutorial" / "QiaSeq_data.fastq.gz"
    sheet = write_sample_sheet(folder / "samples.tsv", [("mouse_qiaseq", reads, "other", "auto", "unknown")])
    configs = [REPO / "config" / "config.yaml", REPO / "config" / "mouse.yaml"]
    run_snakemake(folder, "--configfile", *configs, "--config", f"samples={sheet}")
    return folder / "results"


def test_mouse_reads_are_counted_on_mouse_mirnas(mouse_run):
    counts = pd.read_csv(mouse_run / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    assert counts.index.str.startswith("mmu-").all() and len(counts) >= 150
    assert counts["mouse_qiaseq"].sum() >= 2000
    kit = json.loads((mouse_run / "inserts" / "mouse_qiaseq.kit.json").read_text())
    assert kit["kit"] == "qiaseq"
    positions = pd.read_csv(mouse_run / "references" / "mature_positions.tsv", sep="\t")
    assert positions["hairpin"].str.startswith("mmu-").all() and positions["mirna"].nunique() >= 1900


def test_mouse_qc_uses_the_mouse_markers(mouse_run):
    qc = pd.read_csv(mouse_run / "qc" / "sample_qc.tsv", sep="\t", index_col="sample", keep_default_na=False)
    row = qc.loc["mouse_qiaseq"]
    assert row["verdict"] in {"pass", "warn"}
    # biofluid "other", and no healthy mouse reference: neither hemolysis nor hematuria is judged
    assert row["hemolysis_class"] == row["hematuria_class"] == row["blood_reference"] == ""
    assert "hemolys" not in row["reasons"] and "hematuria" not in row["reasons"]
    assert float(row["rbc_index"]) > 0 and float(row["lymphoid_index"]) > 0


def test_scores_without_a_mouse_reference_say_so(mouse_run):
    calls = pd.read_csv(mouse_run / "scores" / "tumour_origin.tsv", sep="\t", index_col="sample")
    assert calls.loc["mouse_qiaseq", "call"] == "not_called"
    assert "tumour-origin references not configured" in calls.loc["mouse_qiaseq", "note"]
    scores = pd.read_csv(mouse_run / "scores" / "signature_scores.tsv", sep="\t")
    assert scores["score"].isna().all() and (scores["n_up"] + scores["n_down"] == 0).all()
    assert (mouse_run / "report" / "multiqc_report.html").is_file()
