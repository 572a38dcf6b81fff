"""Score literature miRNA signatures per sample, within one sample and across the cohort.

* Every score is over a fixed miRNA universe, the features of the count table: a signature miRNA the
  table holds but a sample did not detect counts as zero (for a "down" miRNA the strongest evidence),
  never as missing; only miRNAs the table does not hold at all are left out (`n_up`/`n_down` count the rest).
* Each miRNA counts with its signature `weight` (weighted means of ranks and of z-scores); scanpy's cohort
  score cannot weight and stays unweighted.
* z-scores are per biofluid: a sample is compared with healthy libraries of its own biofluid only, the
  cohort's (from `min_cohort_healthy` on) or else the healthy baseline's; a healthy sample is left out of
  its own reference (leave-one-out), and a sample with no healthy reference of its biofluid gets no z-score.
* z-scores are on log2(TMM-CPM + 1), TMM factors (edgeR's trimmed mean of M-values; Robinson & Oshlack,
  Genome Biol 2010;11:R25) computed over the reference's libraries and the cohort together: a single
  dominant miRNA (miR-486-5p in red-cell-rich plasma) moves a library's plain CPM total, and with it every
  other miRNA's CPM, but not its TMM factor, which is trimmed of the extreme log ratios.
"""

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Self

import anndata
import numpy as np
import pandas as pd
import scanpy as sc

from exomir.common.normalise import tmm_cpm
from exomir.counts.features import FeatureLookup
from exomir.counts.layers import layer_table

SIGNATURE_COLUMNS = ["signature", "cancer_type", "biofluid", "mirna", "direction", "weight", "citation", "flag"]
DIRECTIONS = {"up", "down"}
FLAGS = {"", "pan_cancer", "blood_cell"}
SCORE_COLUMNS = ["sample", "signature", "method", "score", "n_up", "n_down", "n_flagged"]

# z-scores: the floor keeps a near-constant reference value (or one of few libraries) from turning noise into
# huge z-scores. Project choice, measured on the shipped baseline (90 exRNAQC017 libraries, 6 protocols of 15
# donors): among miRNAs with mean log2(TMM-CPM + 1) >= 5, the 5th percentile of the between-donor SD within
# one protocol is 0.18-0.34 log2 (median of the six 0.24), so 0.25 is about the least real healthy spread.
SD_FLOOR = 0.25
HEALTHY = "healthy"
OTHER_BIOFLUID = "other"

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


def _centred_mean_rank(ranks: pd.Series, weights: pd.Series) -> float:
    """Weighted mean rank of the miRNAs of `weights` scaled to [0, 1] between its smallest and largest possible
    value (the heaviest miRNAs on the lowest or the highest ranks), minus 0.5.

    Scaling as in singscore (Foroutan et al., BMC Bioinformatics 2018;19:404), so a random set scores ~0."""
    n_total, n_set = len(ranks), len(weights)
    heaviest_first = np.sort(weights.to_numpy())[::-1] / weights.sum()
    lowest = heaviest_first @ np.arange(1, n_set + 1)
    highest = heaviest_first @ np.arange(n_total, n_total - n_set, -1)
    if np.isclose(highest, lowest):  # the set is the whole sample: its position is undefined
        return np.nan
    return float(
        np.clip((ranks[weights.index] @ weights / weights.sum() - lowest) / (highest - lowest) - 0.5, -0.5, 0.5)
    )


def _found(mirnas: Iterable[str], measured: pd.Index) -> list[str]:
    """The signature miRNAs present in `measured`, once each, in signature order."""
    return [mirna for mirna in dict.fromkeys(mirnas) if mirna in measured]


def _weights(mirnas: Sequence[str] | pd.Series, found: list[str]) -> pd.Series:
    """The weights of `found`: from `mirnas` when it is a Series of weights (by miRNA), else 1 each."""
    if isinstance(mirnas, pd.Series):
        return mirnas[~mirnas.index.duplicated()].loc[found].astype(float)
    return pd.Series(1.0, index=found)


