"""Train a classifier on a labelled cohort and apply it to a new batch, as docs/usage.md describes: GSE71008
plasma-EV precursor counts of another pipeline, colorectal cancers and healthy controls of four RNA-isolation
batches to train on, a fifth batch to apply the model to, each run from a count table and a sample sheet."""

import json

import pandas as pd
import pytest

from exomir import __version__
from exomir.devtools.runs import SHARED_DATA, run_snakemake, shared_references, write_config

GSE71008 = SHARED_DATA / "cohorts" / "GSE71008"
LABELS = {"Colorectal Cancer": "colorectal cancer", "Healthy Control": "healthy"}
# A small, fast nested CV; the defaults (config/README.md) are larger.
CLASSIFY = {
    "train": {"crc": {"positive": ["colorectal cancer"], "negative": ["healthy"]}},
    "c_values": [0.1, 1.0],
    "select_k": [30],
    "n_features": 100,
    "outer_folds": 4,
    "permutations": 9,
    "permutation_search": "fixed",
    "bootstrap": 200,
}


def cohort_files(workdir, batches, per_class=None):
    """The counts table and sample sheet of GSE71008's colorectal and healthy samples of `batches`."""
    counts = pd.read_csv(GSE71008 / "precursor_counts.csv", index_col=0)
    labels = pd.read_csv(GSE71008 / "labels.csv", index_col="sample_id")["label"]
    batch = pd.read_csv(GSE71008 / "batches.csv", index_col=0)["RNA Isolation batch"]
    chosen = labels[labels.isin(list(LABELS)) & batch.reindex(labels.index).isin(batches)]
    if per_class:
        chosen = chosen.groupby(chosen).head(per_class)
    sheet = pd.DataFrame(
        {
            "sample": chosen.index,
            "biofluid": "plasma",
            "condition": chosen.map(LABELS).to_numpy(),
            "batch": [f"isolation {batch[s]}" for s in chosen.index],
        }
    )
    workdir.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(workdir / "samples.tsv", sep="\t", index=False)
    counts.loc[chosen.index].T.to_csv(workdir / "counts.tsv", sep="\t", index_label="precursor")
    return sheet


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("classify")
    train_dir, apply_dir = base / "train", base / "apply"
    train_sheet = cohort_files(train_dir, [1, 2, 3, 4], per_class=20)
    config = write_config(train_dir, train_dir / "samples.tsv", **shared_references(), classify=CLASSIFY)
    run_snakemake(
        train_dir,
        "--configfile",
        config,
        "--config",
        f"counts_table={train_dir / 'counts.tsv'}",
        "--",
        "results/classify/crc/model_card.json",
        "results/classify/classifier_metrics_mqc.tsv",
    )
    apply_sheet = cohort_files(apply_dir, [5])
    model = train_dir / "results" / "classify" / "crc" / "model.skops"
    # this run's model, and a shipped one by its repository path
    shipped = "resources/models/colorectal_vs_healthy/model.skops"
    config = write_config(
        apply_dir, apply_dir / "samples.tsv", **shared_references(), classify={"apply": [str(model), shipped]}
    )
    run_snakemake(
        apply_dir,
        "--configfile",
        config,
        "--config",
        f"counts_table={apply_dir / 'counts.tsv'}",
        "--",
        "results/classify/applied.tsv",
    )
    return train_dir, train_sheet, apply_dir, apply_sheet


def test_training_reports_the_nested_cv_figures(runs):
    train_dir, sheet, _, _ = runs
    assert len(sheet) == 40 and sheet["batch"].nunique() == 4
    metrics = pd.read_csv(train_dir / "results" / "classify" / "crc" / "metrics.tsv", sep="\t", index_col="metric")
    assert list(metrics.columns) == ["value", "ci_low", "ci_high"]
    for row in ("auc", "sensitivity_at_95_specificity", "brier", "permutation_p", "batch_only_auc"):
        assert row in metrics.index, row
    auc = metrics.loc["auc"]
    assert 0.5 < auc["value"] <= 1 and auc["ci_low"] <= auc["value"] <= auc["ci_high"]
    assert 0 <= metrics.loc["sensitivity_at_95_specificity", "value"] <= 1
    assert 0 < metrics.loc["brier", "value"] < 0.3
    assert 0.1 <= metrics.loc["permutation_p", "value"] <= 1  # 9 permutations: 0.1 at least
    assert 0 <= metrics.loc["batch_only_auc", "value"] <= 0.8  # both classes in every batch
    assert 0 <= metrics.loc["leave_one_batch_out_auc", "value"] <= 1
    card = json.loads((train_dir / "results" / "classify" / "crc" / "model_card.json").read_text())
    assert card["exomir_version"] == __version__ and card["references"]["database"] == "miRBasev22"
    assert card["training"]["samples"] == 40 and card["training"]["class_sizes"] == {"negative": 20, "positive": 20}
    assert card["training"]["batches"] == 4 and card["cv_metrics"]["auc"]["value"] == pytest.approx(auc["value"])
    for figure in ("roc.png", "roc.svg", "reliability.png", "reliability.svg"):
        assert (train_dir / "results" / "classify" / "crc" / figure).stat().st_size > 1000
    assert "exomir_classify_metrics" in (train_dir / "results" / "classify" / "classifier_metrics_mqc.tsv").read_text()
    assert (train_dir / "results" / "classify" / "crc_roc_mqc.png").stat().st_size > 1000  # the report's ROC image


def test_the_model_scores_every_sample_of_a_new_batch(runs):
    _, _, apply_dir, sheet = runs
    applied = pd.read_csv(apply_dir / "results" / "classify" / "applied.tsv", sep="\t")
    assert list(applied.columns[:5]) == ["sample", "model", "probability", "call", "reason"]
    assert list(applied["model"].unique()) == ["crc", "colorectal_vs_healthy"]
    shipped = applied[applied["model"] == "colorectal_vs_healthy"]
    assert (
        list(shipped["sample"]) == list(sheet["sample"])
        and shipped["call"].isin(["positive", "negative", "not_called"]).all()
    )
    applied = applied[applied["model"] == "crc"]
    assert list(applied["sample"]) == list(sheet["sample"])
    called = applied[applied["call"] != "not_called"]
    assert len(called) >= len(applied) // 2
    assert called["probability"].between(0, 1).all() and called["call"].isin(["positive", "negative"]).all()
    assert applied.loc[applied["call"] == "not_called", "reason"].notna().all()
    # the calls carry signal on the new batch: cancers score higher than healthy controls on average
    truth = sheet.set_index("sample")["condition"]
    mean = called.groupby(called["sample"].map(truth))["probability"].mean()
    assert mean["colorectal cancer"] > mean["healthy"]


def test_a_condition_the_sheet_does_not_have_stops_the_run_before_any_job(runs, tmp_path):
    train_dir, _, _, _ = runs
    classify = {"train": {"bad": {"positive": ["colorectal cancr"], "negative": ["healthy"]}}}
    config = write_config(tmp_path, train_dir / "samples.tsv", **shared_references(), classify=classify)
    result = run_snakemake(
        tmp_path, "--configfile", config, "--config", f"counts_table={train_dir / 'counts.tsv'}", "-n", check=False
    )
    assert result.returncode != 0
    assert (
        "classify.train.bad (positive): condition 'colorectal cancr' is not in the sample sheet"
        in result.stderr + result.stdout
    )
