"""Precursor groups: the unit at which mature-level counts meet precursor-level profiles (TCGA).

A read of a mature miRNA cannot tell which of its identical hairpin copies it came from (hsa-let-7a-1/-2/-3
all make hsa-let-7a-5p), and a precursor-level profile cannot tell its arms apart. Hairpins linked by an
identical mature sequence therefore form one group, and both kinds of profile are summed per group.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

GROUP_COLUMNS = ["group", "precursor", "mirna", "accession"]


def precursor_groups(positions: pd.DataFrame, mature_sequences: Mapping[str, str]) -> pd.DataFrame:
    """One row per (precursor, mature) pair of the mature position table (rule mirna_reference:
    every mature placed on its hairpins, from the GFF3 or by sequence) with its group.

    A group is named by its precursors, sorted and joined with '/'."""
    pairs = positions[positions["mirna"].isin(list(mature_sequences))][["hairpin", "mirna", "accession"]]
    pairs = pairs.rename(columns={"hairpin": "precursor"}).drop_duplicates(["precursor", "mirna"]).copy()
    pairs["sequence"] = pairs["mirna"].map(mature_sequences)

    # Bipartite graph precursor -- mature sequence; its connected components are the groups.
    precursor_codes, precursor_names = pd.factorize(pairs["precursor"])
    sequence_codes, _ = pd.factorize(pairs["sequence"])
    n_nodes = len(precursor_names) + sequence_codes.max() + 1
    edges = coo_matrix(
        (np.ones(len(pairs)), (precursor_codes, sequence_codes + len(precursor_names))), shape=(n_nodes, n_nodes)
    )
    _, component = connected_components(edges, directed=False)
    members = pd.Series(precursor_names, index=component[: len(precursor_names)])
    group_names = members.groupby(level=0).agg(lambda names: "/".join(sorted(names)))
    pairs["group"] = group_names.loc[component[precursor_codes]].to_numpy()
    return pairs[GROUP_COLUMNS].sort_values(["group", "precursor", "mirna"]).reset_index(drop=True)


def mirna_to_group(groups: pd.DataFrame) -> dict[str, str]:
    """{mature name: group}; a mature miRNA belongs to exactly one group by construction."""
    return dict(zip(groups["mirna"], groups["group"]))


def sum_by_group(table: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Sum the rows of a feature × sample table into groups; rows without a group are dropped.
    `mapping` is a dict or a Series (feature → group); its keys, not its values, are the features."""
    known = table.index.isin(list(mapping.keys()))
    return table[known].groupby(table.index[known].map(mapping)).sum()