def single_sample_rank_score(
    expression: pd.Series, up: Sequence[str] | pd.Series, down: Sequence[str] | pd.Series
) -> RankScore:
    """singscore-style rank score of one sample: weighted centred mean rank of `up` minus that of `down`.

    `expression` is indexed by miRNA over the whole universe; signature miRNAs absent from it (or NaN) are
    ignored. Undetected miRNAs (0) all share the lowest rank, 1: were they tied at their average rank, that rank
    would grow with the number of undetected miRNAs, i.e. with a library's depth, and an undetected up miRNA
    would score higher in a shallow library. Detected miRNAs are ranked by abundance (ties averaged), so the most
    abundant has rank n whatever the depth. `up`/`down`: miRNA names, or weights indexed by miRNA. With only one
    non-empty set, that set alone is scored (negated for down). Each set's part is clipped to [-0.5, 0.5] (several
    undetected miRNAs together sit just below their smallest possible distinct ranks).
    Returns a RankScore: a float in [-1, 1] (NaN when no miRNA was found) with .n_up and .n_down."""
    expression = expression.dropna()
    ranks = expression.rank(method="average").where(expression > 0, 1.0)
    up_names = list(up.index) if isinstance(up, pd.Series) else up
    down_names = list(down.index) if isinstance(down, pd.Series) else down
    up_found, down_found = _found(up_names, ranks.index), _found(down_names, ranks.index)
    parts = []
    if up_found:
        parts.append(_centred_mean_rank(ranks, _weights(up, up_found)))
    if down_found:
        parts.append(-_centred_mean_rank(ranks, _weights(down, down_found)))
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


def log2_tmm_cpm(counts: pd.DataFrame) -> pd.DataFrame:
    """log2(TMM-CPM + 1) of a miRNAs × libraries count table, TMM factors over all its libraries."""
    return np.log2(tmm_cpm(counts) + 1)


