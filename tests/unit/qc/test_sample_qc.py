"""Sample QC: read metrics, hemolysis and blood-cell indices, outliers, and the verdict's reasons."""

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.counts.features import FeatureLookup
from exomir.devtools.runs import REPO
from exomir.qc.sample_qc import READ_METRICS, cohort_outliers, marker_metrics, modified_z, read_metrics, sample_qc

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["qc"]

THRESHOLDS = {key: value for key, value in CONFIG.items() if key != "markers"} | {"kit_min_fraction": 0.3}

MARKERS = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")


def biotype_stats(reads=200_000, mirna=150_000, unassigned=10_000, genome=0, spike_in=0):
    other = reads - mirna - unassigned - genome - spike_in
    return {
        "reads": reads,
        "biotype_reads": {
            "spike_in": spike_in,
            "miRNA": mirna,
            "tRNA": other,
            "genome": genome,
            "unassigned": unassigned,
        },
    }


def collapse_stats(input_reads=250_000, trimmed=210_000, too_short=10_000):
    return {"input_reads": input_reads, "trimmed_reads": trimmed, "too_short": too_short}


def cohort_counts(n_samples=6, seed=0):
    """Plasma-like counts: 300 miRNAs plus the marker miRNAs, miR-451a about 16x miR-23a-3p (ratio 4)."""
    rng = np.random.default_rng(seed)
    mirnas = [f"hsa-miR-x{i}" for i in range(300)] + list(MARKERS["mirna"])
    means = pd.Series(rng.lognormal(3, 1.5, len(mirnas)), index=mirnas)
    means["hsa-miR-23a-3p"] = 200
    means["hsa-miR-451a"] = 3200
    return pd.DataFrame(
        rng.poisson(np.tile(means.to_numpy(), (n_samples, 1))),
        columns=mirnas,
        index=[f"s{i}" for i in range(n_samples)],
    )


def kit_decision(kit="truseq", kit_support=0.97, warnings=()):
    return {"kit": kit, "kit_support": kit_support, "warnings": list(warnings)}


def run_qc(counts, biofluids, stats=None, genome_configured=False, batch=None, thresholds=THRESHOLDS, kits=None):
    samples = pd.DataFrame({"biofluid": biofluids}, index=counts.index)
    if batch is not None:
        samples["batch"] = batch
    reads = pd.DataFrame(
        {
            sample: read_metrics(
                collapse_stats(), (stats or {}).get(sample, biotype_stats()), (kits or {}).get(sample, kit_decision())
            )
            for sample in counts.index
        }
    ).T
    return sample_qc(samples, counts, reads, MARKERS, thresholds, genome_configured)


def test_read_metrics_follow_the_biotype_funnel():
    metrics = read_metrics(collapse_stats(), biotype_stats(genome=40_000, spike_in=2_000), kit_decision())
    assert metrics["transcriptome_reads"] == 200_000 - 40_000 - 10_000 - 2_000
    assert metrics["transcriptome_genome_ratio"] == pytest.approx(148_000 / 188_000)
    assert metrics["unexplained_share"] == pytest.approx(10_000 / 198_000)
    assert metrics["short_insert_share"] == pytest.approx(10_000 / 210_000)
    assert metrics["input_reads"] == 250_000 and metrics["mirna_reads"] == 150_000


def test_hemolysis_ratio_and_indices_by_hand():
    counts = pd.DataFrame(
        {
            "hsa-miR-451a": [127.0],
            "hsa-miR-23a-3p": [0.0],
            "hsa-miR-486-5p": [373.0],
            "hsa-miR-150-5p": [100.0],
            "hsa-miR-223-3p": [400.0],
        },
        index=["s"],
    )
    metrics = marker_metrics(counts, MARKERS).loc["s"]
    # 1,000 reads: CPM 127,000 for miR-451a and 0 for miR-23a-3p
    assert metrics["hemolysis_ratio"] == pytest.approx(np.log2(127_001))
    assert metrics["rbc_index"] == pytest.approx(50.0)  # percent of miRNA reads
    assert metrics["lymphoid_index"] == pytest.approx(10.0)
    assert metrics["myeloid_platelet_index"] == pytest.approx(40.0)
    assert metrics["mirnas_10_reads"] == 4


