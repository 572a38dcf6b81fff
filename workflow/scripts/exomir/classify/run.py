"""What the classify rules do, from files to files: train one model (its nested-CV figures, model
file, card, figures) and apply models to a run's samples."""

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomir import __version__
from exomir.classify.apply import APPLIED_COLUMNS, apply_model
from exomir.classify.artefact import load_model, model_card, save_model
from exomir.classify.evaluate import reliability
from exomir.classify.features import group_counts
from exomir.classify.train import Training, model_spec, train
from exomir.common.atomic import write_json

METRICS_MQC_HEADER = [
    "# id: 'exomir_classify_metrics'",
    "# section_name: 'exomir: classifiers (nested CV; research use only)'",
    "# description: 'Nested cross-validation of each trained classifier: AUC with its 95 % bootstrap interval,"
    " sensitivity at 95 % specificity, Brier score, label-permutation p-value and batch_only_auc (the label"
    " predicted from the batch alone: high values warn of a batch confound).'",
    "# plot_type: 'table'",
]
APPLIED_MQC_HEADER = [
    "# id: 'exomir_classify_applied'",
    "# section_name: 'exomir: classifier calls (research use only)'",
    "# description: 'Each model applied to each sample: probability (of the positive class, or of the called"
    " class), the call, or not_called with its reason (low feature coverage, outside the training distribution).'",
    "# plot_type: 'table'",
]


def read_cohort_counts(path: str | os.PathLike) -> pd.DataFrame:
    """A features × samples count table: the workflow's mirna_counts.tsv, or a samples × features CSV of a
    public cohort (GSE71008's precursor_counts.csv), told apart by which axis holds miRNA names."""
    sep = "," if str(path).endswith((".csv", ".csv.gz")) else "\t"
    table = pd.read_csv(path, sep=sep, index_col=0)
    columns_are_mirnas = np.mean([str(name).lower().startswith(("hsa-", "mmu-")) for name in table.columns]) > 0.5
    return table.T if columns_are_mirnas else table


def _figures(training: Training, stem_roc: Sequence[str], stem_reliability: Sequence[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    evaluation, y = training.evaluation, training.labels
    names = list(training.spec.classes)
    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    probabilities = evaluation.probabilities
    columns = [1] if len(names) == 2 else range(len(names))
    for k in columns:
        fpr, tpr, _ = roc_curve(y == k, probabilities[:, k])
        axis.plot(fpr, tpr, label=names[k] if len(names) > 2 else "nested CV")
    if evaluation.lobo_probabilities is not None and len(names) == 2:
        fpr, tpr, _ = roc_curve(y == 1, evaluation.lobo_probabilities[:, 1])
        axis.plot(fpr, tpr, linestyle="--", label="leave one batch out")
    axis.plot([0, 1], [0, 1], color="grey", linewidth=0.5)
    axis.axvline(0.05, color="grey", linestyle=":", linewidth=0.5)
    axis.set(xlabel="1 − specificity", ylabel="sensitivity", title=f"{training.spec.name}: ROC (out of fold)")
    axis.legend(fontsize=7, loc="lower right")
    for path in stem_roc:
        figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)
    table = reliability(y, probabilities)
    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    axis.plot([0, 1], [0, 1], color="grey", linewidth=0.5)
    axis.plot(table["predicted"], table["observed"], marker="o")
    for _, row in table.iterrows():
        axis.annotate(str(int(row["n"])), (row["predicted"], row["observed"]), fontsize=6)
    axis.set(xlabel="predicted probability", ylabel="observed frequency", title=f"{training.spec.name}: reliability")
    for path in stem_reliability:
        figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)


