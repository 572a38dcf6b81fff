"""Tissue-of-origin deconvolution: each sample's miRNA profile as a non-negative mix of tissue and blood-cell
profiles, by non-negative least squares on precursor groups, with bootstrap intervals and the shares of
healthy libraries of the same biofluid beside them.

* Features are precursor groups (exomir.references.precursor_groups): mature and precursor counts alike are
  summed into them, and so are the profiles, which come at either level.
* Tissues: by default the 17 that miRTS reports as detectable in plasma/serum (`Tissues.blood_detect_17` of
  the miRTS package, github.com/li-wending/miRTS; signature matrix from miRNATissueAtlas2, Keller et al., NAR
  2022): tissues whose specific miRNAs are not seen in circulation cannot be estimated from it.
* Blood cells, where a measured profile exists: myeloid cells from TCGA LAML (acute myeloid leukaemia: blood
  and bone-marrow blasts) and lymphoid cells from TCGA DLBC (diffuse large B-cell lymphoma), the mean of each
  type's atlas profiles (rule tcga_atlas; TCGA Research Network, RTCGA.miRNASeq 2015 snapshot). These are
  malignant cells of the lineage, the closest published miRNA-seq profiles of blood cells available to the
  workflow. No red-cell miRNA-seq profile is: red cells stay the marker read share `red_cell_markers`, one unit
  column per marker group of the RBC set, i.e. the marker reads no profile explains. That is not a cell
  fraction. Without the atlas the myeloid/platelet and lymphoid sets are marker read shares as well.
* Profiles that cannot be told apart are merged before the fit (their mean profile, named by its members
  joined with '+'): complete linkage on the Bhattacharyya coefficient BC(p, q) = Σ √(p_i q_i) of the
  read-share profiles, the overlap on the square-root (Poisson variance-stabilised) scale the fit works on.
* Everything is in read shares over the design's features: a component's value is the share of those reads it
  explains, `unexplained` the rest. Rows are weighted by 1/sqrt(fitted share + 1e-4), the Poisson variance,
  refitted (REWEIGHTINGS), so that the few most abundant (red-cell) miRNAs do not decide the fit alone.
* Intervals: the fit repeated on `bootstraps` multinomial resamples of each sample's reads (seeded), 2.5-97.5 %;
  in each resample the white-cell columns are one of their type's atlas profiles (subtype clusters), drawn by
  aliquots, so their intervals hold profile uncertainty as well as counting noise. Tissues have one profile
  each and their intervals counting noise only (see docs/methods.md for the coverage on held-out mixtures).
"""

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Self

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from exomir.common.markers import BLOOD_COMPONENTS, component_markers
from exomir.references.precursor_groups import sum_by_group
from exomir.scores.tumour_origin import feature_groups

WEIGHT_FLOOR = 1e-4
# Rows are weighted by the Poisson variance of the *fitted* shares, refitted this many times from a start
# weighted by the observed shares. Weighting by the observed shares alone (Neyman's chi-square) biases every
# share low when a sample is not exactly a mix of the design's profiles: held-out TCGA LAML and DLBC aliquots
# (tcga_holdout.tsv.gz, 4 each) came out at 0.05-0.86 of their own component; reweighted 0.80-1.01, the same
# after 3 and 10 rounds (project choice: 3).
REWEIGHTINGS = 3
FIT_COLUMNS = ["unexplained", "fit_r2", "fit_log_pearson", "reference_reads_share"]
# Blood components with a measured profile: {component of exomir.common.markers: (name, TCGA cancer type)}.
BLOOD_PROFILES = {"myeloid_platelets": ("myeloid_laml", "LAML"), "lymphocytes": ("lymphoid_dlbc", "DLBC")}
# Blood components read as the marker reads no profile explains: {component: name}.
MARKER_SHARES = {
    "red_cells": "red_cell_markers",
    "myeloid_platelets": "myeloid_platelet_markers",
    "lymphocytes": "lymphocyte_markers",
}
INTERVAL = (2.5, 97.5)
INTERVAL_COLUMNS = [
    "sample",
    "component",
    "share",
    "low",
    "high",
    "healthy_biofluid",
    "healthy_n",
    "healthy_median",
    "healthy_low",
    "healthy_high",
    "healthy_percentile",
]


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