def test_modified_z_flags_only_the_outlier():
    values = pd.Series([4.0, 4.2, 3.9, 4.1, 4.0, 9.0])
    scores = modified_z(values)
    assert scores.iloc[-1] > 3.5 and (scores.iloc[:-1].abs() < 3.5).all()
    assert (modified_z(pd.Series([2.0, 2.0, 2.0])) == 0).all()


def test_outliers_are_judged_within_batches_large_enough():
    metrics = pd.DataFrame(
        {
            metric: [1.0, 1.1, 0.9, 1.0, 8.0, 5.0, 5.0]
            for metric in ["hemolysis_ratio", "rbc_index", "myeloid_platelet_index", "lymphoid_index"]
        },
        index=list("abcdefg"),
    )
    batches = pd.Series(["b1"] * 5 + ["b2"] * 2, index=metrics.index)
    scores = cohort_outliers(metrics, batches, 3.5, 5)
    assert scores.loc["e", "hemolysis_ratio"] > 3.5
    assert scores.loc[["f", "g"]].isna().all().all()  # batch b2 too small to judge
    assert cohort_outliers(metrics.iloc[:3], None, 3.5, 5).isna().all().all()


def test_clean_deep_plasma_passes():
    counts = cohort_counts()
    table = run_qc(counts, ["plasma"] * 6)
    assert (table["verdict"] == "pass").all(), table["reasons"].tolist()
    assert (table["reasons"] == "").all()
    assert (table["hemolysis_class"] == "clean").all()
    assert table["hemolysis_ratio"].between(3.5, 4.5).all()
    assert table["transcriptome_genome_ratio"].isna().all()  # no genome configured


def test_hemolysed_sample_warns_as_hemolysed_and_cohort_outlier():
    counts = cohort_counts()
    counts.loc["s5", "hsa-miR-451a"] *= 30  # red-cell miRNAs 20-30x up with hemolysis (Pritchard 2012)
    table = run_qc(counts, ["plasma"] * 6)
    assert table.loc["s5", "hemolysis_class"] == "hemolysed"
    assert table.loc["s5", "verdict"] == "warn"
    assert "hemolysis ratio" in table.loc["s5", "reasons"] and "Shah 2016" in table.loc["s5", "reasons"]
    assert "hemolysis_ratio" in table.loc["s5", "reasons"] and "cohort outlier" in table.loc["s5", "reasons"]
    assert (table.drop("s5")["verdict"] == "pass").all()


def test_ercc_criteria_complexity_and_biofluid_checks():
    counts = cohort_counts(n_samples=4)
    counts.loc["s1"] = (counts.loc["s1"] > 10000).astype(int) * 20  # only a few miRNAs reach 10 reads
    stats = {
        "s0": biotype_stats(reads=50_000, mirna=40_000, unassigned=1_000),
        "s1": biotype_stats(genome=150_000, mirna=40_000, unassigned=1_000),
        "s2": biotype_stats(unassigned=192_000, mirna=5_000),
        "s3": biotype_stats(mirna=5_000, unassigned=1_000),
    }
    table = run_qc(counts, ["serum", "plasma", "saliva", "urine"], stats, genome_configured=True)
    assert table.loc["s0", "verdict"] == "warn"
    assert "transcriptome reads 49,000 < 100,000 (ERCC exRNA criterion)" in table.loc["s0", "reasons"]
    assert table.loc["s1", "verdict"] == "fail"
    assert "transcriptome/genome ratio 0.25 < 0.50" in table.loc["s1", "reasons"]
    assert "miRNAs with >= 10 reads" in table.loc["s1", "reasons"]
    assert table.loc["s2", "verdict"] == "fail"
    assert "saliva; bacterial load" in table.loc["s2", "reasons"]
    assert table.loc["s3", "verdict"] == "warn"
    assert "low input (urine): 5,000 miRNA reads < 10,000" in table.loc["s3", "reasons"]
    # the same unexplained share in plasma is no finding
    assert "saliva" not in run_qc(counts.loc[["s2"]], ["plasma"], {"s2": stats["s2"]})["reasons"].iloc[0]


