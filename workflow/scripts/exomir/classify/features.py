"""The common feature space of training and apply: precursor groups.

Counts at mature level (hsa-miR-21-5p, from reads) and at precursor level (hsa-mir-21, from another
pipeline's table) are both summed into the precursor groups of results/references/precursor_groups.tsv,
so that a model trained on one kind of table applies to the other.
"""

from collections.abc import Sequence

import pandas as pd

from exomir.references.precursor_groups import sum_by_group
from exomir.scores.tumour_origin import feature_groups


def group_counts(counts: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Samples × precursor groups from a features × samples count table (mature or precursor names);
    features of no group are left out."""
    return sum_by_group(counts, feature_groups(counts.index, groups)).T


def aligned(counts: pd.DataFrame, features: Sequence[str]) -> tuple[pd.DataFrame, float]:
    """Samples × `features` (absent ones are zero) and the share of `features` the table holds."""
    present = counts.columns.intersection(list(features))
    share = len(present) / len(features) if len(features) else 0.0
    return counts.reindex(columns=list(features), fill_value=0.0).astype(float), share
