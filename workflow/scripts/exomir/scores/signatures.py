"""Score literature miRNA signatures per sample, within one sample and across the cohort."""

import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Self

import anndata
import numpy as np
import pandas as pd
import scanpy as sc

from exomir.common.normalise import log2_cpm
from exomir.counts.features import FeatureLookup
from exomir.counts.layers import layer_table

SIGNATURE_COLUMNS = ["signature", "cancer_type", "biofluid", "mirna", "direction", "weight", "citation", "flag"]
DIRECTIONS = {"up", "down"}
FLAGS = {"", "pan_cancer", "blood_cell"}
SCORE_COLUMNS = ["sample", "signature", "method", "score", "n_up", "n_down", "n_flagged"]

# z-scores: no miRNA's level varies by less than ~20 % (0.25 log2) between healthy people in practice; the
# floor keeps a near-constant reference value from turning noise into huge z-scores.
SD_FLOOR = 0.25
HEALTHY = "healthy"

# scanpy's defaults (25 bins, 50 controls per bin) assume ~20,000 genes; a cohort has a few hundred
# detected miRNAs, so aim for ~50 miRNAs per expression bin and draw 20 controls from each.
MIRNAS_PER_BIN = 50
MAX_BINS = 25
CONTROLS_PER_BIN = 20
RANDOM_STATE = 0


