"""Model files in skops format (never a bare pickle) and their model card.

Loading trusts exactly the types a model of this package holds: scikit-learn's, numpy's and the two
transformers of exomir.classify.model; a file that needs any other type is refused.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import skops.io as sio

# Types of exomir.classify.model that skops does not know, trusted by name.
OWN_TYPES = ("exomir.classify.model.Normalise", "exomir.classify.model.AbundanceFilter")
SAFE_PREFIXES = ("sklearn.", "numpy.", "builtins.", "scipy.")


class ModelFileError(ValueError):
    """A model file that is missing or holds types this package does not trust."""


def save_model(artefact: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write a model dict (exomir.classify.train) as a skops file."""
    sio.dump(dict(artefact), str(path))


def load_model(path: str | os.PathLike) -> dict[str, Any]:
    """Read a model file written by save_model."""
    if not Path(path).is_file():
        raise ModelFileError(f"model file {path} does not exist")
    untrusted = sio.get_untrusted_types(file=str(path))
    unknown = [name for name in untrusted if name not in OWN_TYPES and not name.startswith(SAFE_PREFIXES)]
    if unknown:
        raise ModelFileError(f"model file {path} holds types exomir does not trust: {', '.join(unknown)}")
    return sio.load(str(path), trusted=untrusted)


def model_card(
    artefact: Mapping[str, Any],
    metrics: Any,
    training: Mapping[str, Any],
    version: str,
    references: Mapping[str, Any],
) -> dict[str, Any]:
    """The model card (JSON): classes, features, training cohort and size, CV metrics, versions."""
    return {
        "name": artefact["name"],
        "exomir_version": version,
        "references": {
            "database": references.get("database", ""),
            "species_prefix": references.get("species_prefix", ""),
        },
        "classes": artefact["classes"],
        "conditions": artefact["conditions"],
        "training": dict(training),
        "features": {
            "space": "precursor groups (results/references/precursor_groups.tsv)",
            "input": len(artefact["features"]),
            "model": artefact["model_features"],
        },
        "method": {
            "pipeline": [name for name, _ in artefact["pipeline"].steps],
            "chosen": artefact["best_params"],
            "probabilities": (
                "logistic regression probabilities; calibration checked by the nested-CV Brier score and reliability"
                " table, not adjusted"
            ),
        },
        "refusal": {
            "training_coverage_min": artefact["training_coverage_min"],
            "residual_max": artefact["residual_max"],
            "residual_q95": artefact["residual_q95"],
        },
        "cv_metrics": {
            row["metric"]: {
                key: (None if row[key] != row[key] else float(row[key])) for key in ("value", "ci_low", "ci_high")
            }
            for _, row in metrics.iterrows()
        },
        "use": "research use only; not for diagnosis",
    }
