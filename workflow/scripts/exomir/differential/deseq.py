"""DESeq2 (pydeseq2) on the raw counts of one contrast: filtering, the Wald test of case against
control, Benjamini-Hochberg adjusted p-values; log2 fold changes are the maximum-likelihood estimates
(not shrunk)."""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from exomir.common.normalise import expressed
from exomir.differential.design import BATCH, CASE, CONTROL, GROUP, Design

RESULT_COLUMNS = ["baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"]


@dataclass(frozen=True)
class Filtered:
    """The counts kept for testing, how many features were left out, and how many fractional counts
    were rounded to whole reads."""

    counts: pd.DataFrame
    dropped: int
    rounded: int


def filter_counts(counts: pd.DataFrame, groups: pd.Series, min_count: float) -> Filtered:
    """The samples of `groups` (samples × features, whole reads): a feature is kept when at least as many
    samples as the smaller group have `min_count` reads or more (DESeq2 tests each feature, and those
    seen in too few samples cannot reach significance but cost multiple-testing power)."""
    counts = counts.loc[groups.index]
    whole = counts.round()
    rounded = int((whole != counts).to_numpy().sum())
    smaller = int(groups.value_counts().min())
    kept = expressed(whole, min_count, smaller, axis=1)
    return Filtered(whole.loc[:, kept].astype(np.int64), int((~kept).sum()), rounded)


def metadata_of(groups: pd.Series, batches: pd.Series, design: Design) -> pd.DataFrame:
    """The sample table pydeseq2 reads: condition (case/control) and, when used, the batch, as text."""
    metadata = pd.DataFrame({GROUP: pd.Categorical(groups, categories=[CONTROL, CASE])}, index=groups.index)
    if design.uses_batch:
        metadata[BATCH] = "b" + batches.reindex(groups.index).astype(str)
    return metadata


def wald_test(
    counts: pd.DataFrame, groups: pd.Series, batches: pd.Series, design: Design, alpha: float, threads: int = 1
) -> pd.DataFrame:
    """DESeq2 of case against control on `counts` (samples × features, whole reads): one row per
    feature with baseMean, log2FoldChange (case over control), lfcSE, stat, pvalue and padj
    (Benjamini-Hochberg over the features that pass DESeq2's independent filtering and Cook's-distance
    outlier check; the others have padj NaN), sorted by padj, then p-value."""
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.default_inference import DefaultInference
    from pydeseq2.ds import DeseqStats

    inference = DefaultInference(n_cpus=threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        dataset = DeseqDataSet(
            counts=counts,
            metadata=metadata_of(groups, batches, design),
            design=design.formula,
            # Small-RNA libraries have many zeros: size factors from the positive counts (DESeq2's poscounts).
            size_factors_fit_type="poscounts",
            refit_cooks=True,
            inference=inference,
            quiet=True,
        )
        dataset.deseq2()
        stats = DeseqStats(dataset, contrast=[GROUP, CASE, CONTROL], alpha=alpha, inference=inference, quiet=True)
        stats.summary()
    table = stats.results_df[RESULT_COLUMNS].copy()
    table.index.name = "mirna"
    return sort_results(table)


def sort_results(table: pd.DataFrame) -> pd.DataFrame:
    """By padj (missing last), then p-value, then the larger absolute log2 fold change."""
    order = pd.DataFrame(
        {"padj": table["padj"], "pvalue": table["pvalue"], "effect": -table["log2FoldChange"].abs()},
        index=table.index,
    )
    return table.loc[order.sort_values(["padj", "pvalue", "effect"], na_position="last").index]


def log_cpm_z(counts: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """z-scored log2(CPM + 1) of `features` (features × samples), CPM over each sample's total."""
    totals = counts.sum(axis=1).replace(0, np.nan)
    log_cpm = np.log2(counts[features].div(totals, axis=0) * 1e6 + 1).T
    spread = log_cpm.std(axis=1, ddof=1).replace(0, np.nan)
    return log_cpm.sub(log_cpm.mean(axis=1), axis=0).div(spread, axis=0).fillna(0.0)
