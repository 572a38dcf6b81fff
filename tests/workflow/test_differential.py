"""Differential expression in a run from a count table: GSE71008 plasma-EV precursor counts, prostate
cancer against healthy controls across RNA isolation batches (design ~ batch + condition), and a
second contrast whose batch is fully confounded with its condition (design ~ condition, a warning)."""

import json

import pandas as pd
import pytest

from exomir.devtools.runs import SHARED_DATA, run_snakemake, write_config

GSE71008 = SHARED_DATA / "cohorts" / "GSE71008"
OUTPUTS = ("results.tsv", "volcano.png", "volcano.svg", "heatmap.png", "heatmap.svg", "summary.json")


def cohort(workdir):
    """Eight prostate cancers and eight healthy controls of isolation batches 2 and 4 (four of each
    group per batch), and four colorectal cancers given a batch of their own; a TSV of their 150 most
    abundant precursors."""
    counts = pd.read_csv(GSE71008 / "precursor_counts.csv", index_col=0)
    labels = pd.read_csv(GSE71008 / "labels.csv", index_col="sample_id")["label"]
    batches = pd.read_csv(GSE71008 / "batches.csv", index_col=0)["RNA Isolation batch"]
    rows = []
    for batch in (2, 4):
        for label, condition in (("Prostate Cancer", "prostate cancer"), ("Healthy Control", "healthy")):
            chosen = labels.index[(labels == label) & (batches.reindex(labels.index) == batch)][:4]
            rows += [(sample, condition, str(batch)) for sample in chosen]
    colorectal = labels.index[labels == "Colorectal Cancer"][:4]
    rows += [(sample, "colorectal cancer", "9") for sample in colorectal]
    sheet = pd.DataFrame(rows, columns=["sample", "condition", "batch"]).assign(biofluid="plasma")
    sheet.to_csv(workdir / "samples.tsv", sep="\t", index=False)
    table = counts.loc[sheet["sample"]].T
    # the 150 precursors with the most reads keep DESeq2's dispersion fits short
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index[:150]]
    table.to_csv(workdir / "counts.tsv", sep="\t", index_label="precursor")
    return sheet


CONTRASTS = {
    "prostate_vs_healthy": {"case": ["prostate cancer"], "control": ["healthy"]},
    "colorectal_vs_healthy": {"case": ["colorectal cancer"], "control": ["healthy"]},
}


def arguments(workdir, config):
    return (
        "--configfile",
        config,
        "--config",
        f"samples={workdir / 'samples.tsv'}",
        f"counts_table={workdir / 'counts.tsv'}",
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("differential")
    sheet = cohort(workdir)
    config = write_config(workdir, workdir / "samples.tsv", differential={"contrasts": CONTRASTS, "min_count": 10})
    run_snakemake(workdir, *arguments(workdir, config))
    return workdir, sheet


def test_each_contrast_writes_its_table_figures_and_report_sections(run):
    workdir, _ = run
    report = (workdir / "results" / "report" / "multiqc_report.html").read_text()
    for name in CONTRASTS:
        folder = workdir / "results" / "differential" / name
        for output in OUTPUTS:
            assert (folder / output).stat().st_size > 0, output
        table = pd.read_csv(folder / "results.tsv", sep="\t", index_col="mirna")
        assert list(table.columns) == ["baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"]
        assert table.index.str.match(r"hsa-(mir|let)-").all()  # precursor names, as in the table
        assert table["padj"].dropna().is_monotonic_increasing
        assert f"exomir: differential expression, {name}" in report
        assert f"exomir: differential expression figures, {name}" in report


def test_the_batch_is_used_unless_it_is_confounded_with_the_condition(run):
    workdir, _ = run
    results = workdir / "results" / "differential"
    prostate = json.loads((results / "prostate_vs_healthy" / "summary.json").read_text())
    assert prostate["design"] == "~ batch + condition" and not prostate["warning"]
    assert (prostate["case_samples"], prostate["control_samples"]) == (8, 8)
    assert prostate["feature_level"] == "precursor"
    colorectal = json.loads((results / "colorectal_vs_healthy" / "summary.json").read_text())
    assert colorectal["design"] == "~ condition" and "fully confounded" in colorectal["warning"]
    log = (workdir / "logs" / "differential" / "colorectal_vs_healthy.log").read_text()
    assert "WARNING: batch not used: batch is fully confounded with condition" in log
    report = (workdir / "results" / "report" / "multiqc_report.html").read_text()
    assert "fully confounded" in report


def test_unknown_conditions_and_small_groups_stop_the_run_before_any_job(tmp_path):
    cohort(tmp_path)
    contrasts = {"bad": {"case": ["prostate"], "control": ["healthy"]}, "tiny": {"case": ["healthy"], "control": ["x"]}}
    config = write_config(tmp_path, tmp_path / "samples.tsv", differential={"contrasts": contrasts})
    result = run_snakemake(tmp_path, *arguments(tmp_path, config), "--dry-run", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "differential contrast 'bad': case condition 'prostate' is no condition of the sample sheet" in output
    assert "differential contrast 'bad': the case group (prostate) has 0 sample(s)" in output
    assert "differential contrast 'tiny': control condition 'x' is no condition" in output
    assert not (tmp_path / "results").exists()