def blood_profiles(profiles: pd.DataFrame, info: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """{myeloid_laml, lymphoid_dlbc: (groups × read shares of each of the type's tumour profiles in the atlas,
    their weights: aliquot shares)}; raises when the atlas lacks a type. The design uses the weighted mean; the
    bootstrap draws one profile per resample with these weights (profile uncertainty)."""
    blood = {}
    for name, cancer_type in BLOOD_PROFILES.values():
        rows = info[(info["cancer_type"] == cancer_type) & (info["kind"] == "tumour")]
        if rows.empty:
            raise ValueError(f"tumour atlas: no {cancer_type} profile for the {name} component")
        shares = profiles[list(rows["profile"])]
        blood[name] = (shares / shares.sum(), rows["n_aliquots"].to_numpy(dtype=float) / rows["n_aliquots"].sum())
    return blood


def overlap(shares: pd.DataFrame) -> pd.DataFrame:
    """Bhattacharyya coefficient of every pair of read-share columns (1: identical profiles)."""
    roots = np.sqrt(shares)
    return roots.T @ roots


def merge_indistinguishable(shares: pd.DataFrame, min_overlap: float) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Columns merged while two clusters' least pairwise overlap is at least `min_overlap` (the most
    overlapping first); a merged column is the mean of its members' shares. Returns (merged shares, {name:
    members})."""
    coefficients = overlap(shares)
    clusters = [[column] for column in shares.columns]
    while True:
        linkage = [
            (coefficients.loc[first, second].to_numpy().min(), i, j)
            for i, first in enumerate(clusters)
            for j, second in enumerate(clusters)
            if i < j
        ]
        best = max(linkage, default=None)
        if best is None or best[0] < min_overlap:
            break
        _, i, j = best
        clusters[i] = clusters[i] + clusters.pop(j)
    members = {"+".join(sorted(cluster)): sorted(cluster) for cluster in clusters}
    return pd.DataFrame({name: shares[columns].mean(axis=1) for name, columns in members.items()}), members


def condition_number(design: pd.DataFrame) -> float:
    """Condition number of the square-root design, columns scaled to unit length (the scale of the weighted fit)."""
    roots = np.sqrt(design.to_numpy())
    return float(np.linalg.cond(roots / np.linalg.norm(roots, axis=0)))


@dataclass(frozen=True)
class Design:
    """features × columns matrix of read shares, the component of each column, the members of each profile
    component and the condition number of the profile columns before and after merging (NaN without any)."""

    matrix: pd.DataFrame
    components: list[str]
    merged: dict[str, list[str]]
    condition_before: float
    condition_after: float
    # {column: (features × alternative read-share profiles, their weights)}: drawn from in each bootstrap resample.
    alternatives: Mapping[str, tuple[pd.DataFrame, np.ndarray]] = field(default_factory=dict)

    def drawn(self, rng: np.random.Generator) -> Self:
        """The design with each column of `alternatives` replaced by one of its profiles, drawn by weight."""
        if not self.alternatives:
            return self
        # In numpy: a DataFrame copy and column assignments took half of each bootstrap resample's time.
        matrix = self.matrix.to_numpy(copy=True)
        for column, (shares, weights) in self.alternatives.items():
            matrix[:, self.matrix.columns.get_loc(column)] = shares.to_numpy()[:, rng.choice(len(weights), p=weights)]
        return replace(self, matrix=pd.DataFrame(matrix, index=self.matrix.index, columns=self.matrix.columns))


def design_matrix(
    groups: pd.DataFrame,
    tissues: pd.DataFrame,
    markers: pd.DataFrame,
    blood: Mapping[str, tuple[pd.DataFrame, np.ndarray]] | None,
    min_overlap: float,
) -> Design:
    """The design on precursor groups.

    `tissues`: miRNA × tissue reference (mature or precursor names); `blood`: blood_profiles or None; marker
    sets without a profile get a unit column per marker group. A blood profile left unmerged keeps its
    alternatives for the bootstrap; tissues have none (one profile each)."""
    profiles = []
    if not tissues.empty:
        profiles.append(sum_by_group(tissues, feature_groups(tissues.index, groups)))
    if blood is not None:
        profiles.append(pd.DataFrame({name: shares @ weights for name, (shares, weights) in blood.items()}))
    unit_groups: dict[str, str] = {}
    for component in BLOOD_COMPONENTS:
        if blood is not None and component.name in BLOOD_PROFILES:
            continue
        mirnas = component_markers(markers, component)
        for group in feature_groups(mirnas, groups).values():
            unit_groups.setdefault(group, MARKER_SHARES[component.name])
    features = pd.Index(sorted(set(unit_groups).union(*(profile.index for profile in profiles))))
    shares = pd.concat([profile.reindex(features).fillna(0) for profile in profiles], axis=1) if profiles else None
    merged: dict[str, list[str]] = {}
    columns = []
    before = after = np.nan
    if shares is not None:
        shares = shares / shares.sum()
        before = condition_number(shares)
        shares, merged = merge_indistinguishable(shares, min_overlap)
        after = condition_number(shares)
        columns.append(shares)
    unit = pd.DataFrame(0.0, index=features, columns=list(unit_groups))
    for group in unit_groups:
        unit.loc[group, group] = 1.0
    matrix = pd.concat([*columns, unit], axis=1)
    components = list(merged) + list(unit_groups.values())
    alternatives = {}
    for name, (shares, weights) in (blood or {}).items():
        if name in merged:
            on_features = shares.reindex(features).fillna(0)
            alternatives[name] = (on_features / on_features.sum(), weights)
    return Design(matrix, components, merged, before, after, alternatives)


def fit_shares(design: Design, on_features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(NNLS solution per design column, fitted read shares, row weights) of one sample's counts on the design
    features, weighted least squares with the Poisson variance of the fitted shares (see REWEIGHTINGS)."""
    observed = on_features / on_features.sum() if on_features.sum() > 0 else on_features
    matrix = design.matrix.to_numpy()
    weights = 1 / np.sqrt(observed + WEIGHT_FLOOR)
    for _ in range(REWEIGHTINGS + 1):
        solution, _ = nnls(matrix * weights[:, None], observed * weights)
        fitted = matrix @ solution
        weights = 1 / np.sqrt(fitted + WEIGHT_FLOOR)
    return solution, fitted, 1 / np.sqrt(fitted + WEIGHT_FLOOR)


