"""The demo's MultiQC report as a reader sees it: opened in headless Chromium, without JavaScript
errors, its General Statistics equal to the workflow's tables, and a full-page screenshot in
results/browser/ for a person to look at."""

import json
import re
import shutil

import pandas as pd
import pytest

from exomir.common.tables import read_sample_table
from exomir.devtools.browser import html_tables, open_page, screenshot
from exomir.devtools.runs import REPO, run_snakemake
from exomir.report.headers import COLUMN_HEADERS
from exomir.report.tables import BLOOD_CLASSES

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium not installed (make system-deps installs it)"
)
SCREENSHOT = REPO / "results" / "browser" / "multiqc_report.png"


def number(cell):
    """The number a report cell shows ("20,000", "94.7%", "4.2K")."""
    value = float(re.sub(r"[^0-9.\-]", "", cell))
    return value * 1000 if cell.endswith("K") else value


@pytest.fixture(scope="module")
def report(demo_run):
    workdir, _ = demo_run
    return workdir, open_page(workdir / "results" / "report" / "multiqc_report.html")


def test_report_has_no_javascript_errors(report):
    _, page = report
    assert page.errors == []
    assert "General Statistics" in page.dom


def test_general_statistics_equal_the_workflows_tables(report):
    """Every exomir cell of General Statistics, as the browser shows it, against results/qc/sample_qc.tsv
    and the insert stats; mirtop's isomiR share against its stats log (isomiR_sum / all miRNA counts)."""
    workdir, page = report
    rows = html_tables(page.dom)["general_stats_table_table"]
    shown = pd.DataFrame(rows[1:], columns=rows[0]).set_index("Sample Name")
    qc = read_sample_table(workdir / "results" / "qc" / "sample_qc.tsv")
    mirtop = json.loads((workdir / "results" / "report" / "tables" / "exomir_mirtop_stats.log").read_text())["metrics"]
    assert sorted(shown.index) == sorted(qc.index)

    def title(column):
        return COLUMN_HEADERS[column]["title"]

    for sample, row in qc.iterrows():
        cells = shown.loc[sample]
        inserts = json.loads((workdir / "results" / "inserts" / f"{sample}.stats.json").read_text())
        assert number(cells[title("input_reads")]) == row["input_reads"], sample
        assert number(cells[title("mirna_percent")]) == pytest.approx(
            100 * row["mirna_reads"] / row["input_reads"], abs=0.05
        ), sample
        assert number(cells[title("unique_sequences")]) == inserts["unique_sequences"], sample
        for column in ("verdict", "kit", *[column for column in BLOOD_CLASSES if column in qc]):
            expected = "" if pd.isna(row[column]) else row[column]  # no class for this biofluid: an empty cell
            assert cells[title(column)] == expected, (sample, column)
        isomirs = mirtop[sample]["isomiR_sum"]
        assert isomirs > 0, sample
        share = 100 * isomirs / (isomirs + mirtop[sample]["ref_miRNA_sum"])
        assert number(cells["IsomiR %"]) == pytest.approx(share, abs=0.05), sample


def test_report_keeps_its_data_and_records_the_run(report):
    workdir, page = report
    data = workdir / "results" / "report" / "multiqc_data"
    assert (data / "multiqc_general_stats.txt").exists()
    versions = html_tables(page.dom)
    software = {row[-2]: row[-1] for table, rows in versions.items() if "versions" in table for row in rows[1:]}
    for tool in ("exomir", "snakemake", "cutadapt", "bowtie", "mirtop", "pandas"):
        assert software.get(tool), tool
    assert "exomir_methods" in page.dom and "Langmead et al." in page.dom
    assert "Bowtie 1: alignment of unique inserts" in page.dom  # bowtie counts inserts, not reads
    assert "five_prime_tolerance" in page.dom  # the config as run


def test_full_page_screenshot_for_a_person_to_look_at(demo_run):
    workdir, _ = demo_run
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert screenshot(workdir / "results" / "report" / "multiqc_report.html", SCREENSHOT) == []
    print(f"screenshot of the demo report: {SCREENSHOT}")
    assert SCREENSHOT.stat().st_size > 100_000


def test_count_anndata_is_ready_for_scanpy(demo_run):
    import anndata

    workdir, _ = demo_run
    adata = anndata.read_h5ad(workdir / "results" / "counts" / "mirna.h5ad")
    qc = read_sample_table(workdir / "results" / "qc" / "sample_qc.tsv")
    for column in ("biofluid", "kit", "condition", "batch"):
        assert isinstance(adata.obs[column].dtype, pd.CategoricalDtype), column
    assert adata.obs["kit"].astype(str).to_dict() == qc["kit"].to_dict()
    assert adata.obs["library_size"].tolist() == pytest.approx(adata.X.sum(axis=1).tolist())
    assert (adata.obs["input_reads"] == qc["input_reads"].reindex(adata.obs_names)).all()
    assert adata.var.loc["hsa-miR-16-5p", "hairpin"] == "hsa-mir-16-1,hsa-mir-16-2"
    assert adata.var.loc["hsa-miR-16-5p", "sequence"] == "TAGCAGCACGTAAATATTGGCG"


def test_snakemake_report_holds_the_marked_outputs(demo_run, tmp_path):
    workdir, _ = demo_run
    config = workdir / "config.yaml"
    run_snakemake(workdir, "--configfile", config, "--report", tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert "small-RNA sequencing of extracellular vesicles" in html  # workflow/report/workflow.rst
    for output in (
        "mirna_counts.tsv",
        "sample_qc.tsv",
        "signature_scores.tsv",
        "tumour_origin.tsv",
        "multiqc_report.html",
        "signature_heatmap.png",
        "deconvolution.png",
    ):
        assert output in html, output
