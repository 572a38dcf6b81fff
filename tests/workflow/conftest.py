"""Workflow runs shared by the workflow tests that read their outputs: the three real exRNAQC017
samples with the shared references, and the bundled demo."""

import pytest

from exomir.devtools.runs import (
    SHEET_COLUMNS,
    demo_config,
    exrnaqc_rows,
    run_snakemake,
    shared_references,
    write_config,
    write_sample_sheet,
)


@pytest.fixture(scope="session")
def exrnaqc_run(tmp_path_factory):
    """One full workflow run on the three real exRNAQC samples, shared by the tests."""
    workdir = tmp_path_factory.mktemp("exrnaqc")
    # The three are miRNeasy Serum/Plasma libraries (Annotation_exRNAQC017.tsv), stated as the sheet allows.
    rows = [(*row, "miRNeasySPAkit") for row in exrnaqc_rows()]
    sheet = write_sample_sheet(workdir / "samples.tsv", rows, (*SHEET_COLUMNS, "rna_isolation"))
    run_snakemake(workdir, "--configfile", write_config(workdir, sheet, **shared_references()))
    return workdir


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One full workflow run of the demo config: (run directory, sample sheet)."""
    workdir = tmp_path_factory.mktemp("demo")
    sheet, config = demo_config(workdir)
    run_snakemake(workdir, "--configfile", config)
    return workdir, sheet
