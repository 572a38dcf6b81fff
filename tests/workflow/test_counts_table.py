"""A run from a count table: GSE71008 plasma-EV precursor counts of another pipeline, with rows of other small
RNAs added, through QC, scores and the report, with a sheet that names no FASTQ files."""

import json

import anndata
import numpy as np
import pandas as pd
import pytest

from exomir.devtools.runs import REPO, SHARED_DATA, run_snakemake, shared_references, write_config

GSE71008 = SHARED_DATA / "cohorts" / "GSE71008"
HAIRPINS = REPO / "resources" / "mirbase-v22-hsa" / "hairpin.fa"
# Rows another pipeline writes beside the miRNAs: a piRNA, a tRNA fragment, a snoRNA, an old precursor name.
OTHER_RNA = {"piR-hsa-28723": 310, "tRF-Gly-GCC-1": 1200, "SNORD44": 45, "hsa-mir-451": 9}


def hairpin_names():
    """Human precursor names of the miRBase FASTA, read here without the workflow's code."""
    return {line[1:].split()[0] for line in HAIRPINS.read_text().splitlines() if line.startswith(">hsa-")}


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    """Twelve samples, six healthy controls and six colorectal cancers, as a precursors × samples TSV."""
    workdir = tmp_path_factory.mktemp("counts_table")
    counts = pd.read_csv(GSE71008 / "precursor_counts.csv", index_col=0)  # samples × precursors
    labels = pd.read_csv(GSE71008 / "labels.csv", index_col="sample_id")["label"]
    healthy = list(labels[labels == "Healthy Control"].index[:6])
    cancer = list(labels[labels == "Colorectal Cancer"].index[:6])
    table = counts.loc[healthy + cancer].T
    for name, count in OTHER_RNA.items():
        table.loc[name] = count
    path = workdir / "counts.tsv"
    table.to_csv(path, sep="\t", index_label="precursor")
    sheet = pd.DataFrame(
        {
            "sample": healthy + cancer,
            "biofluid": "plasma",
            "condition": ["healthy"] * 6 + ["colorectal cancer"] * 6,
        }
    )
    sheet.to_csv(workdir / "samples.tsv", sep="\t", index=False)
    config = write_config(workdir, workdir / "samples.tsv", **shared_references())
    result = run_snakemake(
        workdir, "--configfile", config, "--config", f"samples={workdir / 'samples.tsv'}", f"counts_table={path}"
    )
    return workdir, table, sheet, result


def test_the_table_is_detected_as_precursors_and_other_rnas_are_counted_out(table_run):
    workdir, table, _, _ = table_run
    dropped = [name for name in table.index if name not in hairpin_names()]
    assert sorted(dropped) == sorted(OTHER_RNA)
    summary = json.loads((workdir / "results" / "counts" / "import_summary.json").read_text())
    assert summary["kind"] == "precursor names" and summary["feature_level"] == "precursor"
    assert summary["dropped_rows"] == len(dropped)
    log = (workdir / "logs" / "counts" / "import_counts.log").read_text()
    assert "first column: precursor names" in log and f"{len(dropped)} rows left out" in log
    report = (workdir / "results" / "report" / "multiqc_report.html").read_text()
    assert "exomir: counts from a table" in report and "holds precursor names" in report
    assert f"{len(dropped)} rows name no known miRNA" in report