def train_to_files(
    name: str,
    entry: Mapping[str, Any],
    counts: pd.DataFrame,
    group_table: pd.DataFrame,
    conditions: pd.Series,
    batches: pd.Series | None,
    config: Mapping[str, Any],
    references: Mapping[str, Any],
    cohort: str,
    outputs: Mapping[str, Any],
    threads: int = 1,
    log: Any = print,
) -> Training:
    """Train model `name` on `counts` (features × samples) and write outputs: model, card, metrics,
    predictions, roc (paths), reliability (paths)."""
    grouped = group_counts(counts, group_table)
    conditions = conditions.reindex(grouped.index)
    spec = model_spec(name, entry, list(conditions.dropna()), config["min_class_size"])
    training = train(spec, grouped, conditions, batches, config, threads=threads, log=log)
    metrics = training.evaluation.metrics
    metrics.to_csv(outputs["metrics"], sep="\t", index=False, float_format="%.4g", na_rep="")
    predictions = pd.DataFrame(training.evaluation.probabilities, columns=[f"p_{k}" for k in spec.classes])
    predictions.insert(0, "class", [list(spec.classes)[k] for k in training.labels])
    predictions.insert(0, "sample", training.samples)
    if batches is not None:
        predictions.insert(2, "batch", batches.reindex(training.samples).to_numpy())
    predictions.to_csv(outputs["predictions"], sep="\t", index=False, float_format="%.4g")
    save_model(training.artefact, outputs["model"])
    sizes = {label: int((training.labels == k).sum()) for k, label in enumerate(spec.classes)}
    card = model_card(
        training.artefact,
        metrics,
        {
            "cohort": cohort,
            "samples": len(training.samples),
            "class_sizes": sizes,
            "batches": None if batches is None else int(batches.reindex(training.samples).nunique()),
            "cv": {
                "outer_folds": config["outer_folds"],
                "inner_folds": config["inner_folds"],
                "grouped_by_batch": batches is not None,
                "permutations": config["permutations"],
                "permutation_search": config["permutation_search"],
                "bootstrap": config["bootstrap"],
                "grid": {"C": config["c_values"], "select_k": config["select_k"]},
                "normalisation": config["normalisation"],
                "n_features": config["n_features"],
                "l1_ratio": config["l1_ratio"],
                "seed": config["seed"],
                "inner_choices": training.evaluation.chosen,
            },
        },
        __version__,
        references,
    )
    write_json(card, outputs["card"])
    _figures(training, outputs["roc"], outputs["reliability"])
    return training


def metrics_report(metrics: Mapping[str, str | os.PathLike], path: str | os.PathLike) -> None:
    """The report table of every trained model's nested-CV figures."""
    rows = []
    for name, file in metrics.items():
        table = pd.read_csv(file, sep="\t").set_index("metric")
        row = {"model": name}
        for metric in (
            "auc",
            "sensitivity_at_95_specificity",
            "brier",
            "permutation_p",
            "batch_only_auc",
            "leave_one_batch_out_auc",
        ):
            if metric in table.index:
                row[metric] = table.loc[metric, "value"]
        if "auc" in table.index:
            row["auc_95ci"] = f"{table.loc['auc', 'ci_low']:.3f}–{table.loc['auc', 'ci_high']:.3f}"
        rows.append(row)
    frame = pd.DataFrame(rows)
    text = frame.to_csv(sep="\t", index=False, float_format="%.3f") if rows else "model\n"
    Path(path).write_text("\n".join(METRICS_MQC_HEADER) + "\n" + text)


def apply_to_files(
    models: Sequence[str | os.PathLike],
    counts: pd.DataFrame,
    group_table: pd.DataFrame,
    min_coverage: float,
    residual_factor: float,
    applied: str | os.PathLike,
    report: str | os.PathLike,
    log: Any = print,
) -> pd.DataFrame:
    """Score `counts` (features × samples) with every model file; write applied.tsv and its report table."""
    grouped = group_counts(counts, group_table)
    tables = []
    for path in models:
        artefact = load_model(path)
        name = str(artefact.get("name") or Path(path).parent.name)
        table = apply_model(artefact, grouped, name, min_coverage, residual_factor)
        log(f"{path}: {name}, {int((table['call'] != 'not_called').sum())} of {len(table)} samples called")
        tables.append(table)
    result = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=APPLIED_COLUMNS)
    result.to_csv(applied, sep="\t", index=False, float_format="%.4g")
    mqc = result.assign(sample=result["sample"] + " · " + result["model"])[["sample", "probability", "call", "reason"]]
    Path(report).write_text(
        "\n".join(APPLIED_MQC_HEADER) + "\n" + mqc.to_csv(sep="\t", index=False, float_format="%.3f")
    )
    return result
