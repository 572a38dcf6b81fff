"""DESeq2 through pydeseq2 on simulated negative-binomial counts with known fold changes, with and
without a batch effect, and on GSE71008 plasma-EV precursor counts (prostate cancer against healthy)."""

import numpy as np
import pandas as pd
import pytest

from exomir.devtools.runs import SHARED_DATA
from exomir.differential.deseq import filter_counts, log_cpm_z, sort_results, wald_test
from exomir.differential.design import CASE, CONTROL, Design, choose_design

FEATURES, CHANGED, FOLD, PER_GROUP = 200, 10, 4.0, 8
GSE71008 = SHARED_DATA / "cohorts" / "GSE71008"


def simulate(batch_effect: bool, seed: int = 8):
    """Two groups of eight in two batches (four of each group per batch); features 0-9 up 4-fold in the
    case group, 10-19 down 4-fold; with `batch_effect`, every feature's mean in batch 2 multiplied by a
    random fold (log2 sd 2). Negative-binomial counts, dispersion 0.1 (variance mean + 0.1 mean²)."""
    rng = np.random.default_rng(seed)
    names = [f"mir-{index:03d}" for index in range(FEATURES)]
    samples = [f"S{index:02d}" for index in range(2 * PER_GROUP)]
    groups = pd.Series([CASE] * PER_GROUP + [CONTROL] * PER_GROUP, index=samples)
    batches = pd.Series((["1"] * 4 + ["2"] * 4) * 2, index=samples)
    base = np.exp(rng.normal(5.5, 1.2, FEATURES))
    fold = np.ones(FEATURES)
    fold[:CHANGED], fold[CHANGED : 2 * CHANGED] = FOLD, 1 / FOLD
    batch_fold = 2 ** rng.normal(0, 2.0, FEATURES) if batch_effect else np.ones(FEATURES)
    library = rng.uniform(0.6, 1.6, len(samples))
    mean = np.outer(library, base)
    mean[(groups == CASE).to_numpy()] *= fold
    mean[(batches == "2").to_numpy()] *= batch_fold
    dispersion = 0.1
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + mean * dispersion))
    up, down = set(names[:CHANGED]), set(names[CHANGED : 2 * CHANGED])
    return pd.DataFrame(counts, index=samples, columns=names), groups, batches, up, down


def called(table, alpha=0.05):
    return set(table.index[table["padj"] < alpha])


@pytest.fixture(scope="module")
def batch_runs():
    counts, groups, batches, up, down = simulate(batch_effect=True)
    kept = filter_counts(counts, groups, 10).counts
    design = choose_design(groups, batches)
    return {
        "batch": wald_test(kept, groups, batches, design, 0.05),
        "condition": wald_test(kept, groups, batches, Design("~ condition"), 0.05),
        "design": design,
        "truth": (up, down),
    }


def test_known_changes_are_found_with_estimates_near_two():
    counts, groups, batches, up, down = simulate(batch_effect=False)
    design = choose_design(groups, pd.Series("", index=groups.index))
    assert design.formula == "~ condition" and not design.warning
    table = wald_test(filter_counts(counts, groups, 10).counts, groups, batches, design, 0.05)
    hits, truth = called(table), up | down
    recovered, false = len(hits & truth) / len(truth), len(hits - truth) / max(len(hits), 1)
    print(f"no batch effect: recovered {recovered:.0%}, false discoveries {false:.0%} of {len(hits)} calls")
    assert recovered >= 0.8 and false <= 0.1
    assert table.loc[sorted(up), "log2FoldChange"].median() == pytest.approx(2, abs=0.3)
    assert table.loc[sorted(down), "log2FoldChange"].median() == pytest.approx(-2, abs=0.3)
    assert table["log2FoldChange"].drop(sorted(truth)).abs().median() < 0.3
    assert list(table.columns) == ["baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"]
    assert table["padj"].dropna().is_monotonic_increasing