def component_shares(design: Design, solution: np.ndarray) -> pd.Series:
    """Design-column solution summed per component (the unit columns of one marker set together)."""
    return pd.Series(solution, index=design.components).groupby(level=0, sort=False).sum()


def deconvolve_sample(design: Design, counts: pd.Series) -> pd.Series:
    """Component shares and fit statistics of one sample (counts indexed by precursor group)."""
    on_features = counts.reindex(design.matrix.index).fillna(0).to_numpy(dtype=float)
    total = counts.sum()
    observed = on_features / on_features.sum() if on_features.sum() > 0 else on_features
    solution, fitted, weights = fit_shares(design, on_features)
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
    return pd.concat([component_shares(design, solution), pd.Series(fit)])


def bootstrap_shares(design: Design, counts: pd.Series, bootstraps: int, rng: np.random.Generator) -> pd.DataFrame:
    """bootstraps × components: the shares refitted on multinomial resamples of the sample's reads on the
    design features (as many reads as it has there), each on a design with its alternatives drawn."""
    on_features = counts.reindex(design.matrix.index).fillna(0).to_numpy(dtype=float)
    depth = int(round(on_features.sum()))
    if depth == 0:
        return pd.DataFrame(np.nan, index=range(bootstraps), columns=list(dict.fromkeys(design.components)))
    draws = rng.multinomial(depth, on_features / on_features.sum(), size=bootstraps)
    solutions = [fit_shares(design.drawn(rng), draw)[0] for draw in draws]
    # Summed per component once for all resamples (component_shares' sum: one groupby per resample took
    # half of the rule's time).
    return pd.DataFrame(solutions, columns=design.components).T.groupby(level=0, sort=False).sum().T


def group_table(counts: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """samples × precursor groups: a samples × features table (mature or precursor names) summed per group."""
    return sum_by_group(counts.T, feature_groups(counts.columns, groups)).T


def deconvolve(
    counts: pd.DataFrame, design: Design, bootstraps: int = 0, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(samples × (component shares, fit statistics), long table of sample, component, share, low, high) for a
    samples × precursor-group count table; no interval columns' values without `bootstraps`."""
    table = pd.DataFrame({sample: deconvolve_sample(design, counts.loc[sample]) for sample in counts.index}).T
    table.index.name = "sample"
    components = list(dict.fromkeys(design.components))
    rows = []
    rng = np.random.default_rng(seed)
    for sample in counts.index:
        draws = bootstrap_shares(design, counts.loc[sample], bootstraps, rng) if bootstraps else None
        for component in components:
            low, high = np.nanpercentile(draws[component], INTERVAL) if draws is not None else (np.nan, np.nan)
            rows.append((sample, component, table.loc[sample, component], low, high))
    return table, pd.DataFrame(rows, columns=INTERVAL_COLUMNS[:5])


def healthy_comparison(
    intervals: pd.DataFrame,
    biofluids: pd.Series,
    healthy: pd.DataFrame,
    healthy_biofluids: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """The interval table with each share set against the healthy libraries of the sample's biofluid: their
    number, median, 2.5-97.5 % range and the share's mid-rank percentile among them (100 × the fraction
    below it plus half the fraction equal to it: 50 for a share of 0 where every healthy library has 0). A
    sample that is itself a healthy library is left out of its own comparison; a biofluid without healthy
    libraries gets empty columns. `healthy`: libraries × component shares (deconvolve's table)."""
    rows = []
    for row in intervals.itertuples(index=False):
        biofluid = str(biofluids.get(row.sample, "")).strip().lower()
        libraries = [library for library in healthy_biofluids.get(biofluid, []) if library != row.sample]
        values = healthy.loc[libraries, row.component].to_numpy(dtype=float) if libraries else np.array([])
        if len(values):
            low, median, high = np.percentile(values, [INTERVAL[0], 50, INTERVAL[1]])
            percentile = 100 * (np.mean(values < row.share) + 0.5 * np.mean(values == row.share))
            rows.append((biofluid, len(values), median, low, high, percentile))
        else:
            rows.append(("", 0, np.nan, np.nan, np.nan, np.nan))
    comparison = pd.DataFrame(rows, columns=INTERVAL_COLUMNS[5:], index=intervals.index)
    return pd.concat([intervals, comparison], axis=1)
