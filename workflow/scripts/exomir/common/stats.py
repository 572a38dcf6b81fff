"""The per-sample stats JSON files, read against their declared schemas.

results/inserts/<sample>.stats.json (rule inserts) and results/quantify/<sample>.stats.json
(rule quantify) are read by the counts, QC and report stages; their keys are declared in
workflow/schemas/inserts_stats.schema.yaml and quantify_stats.schema.yaml, and a file that
does not fit is an error naming the file and the key.
"""

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


class StatsError(ValueError):
    """A per-sample stats file that does not fit its schema."""


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    with open(SCHEMAS / f"{kind}_stats.schema.yaml") as handle:
        return jsonschema.Draft202012Validator(yaml.safe_load(handle))


def _read(path: str | os.PathLike, kind: str) -> dict[str, Any]:
    with open(path) as handle:
        stats = json.load(handle)
    error = jsonschema.exceptions.best_match(_validator(kind).iter_errors(stats))
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "top level"
        raise StatsError(f"{path}: {where}: {error.message}")
    return stats


def read_insert_stats(path: str | os.PathLike) -> dict[str, Any]:
    """One sample's stats of rule inserts (workflow/schemas/inserts_stats.schema.yaml)."""
    return _read(path, "inserts")


def read_quantify_stats(path: str | os.PathLike) -> dict[str, Any]:
    """One sample's stats of rule quantify (workflow/schemas/quantify_stats.schema.yaml)."""
    return _read(path, "quantify")