def test_with_a_batch_effect_the_batch_design_beats_the_condition_design(batch_runs):
    up, down = batch_runs["truth"]
    truth = up | down
    assert batch_runs["design"].formula == "~ batch + condition"
    scores = {}
    for name in ("batch", "condition"):
        hits = called(batch_runs[name])
        scores[name] = (len(hits & truth) / len(truth), len(hits - truth) / max(len(hits), 1))
        print(f"batch effect, design {name}: recovered {scores[name][0]:.0%}, false discoveries {scores[name][1]:.0%}")
    assert scores["batch"][0] >= 0.8 and scores["batch"][1] <= 0.1
    assert scores["batch"][0] > scores["condition"][0]
    table = batch_runs["batch"]
    assert table.loc[sorted(up), "log2FoldChange"].median() == pytest.approx(2, abs=0.3)
    assert table.loc[sorted(down), "log2FoldChange"].median() == pytest.approx(-2, abs=0.3)
    # the batch design's p-values of the true changes are smaller
    assert (
        np.log10(batch_runs["batch"].loc[sorted(truth), "pvalue"]).median()
        < np.log10(batch_runs["condition"].loc[sorted(truth), "pvalue"]).median()
    )


def test_filtering_keeps_features_seen_in_as_many_samples_as_the_smaller_group():
    groups = pd.Series([CASE] * 3 + [CONTROL] * 2, index=list("abcde"))
    counts = pd.DataFrame(
        {"kept": [10, 10, 0, 0, 0], "dropped": [10, 0, 0, 0, 0], "fractional": [10.4, 12.6, 3, 3, 3]},
        index=list("abcde"),
    )
    filtered = filter_counts(counts, groups, 10)
    assert list(filtered.counts.columns) == ["kept", "fractional"] and filtered.dropped == 1
    assert filtered.rounded == 2 and list(filtered.counts["fractional"]) == [10, 13, 3, 3, 3]


def test_sorting_puts_missing_padj_last_and_log_cpm_is_z_scored():
    table = pd.DataFrame(
        {"log2FoldChange": [1.0, -3.0, 2.0], "pvalue": [0.5, 0.01, 0.01], "padj": [np.nan, 0.02, 0.02]},
        index=["x", "y", "z"],
    )
    assert list(sort_results(table).index) == ["y", "z", "x"]
    counts = pd.DataFrame({"a": [1, 10, 100], "b": [5, 5, 5]}, index=["s1", "s2", "s3"])
    z = log_cpm_z(counts, ["a"])
    assert z.shape == (1, 3) and z.loc["a"].mean() == pytest.approx(0) and z.loc["a"].std() == pytest.approx(1)


@pytest.mark.skipif(not GSE71008.exists(), reason="shared data not present")
def test_gse71008_mir_141_is_higher_in_prostate_cancer_than_in_healthy_plasma():
    """Mitchell PS et al., PNAS 2008;105:10513: circulating miR-141 is higher in prostate cancer."""
    counts = pd.read_csv(GSE71008 / "precursor_counts.csv", index_col=0)
    labels = pd.read_csv(GSE71008 / "labels.csv", index_col="sample_id")["label"]
    batches = pd.read_csv(GSE71008 / "batches.csv", index_col=0)["RNA Isolation batch"].astype(str)
    labels = labels[labels.isin(["Prostate Cancer", "Healthy Control"])]
    groups = labels.map({"Prostate Cancer": CASE, "Healthy Control": CONTROL})
    design = choose_design(groups, batches)
    # hsa-mir-141 has a median of 2 reads in both groups: min_count 10 would leave it out untested.
    filtered = filter_counts(counts, groups, 2)
    table = wald_test(filtered.counts, groups, batches, design, 0.05, threads=2)
    row = table.loc["hsa-mir-141"]
    print(
        f"GSE71008 prostate cancer ({(groups == CASE).sum()}) vs healthy ({(groups == CONTROL).sum()}), "
        f"design {design.formula} {design.warning}; {len(table)} precursors tested; hsa-mir-141: "
        f"baseMean {row['baseMean']:.1f}, log2FC {row['log2FoldChange']:.2f} (SE {row['lfcSE']:.2f}), "
        f"p {row['pvalue']:.2g}, padj {row['padj']:.2g}; rank {list(table.index).index('hsa-mir-141') + 1}; "
        f"{(table['padj'] < 0.05).sum()} at padj < 0.05"
    )
    assert design.formula == "~ batch + condition"  # eight isolation batches, each with both groups
    assert row["log2FoldChange"] > 0
    assert row["padj"] < 0.05  # found: log2FC 0.96 (SE 0.31), padj 0.008
