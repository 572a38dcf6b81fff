"""Contrasts of the config against the sample sheet, and the design of each: `~ batch + condition`
when the sheet's batch varies among the contrast's samples and is not confounded with it, else
`~ condition`."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

CASE = "case"
CONTROL = "control"
GROUP = "condition"
BATCH = "batch"
# DESeq2 estimates dispersions from replicates: each group needs at least two samples.
MIN_GROUP_SAMPLES = 2


@dataclass(frozen=True)
class Contrast:
    """One contrast: the sheet conditions of its case group and of its control group."""

    name: str
    case: tuple[str, ...]
    control: tuple[str, ...]

    @classmethod
    def of(cls, name: str, spec: Mapping[str, Sequence[str]]) -> "Contrast":
        return cls(name, tuple(str(value) for value in spec["case"]), tuple(str(value) for value in spec["control"]))


def contrasts_of(config: Mapping[str, Any]) -> list[Contrast]:
    """The contrasts of config `differential`, in the config's order."""
    return [Contrast.of(name, spec) for name, spec in (config.get("contrasts") or {}).items()]


def contrast_problems(contrasts: Sequence[Contrast], conditions: pd.Series, min_samples: int) -> list[str]:
    """Every problem of `contrasts` against the sheet's `conditions` (sample → condition): an unknown
    condition, a condition in both groups, a group of fewer than `min_samples` samples."""
    known = set(conditions)
    counts = conditions.value_counts()
    problems = []
    for contrast in contrasts:
        for side, names in ((CASE, contrast.case), (CONTROL, contrast.control)):
            for name in names:
                if name not in known:
                    problems.append(
                        f"differential contrast '{contrast.name}': {side} condition '{name}' is no condition of "
                        f"the sample sheet (conditions: {', '.join(sorted(known))})"
                    )
        for name in sorted(set(contrast.case) & set(contrast.control)):
            problems.append(f"differential contrast '{contrast.name}': condition '{name}' is in both case and control")
        for side, names in ((CASE, contrast.case), (CONTROL, contrast.control)):
            size = int(sum(counts.get(name, 0) for name in names))
            if size < min_samples:
                problems.append(
                    f"differential contrast '{contrast.name}': the {side} group ({', '.join(names)}) has {size} "
                    f"sample(s), fewer than the {min_samples} needed"
                )
    return problems


def group_samples(contrast: Contrast, conditions: pd.Series) -> pd.Series:
    """sample → 'case' or 'control' for the samples of the contrast's conditions, in sheet order."""
    groups = pd.Series(np.nan, index=conditions.index, dtype=object)
    groups[conditions.isin(contrast.case)] = CASE
    groups[conditions.isin(contrast.control)] = CONTROL
    return groups.dropna().astype(str)


@dataclass(frozen=True)
class Design:
    """The design formula of a contrast and, when the batch was left out, why."""

    formula: str
    warning: str = ""

    @property
    def uses_batch(self) -> bool:
        return BATCH in self.formula


def choose_design(groups: pd.Series, batches: pd.Series) -> Design:
    """`~ batch + condition` when the batch varies among the samples of `groups` and the model is
    estimable; else `~ condition`, with a warning when a varying batch had to be left out.

    A batch is fully confounded with the condition when every batch holds one group only: the
    condition is then a sum of batch columns and cannot be told apart from them."""
    batches = batches.reindex(groups.index).fillna("").astype(str)
    if batches.nunique() < 2:
        return Design(f"~ {GROUP}")
    if (batches == "").any():
        missing = int((batches == "").sum())
        return Design(
            f"~ {GROUP}", f"batch not used: {missing} sample(s) of the contrast have no batch in the sample sheet"
        )
    groups_per_batch = pd.crosstab(batches, groups).gt(0).sum(axis=1)
    if (groups_per_batch == 1).all():
        return Design(
            f"~ {GROUP}",
            f"batch not used: batch is fully confounded with condition (each of the {batches.nunique()} batches "
            "holds samples of one group only), so a batch effect cannot be told apart from the condition effect",
        )
    matrix = design_matrix(groups, batches)
    rank = np.linalg.matrix_rank(matrix)
    if len(groups) - rank < 1:
        return Design(f"~ {GROUP}", "batch not used: too few samples to estimate the batch and condition effects")
    return Design(f"~ {BATCH} + {GROUP}")


def design_matrix(groups: pd.Series, batches: pd.Series) -> np.ndarray:
    """Intercept, batch (treatment-coded) and condition columns of `~ batch + condition`."""
    batch_columns = pd.get_dummies(batches, drop_first=True, dtype=float)
    return np.column_stack([np.ones(len(groups)), batch_columns.to_numpy(), (groups == CASE).to_numpy(float)])
