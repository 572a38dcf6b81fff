"""The level of a count AnnData's features, and where the counts of a mature miRNA are in it.

Counts from reads (rule count_matrix) are per mature miRNA (hsa-miR-21-5p). Counts from a table
(rule import_counts) may be per precursor (hsa-mir-21: both arms of the hairpin together); their
AnnData says so in `uns["feature_level"]` and carries the mature → precursor pairs of the references
in `uns["mature_precursors"]`. Marker, signature and reference tables name mature miRNAs, and every
stage finds them in the counts through one `FeatureLookup`:

- at mature level, a mature miRNA is its own feature, and nothing changes;
- at precursor level, a mature miRNA is looked up through its precursor(s): hsa-miR-451a in
  hsa-mir-451a, hsa-miR-16-5p in hsa-mir-16-1 and hsa-mir-16-2 together. Both arms of a hairpin
  share its counts, so a table keyed by mature names becomes a table keyed by precursors
  (`by_feature`), and a set of mature names the set of their precursors, each once (`features_of`).
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import pandas as pd

if TYPE_CHECKING:
    import anndata

MATURE = "mature"
PRECURSOR = "precursor"
FEATURE_LEVELS = (MATURE, PRECURSOR)


@dataclass(frozen=True)
class FeatureLookup:
    """Where a mature miRNA's counts are: `level` of the count table's features and, at precursor
    level, {mature name: its precursors}."""

    level: str = MATURE
    precursors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level not in FEATURE_LEVELS:
            raise ValueError(f"feature level {self.level!r} is not one of {', '.join(FEATURE_LEVELS)}")

    @classmethod
    def from_pairs(cls, level: str, pairs: pd.DataFrame) -> Self:
        """The lookup of `level` from (mirna, precursor) pairs, e.g. the precursor group table."""
        precursors: dict[str, tuple[str, ...]] = {}
        for mirna, precursor in zip(pairs["mirna"], pairs["precursor"]):
            if precursor not in precursors.get(mirna, ()):
                precursors[mirna] = (*precursors.get(mirna, ()), precursor)
        return cls(level, precursors)

    @classmethod
    def of(cls, adata: "anndata.AnnData") -> Self:
        """The lookup of a count AnnData: mature level unless its `uns` says otherwise."""
        level = str(adata.uns.get("feature_level", MATURE))
        if level == MATURE:
            return cls()
        return cls.from_pairs(level, pd.DataFrame(dict(adata.uns["mature_precursors"])))

    def pairs(self) -> dict[str, list[str]]:
        """The (mirna, precursor) pairs as columns, as the AnnData keeps them in `uns`."""
        rows = [(mirna, precursor) for mirna, precursors in self.precursors.items() for precursor in precursors]
        return {"mirna": [mirna for mirna, _ in rows], "precursor": [precursor for _, precursor in rows]}

    def features(self, mirna: str) -> tuple[str, ...]:
        """The features that hold mature miRNA `mirna`: itself at mature level; its precursors at
        precursor level (none for a name the references do not know)."""
        if self.level == MATURE:
            return (mirna,)
        return self.precursors.get(mirna, ())

    def features_of(self, mirnas: Iterable[str], present: Collection[str] | None = None) -> list[str]:
        """The features of every miRNA of `mirnas`, each once, in order; only those in `present`
        when it is given. Summing a table over them never counts a shared precursor twice."""
        found = dict.fromkeys(feature for mirna in mirnas for feature in self.features(mirna))
        return [feature for feature in found if present is None or feature in present]

    def by_feature(self, table: pd.DataFrame, column: str | None = None) -> pd.DataFrame:
        """A table keyed by mature names (its index, or `column`) keyed by features instead: each row
        once for each feature of its miRNA, rows of unknown miRNAs left out. Unchanged at mature level."""
        if self.level == MATURE:
            return table
        keys: Sequence[str] = list(table.index if column is None else table[column])
        rows = [(position, feature) for position, key in enumerate(keys) for feature in self.features(key)]
        translated = table.iloc[[position for position, _ in rows]].copy()
        features = [feature for _, feature in rows]
        if column is None:
            translated.index = pd.Index(features, name=table.index.name)
        else:
            translated[column] = features
        return translated

    def summed_by_feature(self, table: pd.DataFrame) -> pd.DataFrame:
        """A numeric table indexed by mature names, its rows summed per feature (a precursor holds
        every one of its matures; a mature of several precursors counts in each). Unchanged at
        mature level."""
        if self.level == MATURE:
            return table
        return self.by_feature(table).groupby(level=0, sort=False).sum()