def test_the_anndata_holds_the_counts_of_the_table_at_precursor_level(table_run):
    workdir, table, sheet, _ = table_run
    known = table.loc[table.index.isin(hairpin_names())].sort_index()
    adata = anndata.read_h5ad(workdir / "results" / "counts" / "mirna.h5ad")
    assert adata.shape == (12, len(known)) == (12, 1803)
    assert adata.uns["feature_level"] == "precursor"
    assert adata.uns["counts_table"] == str(workdir / "counts.tsv")
    assert adata.uns["counts_table_dropped_rows"] == len(OTHER_RNA)
    assert list(adata.obs_names) == list(sheet["sample"]) and list(adata.var_names) == list(known.index)
    assert np.array_equal(adata.layers["counts"], known.T.to_numpy(dtype=float))
    assert set(adata.layers) == {"counts", "cpm", "tmm_cpm"}
    matrix = pd.read_csv(workdir / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    assert list(matrix.index) == list(known.index) and list(matrix.columns) == list(sheet["sample"])
    assert np.array_equal(matrix.to_numpy(), known.to_numpy())
    # what needs reads is not produced, and no job read or looked for a FASTQ file
    for name in ("isomir_counts.tsv", "biotype_reads.tsv", "mirna_spike_in_normalised.tsv"):
        assert not (workdir / "results" / "counts" / name).exists(), name
    assert not (workdir / "results" / "inserts").exists() and not (workdir / "results" / "quantify").exists()


def test_hemolysis_is_the_ratio_of_the_mir_451a_and_mir_23a_precursors(table_run):
    workdir, table, sheet, _ = table_run
    known = table.loc[table.index.isin(hairpin_names())]
    cpm = known / known.sum() * 1e6
    expected = np.log2((cpm.loc["hsa-mir-451a"] + 1) / (cpm.loc["hsa-mir-23a"] + 1))
    qc = pd.read_csv(workdir / "results" / "qc" / "sample_qc.tsv", sep="\t", index_col="sample")
    assert list(qc.index) == list(sheet["sample"])
    assert qc["hemolysis_ratio"].to_numpy() == pytest.approx(expected.loc[qc.index].to_numpy(), rel=1e-9)
    assert qc["mirna_reads"].to_numpy() == pytest.approx(known.sum().loc[qc.index].to_numpy())
    assert qc["verdict"].isin(["pass", "warn", "fail"]).all()
    assert not qc["reasons"].fillna("").str.contains("transcriptome reads|library kit").any()
    assert qc["not_checked"].str.startswith("no reads (counts from a table): transcriptome reads").all()
    assert qc["transcriptome_reads"].isna().all()


def test_scores_tumour_origin_and_report_run_on_the_table(table_run):
    workdir, _, sheet, _ = table_run
    calls = pd.read_csv(workdir / "results" / "scores" / "tumour_origin.tsv", sep="\t")
    assert list(calls["sample"]) == list(sheet["sample"])
    # A count table carries no reads to detect the kit from, and the sheet states none: another protocol.
    assert (calls["call"] == "not_called").all() and (calls["reason"] == "protocol mismatch").all()
    assert calls["note"].str.contains("library kit not known").all()
    scores = pd.read_csv(workdir / "results" / "scores" / "signature_scores.tsv", sep="\t")
    ranked = scores[scores["method"] == "rank_single_sample"]
    assert ranked["n_up"].max() > 0 and ranked["score"].notna().any()  # signature matures found via precursors
    assert (scores["method"] == "zscore_cohort_healthy").any()  # six healthy samples in the cohort
    deconvolution = pd.read_csv(workdir / "results" / "scores" / "deconvolution.tsv", sep="\t", index_col="sample")
    assert (deconvolution["red_cell_markers"] > 0).all() and (deconvolution["reference_reads_share"] > 0.5).all()
    tables = workdir / "results" / "report" / "tables"
    assert (tables / "imported_counts_mqc.tsv").exists() and not (tables / "read_funnel_mqc.tsv").exists()
    report = workdir / "results" / "report" / "multiqc_report.html"
    assert report.stat().st_size > 100_000
    assert "exomir: read funnel" not in report.read_text()
    assert "not produced from a count table" in (workdir / "logs" / "report" / "report_tables.log").read_text()


def test_a_bad_table_stops_the_run_before_any_job(table_run, tmp_path):
    workdir, table, sheet, _ = table_run
    bad = table.drop(columns=[sheet["sample"][0]]).assign(extra=1)
    bad.iloc[3, 2] = -1
    path = tmp_path / "bad.tsv"
    bad.to_csv(path, sep="\t", index_label="precursor")
    result = run_snakemake(
        tmp_path, "--configfile", workdir / "config.yaml", "--config", f"counts_table={path}", "-n", check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{path}: header: column(s) 'extra' are not samples of {workdir / 'samples.tsv'}" in output
    assert f"{path}: header: sample(s) '{sheet['sample'][0]}' of {workdir / 'samples.tsv'} have no column" in output
    assert f"{path}: row 5 ({bad.index[3]}), column '{bad.columns[2]}': count '-1' is negative" in output
    assert "Job stats" not in output
