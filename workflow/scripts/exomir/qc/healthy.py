"""The healthy blood-index reference of the bundle (resources/bundle/qc/healthy_blood_indices.tsv):
the read-scale hemolysis indices of the 90 exRNAQC017 libraries of healthy donors, summarised per
protocol (exomir.qc.blood.healthy_reference). Rule bundle_qc_reference builds it."""

import os

import pandas as pd

from exomir.common.fasta import accession_names
from exomir.qc.blood import healthy_reference
from exomir.qc.sample_qc import judged_indices, marker_metrics
from exomir.references.bundle import healthy_baselines

SOURCE = "exRNAQC017"


def library_counts(
    counts_path: str | os.PathLike, annotation_path: str | os.PathLike, mature_path: str | os.PathLike
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, libraries × mature names; the libraries with their protocol) of the healthy baseline
    counts (MIMAT accessions, named through the mature FASTA)."""
    tables, _, libraries = healthy_baselines(counts_path, annotation_path)
    return tables["all"].rename(index=accession_names(mature_path)).T, libraries.set_index("library")


def library_metrics(
    counts_path: str | os.PathLike,
    annotation_path: str | os.PathLike,
    mature_path: str | os.PathLike,
    markers: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(marker metrics per library, the libraries with their protocol) of the healthy baseline counts."""
    counts, libraries = library_counts(counts_path, annotation_path, mature_path)
    return marker_metrics(counts, markers), libraries


def blood_reference(
    counts_path: str | os.PathLike,
    annotation_path: str | os.PathLike,
    mature_path: str | os.PathLike,
    markers: pd.DataFrame,
) -> pd.DataFrame:
    """The reference table: median and MAD of each judged index per group of healthy libraries."""
    metrics, libraries = library_metrics(counts_path, annotation_path, mature_path, markers)
    return healthy_reference(judged_indices(metrics), libraries, SOURCE)