def test_a_kit_the_reads_contradict_warns_and_one_that_fits_few_reads_fails():
    counts = cohort_counts(n_samples=3)
    contradicted = "declared kit truseq fits 60.0% of the reads, but nextflex_v4 fits 62.0%"
    wrong = "declared kit truseq fits 0.0% of the reads, but nebnext fits 99.4%"
    kits = {
        counts.index[1]: kit_decision(kit_support=0.6, warnings=[contradicted]),
        counts.index[2]: kit_decision(kit_support=0.0, warnings=[wrong]),
    }
    table = run_qc(counts, ["plasma"] * 3, kits=kits, stats={sample: biotype_stats() for sample in counts.index})
    assert "library kit" not in table.iloc[0]["reasons"]
    assert table.iloc[1]["verdict"] == "warn" and f"library kit truseq: {contradicted}" in table.iloc[1]["reasons"]
    assert table.iloc[2]["verdict"] == "fail" and f"library kit truseq: {wrong}" in table.iloc[2]["reasons"]
    assert table["kit_support"].tolist() == [0.97, 0.6, 0.0]


def test_read_metrics_names_the_columns_a_count_table_leaves_empty():
    assert list(read_metrics(collapse_stats(), biotype_stats(), kit_decision())) == READ_METRICS


def test_counts_from_a_table_are_judged_by_the_checks_that_need_no_reads():
    counts = cohort_counts(n_samples=6)
    counts.loc["s1"] = (counts.loc["s1"] > 10000).astype(int) * 20  # few miRNAs reach 10 reads: fails
    counts.loc["s2", "hsa-miR-451a"] *= 30  # hemolysed: warns
    counts.loc["s3"] = (counts.loc["s3"] / 3).round()  # about 7,500 miRNA reads: low input in urine
    biofluids = ["plasma", "plasma", "serum", "urine", "saliva", "plasma"]
    samples = pd.DataFrame({"biofluid": biofluids}, index=counts.index)
    table = sample_qc(samples, counts, None, MARKERS, THRESHOLDS, genome_configured=False)
    assert table.loc["s1", "verdict"] == "fail" and "miRNAs with >= 10 reads" in table.loc["s1", "reasons"]
    assert table.loc["s2", "verdict"] == "warn" and "hemolysis ratio" in table.loc["s2", "reasons"]
    assert table.loc["s3", "verdict"] == "warn" and "low input (urine)" in table.loc["s3", "reasons"]
    assert "short inserts" not in table.loc["s3", "reasons"]
    # about 22,000 reads, far below the ERCC transcriptome reads, pass: that criterion needs reads
    assert table.loc[["s0", "s4", "s5"], "verdict"].eq("pass").all()
    assert table["mirna_reads"].tolist() == counts.sum(axis=1).tolist()
    assert table[["input_reads", "transcriptome_reads", "kit_support"]].isna().all().all()
    assert table.loc["s0", "not_checked"] == (
        "no reads (counts from a table): transcriptome reads (ERCC exRNA criterion), library kit"
    )
    assert table.loc["s3", "not_checked"].endswith("library kit, share of short inserts (urine)")
    assert "saliva" in table.loc["s4", "not_checked"]


def test_markers_of_precursor_counts_are_found_through_their_precursors():
    counts = pd.DataFrame(
        {"hsa-mir-451a": [127.0], "hsa-mir-23a": [0.0], "hsa-mir-16-1": [60.0], "hsa-mir-16-2": [40.0]}, index=["s"]
    )
    counts["other"] = 1000.0 - counts.sum(axis=1)
    pairs = pd.DataFrame(
        {
            "mirna": ["hsa-miR-451a", "hsa-miR-23a-3p", "hsa-miR-23a-5p", "hsa-miR-16-5p", "hsa-miR-16-5p"],
            "precursor": ["hsa-mir-451a", "hsa-mir-23a", "hsa-mir-23a", "hsa-mir-16-1", "hsa-mir-16-2"],
        }
    )
    metrics = marker_metrics(counts, MARKERS, FeatureLookup.from_pairs("precursor", pairs)).loc["s"]
    assert metrics["hemolysis_ratio"] == pytest.approx(np.log2(127_001))
    assert metrics["rbc_index"] == pytest.approx(22.7)  # miR-451a and both miR-16 precursors: 227 of 1,000