def _normalised_biofluid(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.lower().replace("", OTHER_BIOFLUID)


def baseline_biofluids(
    libraries: pd.Index, library_table: str | os.PathLike | None, reference_biofluids: Sequence[str]
) -> dict[str, list[str]]:
    """{biofluid: baseline libraries of it}: from the library table's `biofluid` column, or, without one,
    every library for each of `reference_biofluids` (the biofluids such a baseline is declared to stand for)."""
    if not library_table:
        return {_normalised_biofluid(pd.Series([biofluid]))[0]: list(libraries) for biofluid in reference_biofluids}
    table = pd.read_csv(library_table, sep="\t", dtype=str, keep_default_na=False)
    missing = [column for column in ("library", "biofluid") if column not in table.columns]
    if missing:
        raise ValueError(f"{library_table}: missing column(s) {', '.join(missing)}")
    table = table[table["library"].isin(libraries)]
    return {
        biofluid: list(group["library"])
        for biofluid, group in table.groupby(_normalised_biofluid(table["biofluid"]), sort=True)
    }


def healthy_references(
    samples: pd.DataFrame,
    baseline_columns: pd.Index,
    baseline_biofluids: Mapping[str, Sequence[str]] | None,
    min_cohort_healthy: int,
) -> dict[str, tuple[str, list[str]]]:
    """{sample: (method name, its healthy reference libraries)} for the samples that have one.

    `samples`: condition and biofluid per sample. The reference of a sample is the cohort's healthy samples of
    its biofluid when there are at least `min_cohort_healthy` of them ('zscore_cohort_healthy'), else the
    baseline libraries of its biofluid ('zscore_reference_baseline'; `baseline_biofluids`: {biofluid: its
    libraries}, None: every library stands for every biofluid). A sample is never part of its own reference
    (leave-one-out: a healthy sample of the cohort, or a cohort sample that is also a baseline library)."""
    healthy = samples["condition"].astype(str).str.strip().str.lower() == HEALTHY
    biofluid = _normalised_biofluid(samples["biofluid"])
    references = {}
    for sample in samples.index:
        own = biofluid.index[healthy & (biofluid == biofluid[sample])]
        if len(own) >= min_cohort_healthy:
            references[sample] = ("zscore_cohort_healthy", [other for other in own if other != sample])
            continue
        if baseline_biofluids is None:
            libraries = list(baseline_columns)
        else:
            libraries = [
                library for library in baseline_biofluids.get(biofluid[sample], []) if library in baseline_columns
            ]
        libraries = [library for library in libraries if library != sample]
        if libraries:
            references[sample] = ("zscore_reference_baseline", libraries)
    return references


def zscore_score(z: pd.Series, up: pd.Series, down: pd.Series) -> tuple[float, int, int]:
    """Weighted mean z of the up miRNAs minus that of the down miRNAs found in `z` (NaN if none is found);
    `up`/`down`: weights indexed by miRNA."""
    up_found, down_found = _found(up.index, z.index), _found(down.index, z.index)
    parts = [np.average(z[up_found], weights=up[up_found])] if up_found else []
    parts += [-np.average(z[down_found], weights=down[down_found])] if down_found else []
    return (sum(parts) if parts else np.nan), len(up_found), len(down_found)


def sample_zscores(
    counts: pd.DataFrame, baseline: pd.DataFrame | None, references: Mapping[str, tuple[str, list[str]]]
) -> dict[str, pd.Series]:
    """{sample: z per miRNA} against each sample's healthy reference, on log2(TMM-CPM + 1).

    `counts`: samples × miRNAs; `baseline`: miRNAs × libraries. TMM factors are computed once over the cohort
    and the baseline libraries together, over the union of their miRNAs (a miRNA one table lacks was counted
    zero times in it)."""
    if not references:
        return {}
    tables = [counts.T] + ([baseline] if baseline is not None else [])
    universe = pd.Index(sorted(set().union(*(table.index for table in tables))))
    joint = pd.concat([table.reindex(universe).fillna(0) for table in tables], axis=1)
    joint = joint.loc[:, ~joint.columns.duplicated()]  # a cohort sample that is also a baseline library
    values = log2_tmm_cpm(joint)
    zscores = {}
    for sample, (_, libraries) in references.items():
        reference = values[libraries]
        sd = reference.std(axis=1, ddof=1).fillna(SD_FLOOR).clip(lower=SD_FLOOR)
        zscores[sample] = (values[sample] - reference.mean(axis=1)) / sd
    return zscores


def score_signatures(
    adata: anndata.AnnData,
    signatures: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
    min_cohort_healthy: int = 3,
    baseline_biofluids: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Score every signature per sample; long table with SCORE_COLUMNS.

    Methods: single-sample ranks over the table's whole miRNA universe by CPM (undetected miRNAs tied at the
    bottom); scanpy cohort scores; and, for the samples with a healthy reference of their biofluid (see
    healthy_references), z-scores against it. `n_flagged` counts the found miRNAs flagged pan_cancer or
    blood_cell, so tissue calls can discount those signatures.

    Precursor-level counts (exomir.counts.features): each signature miRNA is scored through its precursor(s),
    and the baseline is summed per precursor; two miRNAs of one precursor in a signature count once, with
    the direction and weight of the first."""
    features = FeatureLookup.of(adata)
    signatures = features.by_feature(signatures, column="mirna").drop_duplicates(["signature", "mirna"])
    if baseline is not None:
        baseline = features.summed_by_feature(baseline)
    counts = layer_table(adata, "counts")
    cpm = layer_table(adata, "cpm")
    log_cpm = cohort_log_cpm(adata)
    samples = pd.DataFrame(
        {
            column: adata.obs[column] if column in adata.obs else pd.Series("", index=adata.obs_names)
            for column in ("condition", "biofluid")
        }
    )
    columns = baseline.columns if baseline is not None else pd.Index([])
    references = healthy_references(samples, columns, baseline_biofluids, min_cohort_healthy)
    zscores = sample_zscores(counts, baseline, references)
    rows = []
    for name, signature in signatures.groupby("signature", sort=False):
        up = signature.loc[signature["direction"] == "up"].set_index("mirna")["weight"]
        down = signature.loc[signature["direction"] == "down"].set_index("mirna")["weight"]
        flagged = set(signature.loc[signature["flag"] != "", "mirna"])

        for sample in adata.obs_names:
            score = single_sample_rank_score(cpm.loc[sample], up, down)
            n_flagged = len(flagged.intersection(cpm.columns))
            rows.append((sample, name, "rank_single_sample", float(score), score.n_up, score.n_down, n_flagged))

        cohort, n_up, n_down = scanpy_cohort_score(log_cpm, list(up.index), list(down.index))
        n_flagged = len(flagged.intersection(log_cpm.var_names))
        rows += [(sample, name, "scanpy_cohort", cohort[sample], n_up, n_down, n_flagged) for sample in adata.obs_names]

        for sample, z in zscores.items():
            score, n_up, n_down = zscore_score(z, up, down)
            n_flagged = len(flagged.intersection(z.index))
            rows.append((sample, name, references[sample][0], score, n_up, n_down, n_flagged))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
