"""Scoring a run's samples with trained models, and refusing those a model cannot judge.

A sample is `not_called`, with its reason, when
* feature coverage is too low: the share of the model's features (the precursor groups its filter kept)
  that the sample detects (count > 0) is below `min_coverage`, or the run's table lacks them; or
* it lies outside the training distribution: its PCA reconstruction residual (the training samples'
  PCA after the model's normalisation and scaling) is above `residual_factor` × the largest
  out-of-fold residual of the training samples, stored in the model.
Otherwise the call is the class of highest probability (binary: positive when P ≥ 0.5); `probability`
is P(positive) for binary models and the called class's probability otherwise.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from exomir.classify.features import aligned
from exomir.classify.train import POSITIVE, residuals

APPLIED_COLUMNS = ["sample", "model", "probability", "call", "reason", "coverage", "residual", "residual_limit"]
NOT_CALLED = "not_called"
LOW_COVERAGE = "feature coverage too low"
OUT_OF_DISTRIBUTION = "outside the training distribution"


def apply_model(
    artefact: Mapping[str, Any],
    counts: pd.DataFrame,
    model_name: str,
    min_coverage: float,
    residual_factor: float,
) -> pd.DataFrame:
    """One row per sample of `counts` (samples × precursor groups, raw counts)."""
    X, table_share = aligned(counts, artefact["features"])  # noqa: N806
    used = artefact["model_features"]
    coverage = (X[used] > 0).mean(axis=1).to_numpy()
    pipeline = artefact["pipeline"]
    values = pipeline[:3].transform(X.to_numpy())
    residual = residuals(artefact["pca"], values)
    limit = residual_factor * artefact["residual_max"]
    probabilities = pipeline.predict_proba(X.to_numpy())
    classes = artefact["classes"]
    rows = []
    for i, sample in enumerate(X.index):
        reason = ""
        if coverage[i] < min_coverage:
            reason = (
                f"{LOW_COVERAGE}: {coverage[i]:.2f} of the model's features detected"
                f" (the table holds {table_share:.2f} of them; needs {min_coverage})"
            )
        elif residual[i] > limit:
            reason = f"{OUT_OF_DISTRIBUTION}: residual {residual[i]:.3g} above {limit:.3g}"
        if reason:
            probability, call = np.nan, NOT_CALLED
        elif classes[-1] == POSITIVE and len(classes) == 2:
            probability = float(probabilities[i, 1])
            call = POSITIVE if probability >= 0.5 else classes[0]
        else:
            k = int(np.argmax(probabilities[i]))
            probability, call = float(probabilities[i, k]), classes[k]
        rows.append((sample, model_name, probability, call, reason, float(coverage[i]), float(residual[i]), limit))
    return pd.DataFrame(rows, columns=APPLIED_COLUMNS)