def load_signatures(path: str | os.PathLike) -> pd.DataFrame:
    """Read the curated signature table; raise naming the file and line of any invalid row."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [column for column in SIGNATURE_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    problems = []
    for line, row in zip(range(2, len(table) + 2), table.itertuples(index=False)):
        where = f"{path}: line {line} ({row.signature} {row.mirna})"
        if not row.signature.strip() or not row.mirna.strip():
            problems.append(f"{where}: empty signature or mirna")
        if row.direction not in DIRECTIONS:
            problems.append(f"{where}: direction {row.direction!r} is not 'up' or 'down'")
        if not row.citation.strip():
            problems.append(f"{where}: missing citation")
        if row.flag not in FLAGS:
            problems.append(f"{where}: flag {row.flag!r} is not one of {sorted(FLAGS)}")
        try:
            weight_is_valid = 0 < float(row.weight) <= 1
        except ValueError:
            weight_is_valid = False
        if not weight_is_valid:
            problems.append(f"{where}: weight {row.weight!r} is not a number in (0, 1]")
    duplicated = table[table.duplicated(["signature", "mirna"])]
    problems += [
        f"{path}: line {i + 2}: {row.mirna} listed twice in {row.signature}" for i, row in duplicated.iterrows()
    ]
    if problems:
        raise ValueError("invalid signature table:\n" + "\n".join(problems))
    return table.astype({"weight": float})


class RankScore(float):
    """A single-sample score that also tells how many up/down miRNAs of the signature were found."""

    def __new__(cls, value: float, n_up: int, n_down: int) -> Self:
        score = super().__new__(cls, value)
        score.n_up = n_up
        score.n_down = n_down
        return score


def _centred_mean_rank(ranks: pd.Series, members: list[str]) -> float:
    """Mean rank of `members` scaled to [0, 1] between its smallest and largest possible value, minus 0.5.

    Scaling as in singscore (Foroutan et al., BMC Bioinformatics 2018;19:404), so a random set scores ~0."""
    n_total, n_set = len(ranks), len(members)
    lowest, highest = (n_set + 1) / 2, (2 * n_total - n_set + 1) / 2
    if highest == lowest:  # the set is the whole sample: its position is undefined
        return np.nan
    return (ranks[members].mean() - lowest) / (highest - lowest) - 0.5


def _found(mirnas: Iterable[str], measured: pd.Index) -> list[str]:
    """The signature miRNAs present in `measured`, once each, in signature order."""
    return [mirna for mirna in dict.fromkeys(mirnas) if mirna in measured]


def single_sample_rank_score(expression: pd.Series, up: Sequence[str], down: Sequence[str]) -> RankScore:
    """singscore-style rank score of one sample: centred mean rank of `up` minus that of `down`.

    `expression` is indexed by miRNA; signature miRNAs absent from it (or NaN) are ignored.
    Ties get the average rank. With only one non-empty set, that set alone is scored (negated for down).
    Returns a RankScore: a float in [-1, 1] (NaN when no miRNA was found) with .n_up and .n_down."""
    expression = expression.dropna()
    ranks = expression.rank(method="average")
    up_found, down_found = _found(up, ranks.index), _found(down, ranks.index)
    parts = []
    if up_found:
        parts.append(_centred_mean_rank(ranks, up_found))
    if down_found:
        parts.append(-_centred_mean_rank(ranks, down_found))
    score = sum(parts) if parts else np.nan
    return RankScore(score, len(up_found), len(down_found))


def cohort_log_cpm(adata: anndata.AnnData) -> anndata.AnnData:
    """log1p(CPM) AnnData restricted to miRNAs detected (count > 0) in at least one sample."""
    detected = layer_table(adata, "counts").sum(axis=0).to_numpy() > 0
    log_cpm = np.log1p(layer_table(adata, "cpm").to_numpy()[:, detected])
    return anndata.AnnData(
        X=log_cpm, obs=pd.DataFrame(index=adata.obs_names), var=pd.DataFrame(index=adata.var_names[detected])
    )


def _gene_set_score(log_cpm: anndata.AnnData, genes: list[str]) -> pd.Series:
    """scanpy.tl.score_genes of one set with bins and control sizes fitted to a small miRNA pool."""
    n_bins = int(np.clip(round(log_cpm.n_vars / MIRNAS_PER_BIN) + 1, 2, MAX_BINS))
    scored = sc.tl.score_genes(
        log_cpm,
        genes,
        ctrl_as_ref=False,  # never use the set's own miRNAs as controls
        ctrl_size=CONTROLS_PER_BIN,
        n_bins=n_bins,
        random_state=RANDOM_STATE,
        copy=True,
    )
    return scored.obs["score"]


def scanpy_cohort_score(log_cpm: anndata.AnnData, up: Sequence[str], down: Sequence[str]) -> tuple[pd.Series, int, int]:
    """Cohort score per sample: score_genes(up) minus score_genes(down) on log1p(CPM).

    Control miRNAs are drawn from the cohort's expression bins, so the score is relative to the cohort.
    Returns (scores indexed by sample, n_up found, n_down found); NaN scores when nothing was found
    or no control miRNA is left."""
    up_found, down_found = _found(up, log_cpm.var_names), _found(down, log_cpm.var_names)
    score = pd.Series(0.0, index=log_cpm.obs_names)
    if not up_found and not down_found:
        return score * np.nan, 0, 0
    try:
        if up_found:
            score += _gene_set_score(log_cpm, up_found)
        if down_found:
            score -= _gene_set_score(log_cpm, down_found)
    except RuntimeError as error:  # scanpy found no control miRNA in the bins of the set
        warnings.warn(f"no cohort score for up={up_found} down={down_found}: {error}", stacklevel=2)
        score[:] = np.nan
    return score, len(up_found), len(down_found)


def healthy_reference(
    counts: pd.DataFrame, conditions: pd.Series, baseline: pd.DataFrame | None, min_cohort_healthy: int
) -> tuple[str, pd.Series, pd.Series] | tuple[None, None, None]:
    """(method name, per-miRNA mean, per-miRNA SD) of log2(CPM + 1) in healthy libraries.

    The cohort's samples whose condition is 'healthy' when there are at least `min_cohort_healthy`, else the
    healthy baseline (miRNAs × libraries counts). `counts`: samples × miRNAs."""
    healthy = conditions.astype(str).str.strip().str.lower() == HEALTHY
    if healthy.sum() >= min_cohort_healthy:
        name, reference = "zscore_cohort_healthy", counts[healthy.to_numpy()].T
    elif baseline is not None:
        name, reference = "zscore_reference_baseline", baseline
    else:
        return None, None, None
    values = log2_cpm(reference)
    return name, values.mean(axis=1), values.std(axis=1, ddof=1).fillna(SD_FLOOR).clip(lower=SD_FLOOR)


def zscore_score(z: pd.Series, up: Sequence[str], down: Sequence[str]) -> tuple[float, int, int]:
    """Mean z of the up miRNAs minus mean z of the down miRNAs found in `z` (NaN if none is found)."""
    up_found, down_found = _found(up, z.index), _found(down, z.index)
    parts = [z[up_found].mean()] if up_found else []
    parts += [-z[down_found].mean()] if down_found else []
    return (sum(parts) if parts else np.nan), len(up_found), len(down_found)


def score_signatures(
    adata: anndata.AnnData,
    signatures: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
    min_cohort_healthy: int = 3,
) -> pd.DataFrame:
    """Score every signature per sample; long table with SCORE_COLUMNS.

    Methods: single-sample ranks over each sample's detected miRNAs (count > 0) by CPM; scanpy cohort scores;
    and, when a healthy reference exists (cohort healthy samples or `baseline`, see healthy_reference),
    z-scores against it. `n_flagged` counts the found miRNAs flagged pan_cancer or blood_cell, so tissue
    calls can discount those signatures.

    Precursor-level counts (exomir.counts.features): each signature miRNA is scored through its precursor(s),
    and the baseline is summed per precursor; two miRNAs of one precursor in a signature count once, with
    the direction of the first."""
    features = FeatureLookup.of(adata)
    signatures = features.by_feature(signatures, column="mirna").drop_duplicates(["signature", "mirna"])
    if baseline is not None:
        baseline = features.summed_by_feature(baseline)
    counts = layer_table(adata, "counts")
    cpm = layer_table(adata, "cpm")
    detected_cpm = {sample: cpm.loc[sample][counts.loc[sample] > 0] for sample in adata.obs_names}
    log_cpm = cohort_log_cpm(adata)
    conditions = adata.obs["condition"] if "condition" in adata.obs else pd.Series("", index=adata.obs_names)
    zscore_method, mean, sd = healthy_reference(counts, conditions, baseline, min_cohort_healthy)
    if zscore_method:
        # miRNAs of the reference that a sample's table lacks were counted zero times.
        sample_log_cpm = log2_cpm(counts.T.reindex(counts.columns.union(mean.index)).fillna(0))
        z = sample_log_cpm.loc[mean.index].sub(mean, axis=0).div(sd, axis=0)
    rows = []
    for name, signature in signatures.groupby("signature", sort=False):
        up = signature.loc[signature["direction"] == "up", "mirna"].tolist()
        down = signature.loc[signature["direction"] == "down", "mirna"].tolist()
        flagged = set(signature.loc[signature["flag"] != "", "mirna"])

        for sample, detected in detected_cpm.items():
            score = single_sample_rank_score(detected, up, down)
            n_flagged = len(flagged.intersection(detected.index))
            rows.append((sample, name, "rank_single_sample", float(score), score.n_up, score.n_down, n_flagged))

        cohort, n_up, n_down = scanpy_cohort_score(log_cpm, up, down)
        n_flagged = len(flagged.intersection(log_cpm.var_names))
        rows += [(sample, name, "scanpy_cohort", cohort[sample], n_up, n_down, n_flagged) for sample in adata.obs_names]

        if zscore_method:
            n_flagged = len(flagged.intersection(z.index))
            for sample in adata.obs_names:
                score, n_up, n_down = zscore_score(z[sample], up, down)
                rows.append((sample, name, zscore_method, score, n_up, n_down, n_flagged))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
