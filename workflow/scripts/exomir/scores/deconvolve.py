"""Tissue-of-origin deconvolution: each sample's miRNA profile as a non-negative mix of tissue profiles
(miRTS signature matrix from miRNATissueAtlas2) and blood-cell components, by non-negative least squares.

* Tissues: by default the 17 that miRTS reports as detectable in plasma/serum (`Tissues.blood_detect_17` of
  the miRTS package, github.com/li-wending/miRTS): tissues whose specific miRNAs are not seen in circulation
  cannot be estimated from it and only absorb signal of collinear tissues.
* Blood cells: the atlas has no blood-cell columns, so each marker miRNA of a blood-cell set (red cells,
  myeloid cells incl. platelets, lymphocytes) gets its own unit column; a set's share is the sum of its
  markers' weights, i.e. the marker reads that the tissue profiles do not explain.
* Everything is in read shares over the reference miRNAs: a component's value is the share of those reads it
  explains, `unexplained` the rest. Rows are weighted by 1/sqrt(share + 1e-4), a Poisson-like variance, so
  that the few most abundant (red-cell) miRNAs do not decide the fit alone.
* Precursor-level counts (a count table of precursors): the reference and the markers are taken to the
  precursors (exomir.counts.features), a precursor's reference value the sum of its matures'.
"""

import os

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from exomir.common.markers import BLOOD_COMPONENTS, component_markers
from exomir.counts.features import FeatureLookup

WEIGHT_FLOOR = 1e-4
FIT_COLUMNS = ["unexplained", "fit_r2", "fit_log_pearson", "reference_reads_share"]


def load_reference(path: str | os.PathLike, tissues: list[str]) -> pd.DataFrame:
    """miRNA × tissue matrix restricted to `tissues`; raises naming the file and the tissues it lacks."""
    matrix = pd.read_csv(path, index_col=0)
    missing = [tissue for tissue in tissues if tissue not in matrix.columns]
    if missing:
        raise ValueError(f"{path}: no column for tissue(s) {', '.join(missing)}; it has {', '.join(matrix.columns)}")
    matrix = matrix[tissues]
    if (matrix < 0).any().any() or not np.isfinite(matrix.to_numpy()).all():
        raise ValueError(f"{path}: negative or non-numeric expression values")
    # Each tissue's column is scaled to read shares, which an all-zero column cannot be.
    empty = [tissue for tissue in tissues if matrix[tissue].sum() == 0]
    if empty:
        raise ValueError(f"{path}: no expression in tissue(s) {', '.join(empty)}")
    return matrix


def design_matrix(reference: pd.DataFrame, markers: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(features × components matrix with columns normalised to read shares, component name per column)."""
    blood = {mirna: component.name for component in BLOOD_COMPONENTS for mirna in component_markers(markers, component)}
    features = reference.index.union(list(blood))
    tissues = reference.reindex(features).fillna(0)
    tissues = tissues / tissues.sum()
    unit = pd.DataFrame(0.0, index=features, columns=list(blood))
    for mirna in blood:
        unit.loc[mirna, mirna] = 1.0
    return pd.concat([tissues, unit], axis=1), list(reference.columns) + list(blood.values())


def deconvolve_sample(design: pd.DataFrame, components: list[str], counts: pd.Series) -> pd.Series:
    """Component shares and fit statistics of one sample (counts indexed by miRNA)."""
    on_features = counts.reindex(design.index).fillna(0).to_numpy(dtype=float)
    total = counts.sum()
    observed = on_features / on_features.sum() if on_features.sum() > 0 else on_features
    weights = 1 / np.sqrt(observed + WEIGHT_FLOOR)
    solution, _ = nnls(design.to_numpy() * weights[:, None], observed * weights)
    fitted = design.to_numpy() @ solution
    shares = pd.Series(solution, index=components).groupby(level=0, sort=False).sum()
    residual = np.sum(weights**2 * (observed - fitted) ** 2)
    spread = np.sum(weights**2 * (observed - np.average(observed, weights=weights**2)) ** 2)
    fit = {
        "unexplained": max(0.0, 1 - solution.sum()),
        "fit_r2": 1 - residual / spread if spread > 0 else np.nan,
        "fit_log_pearson": np.corrcoef(np.log10(observed + 1e-5), np.log10(fitted + 1e-5))[0, 1]
        if observed.any()
        else np.nan,
        "reference_reads_share": on_features.sum() / total if total > 0 else np.nan,
    }
    return pd.concat([shares, pd.Series(fit)])


def deconvolve(
    counts: pd.DataFrame, reference: pd.DataFrame, markers: pd.DataFrame, features: FeatureLookup | None = None
) -> pd.DataFrame:
    """samples × (component shares, fit statistics) for a samples × features count table; `features` says
    where the reference's and markers' mature miRNAs are in it (default: mature level)."""
    features = features or FeatureLookup()
    design, components = design_matrix(
        features.summed_by_feature(reference), features.by_feature(markers, column="mirna")
    )
    table = pd.DataFrame({sample: deconvolve_sample(design, components, counts.loc[sample]) for sample in counts.index})
    table = table.T
    table.index.name = "sample"
    return table
