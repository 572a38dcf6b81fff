"""Normalisation of count tables: proportions, CPM, log2 CPM, TMM and spike-in factors.

Every stage that needs a normalised value takes it from here:
- counts per million (CPM): counts over the sample's total of the counted features, × 10^6;
  a sample without any count stays 0 (its total is taken as 1);
- log2(CPM + 1), the scale of signature z-scores;
- tmm_cpm: CPM on TMM-adjusted library sizes (edgeR's trimmed mean of M-values: Robinson &
  Oshlack, Genome Biol 2010;11:R25), computed with rnanorm, which reproduces edgeR's
  calcNormFactors;
- spike-in factors: a sample's spike-in molecules over the geometric mean of all samples'
  spike-in molecules, when spike-ins are configured; NaN for a sample without any.
Tables are features × samples (axis=0: per column) unless `axis=1` says samples are rows.
"""

import numpy as np
import pandas as pd
from rnanorm import TMM
from scipy.stats import gmean


def proportions(counts: np.ndarray, axis: int = 0) -> np.ndarray:
    """Each column (axis=0) or row (axis=1) of an array over its sum; an all-zero one stays 0."""
    totals = counts.sum(axis=axis, keepdims=True)
    return counts / np.where(totals > 0, totals, 1.0)


def counts_per_million(counts: pd.DataFrame, library_sizes: pd.Series | None = None, axis: int = 0) -> pd.DataFrame:
    """CPM of a table, per column (axis=0) or per row (axis=1), on the sums of the counts
    unless `library_sizes` is given; a sample with no count gets 0."""
    totals = counts.sum(axis=axis) if library_sizes is None else library_sizes
    return counts.div(totals.where(totals > 0, 1.0), axis=1 - axis) * 1e6


def log2_cpm(counts: pd.DataFrame, axis: int = 0) -> pd.DataFrame:
    """log2(CPM + 1) of a count table (see counts_per_million)."""
    return np.log2(counts_per_million(counts, axis=axis) + 1)


def expressed(counts: pd.DataFrame, min_count: float, min_samples: int, axis: int = 0) -> pd.Series:
    """Features with at least `min_count` counts in at least `min_samples` samples (samples are columns
    with axis=0, rows with axis=1), as a boolean mask: edgeR's filterByExpr idea (Chen, Lun & Smyth,
    F1000Research 2016;5:1438)."""
    return (counts >= min_count).sum(axis=1 - axis) >= min_samples


def tmm_factors(matrix: pd.DataFrame) -> pd.Series:
    """edgeR TMM normalisation factors per sample (columns); NaN for a sample without counts."""
    factors = pd.Series(np.nan, index=matrix.columns)
    counted = matrix.columns[matrix.sum(axis=0) > 0]
    if len(counted):
        samples_by_features = matrix[counted].T
        factors[counted] = TMM().fit(samples_by_features).get_norm_factors(samples_by_features)
    return factors


def tmm_cpm(counts: pd.DataFrame) -> pd.DataFrame:
    """CPM on TMM-adjusted library sizes (library size × tmm_factors) of a features × samples table."""
    return counts_per_million(counts, counts.sum(axis=0) * tmm_factors(counts))


def spike_in_factors(spike_in_molecules: pd.Series) -> pd.Series:
    """Each sample's spike-in molecules over their geometric mean (samples with any); NaN
    where a sample has none."""
    present = spike_in_molecules[spike_in_molecules > 0]
    factors = pd.Series(np.nan, index=spike_in_molecules.index)
    if len(present):
        factors[present.index] = present / gmean(present)
    return factors


def normalisations(
    matrix: pd.DataFrame, spike_in_molecules: pd.Series | None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """{layer name: miRNA × sample matrix} (counts, cpm, tmm_cpm, and spike_in unless
    `spike_in_molecules` is None, as for counts without reads) and the per-sample factor table."""
    library_sizes = matrix.sum(axis=0)
    tmm = tmm_factors(matrix)
    layers = {
        "counts": matrix,
        "cpm": counts_per_million(matrix),
        "tmm_cpm": tmm_cpm(matrix),
    }
    factors = pd.DataFrame(
        {"mirna_molecules": library_sizes, "tmm_factor": tmm, "tmm_library_size": library_sizes * tmm}
    )
    if spike_in_molecules is not None:
        spike_in = spike_in_factors(spike_in_molecules)
        layers["spike_in"] = matrix.div(spike_in, axis=1)
        factors["spike_in_molecules"] = spike_in_molecules
        factors["spike_in_factor"] = spike_in
    factors.index.name = "sample"
    return layers, factors
