"""The shipped classifiers (resources/models/): their manifest is current, every model file loads as
skops and its card matches its metrics, and the final model refitted from GSE71008 with the card's
settings equals the committed one (coefficients and chosen grid point; zip bytes may differ)."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from exomir.classify.artefact import load_model
from exomir.classify.features import group_counts
from exomir.classify.run import read_cohort_counts
from exomir.classify.train import class_labels, final_model, model_spec
from exomir.devtools.models import manifest
from exomir.devtools.runs import REPO, SHARED_DATA

MODELS = REPO / "resources" / "models"
SOURCES = yaml.safe_load((REPO / "config" / "model-sources.yaml").read_text())["classify"]
SHIPPED = sorted(SOURCES["shipped"]["models"])
DEFAULTS = {
    key: value["default"]
    for key, value in yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())["properties"][
        "classify"
    ]["properties"].items()
    if "default" in value
}


def test_the_manifest_is_current():
    written = pd.read_csv(MODELS / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert written.equals(manifest(MODELS).astype(str))
    assert {f"{name}/model.skops" for name in SHIPPED} <= set(written["file"])


@pytest.mark.parametrize("name", SHIPPED)
def test_a_refit_from_the_cohort_equals_the_committed_model(name, exrnaqc_run):
    committed = load_model(MODELS / name / "model.skops")
    card = json.loads((MODELS / name / "model_card.json").read_text())
    metrics = pd.read_csv(MODELS / name / "metrics.tsv", sep="\t", index_col="metric")
    assert card["cv_metrics"]["auc"]["value"] == pytest.approx(metrics.loc["auc", "value"], abs=1e-4)
    config = {**DEFAULTS, **{key: value for key, value in SOURCES.items() if key != "shipped"}}
    shipped = SOURCES["shipped"]
    counts = read_cohort_counts((REPO / shipped["counts"]).resolve())
    # The precursor groups of the project's miRBase references, as the shared run built them.
    groups = pd.read_csv(exrnaqc_run / "results" / "references" / "precursor_groups.tsv", sep="\t")
    grouped = group_counts(counts, groups)
    conditions = pd.read_csv((REPO / shipped["labels"]).resolve(), index_col=0).iloc[:, 0].astype(str)
    batches = pd.read_csv((REPO / shipped["batches"]).resolve(), index_col=0).iloc[:, 0].astype(str)
    spec = model_spec(name, shipped["models"][name], list(conditions.reindex(grouped.index).dropna()), 10)
    labels = class_labels(spec, conditions.reindex(grouped.index))
    samples = list(labels.index)
    refit = final_model(spec, grouped, samples, labels.to_numpy(), batches.reindex(samples).to_numpy(), config)
    assert refit["best_params"] == committed["best_params"] == card["method"]["chosen"]
    assert refit["model_features"] == committed["model_features"] == card["features"]["model"]
    new, old = refit["pipeline"].named_steps["model"], committed["pipeline"].named_steps["model"]
    assert np.allclose(new.coef_, old.coef_, atol=1e-8) and np.allclose(new.intercept_, old.intercept_, atol=1e-8)
    assert refit["residual_max"] == pytest.approx(committed["residual_max"])
    assert SHARED_DATA.exists()
