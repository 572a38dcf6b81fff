"""Precursor groups: the unit at which mature-level counts meet precursor-level profiles (TCGA).

A read of a mature miRNA cannot tell which of its identical hairpin copies it came from (hsa-let-7a-1/-2/-3
all make hsa-let-7a-5p), and a precursor-level profile cannot tell its arms apart. Hairpins linked by an
identical mature sequence therefore form one group, and both kinds of profile are summed per group.
"""

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from exomir.common.fasta import read_fasta
from exomir.references.mirbase import parse_gff3, precursor_ids

GROUP_COLUMNS = ["group", "precursor", "mirna", "accession"]


def precursor_groups(
    gff3: str | os.PathLike, mature_fasta: str | os.PathLike, species_prefix: str = "hsa"
) -> pd.DataFrame:
    """One row per (precursor, mature) pair of the GFF3 with its group.

    A group is named by its precursors, sorted and joined with '/'."""
    precursors, matures = parse_gff3(gff3)
    sequences = read_fasta(mature_fasta, species_prefix)
    name_of_id = dict(zip(precursors["id"], precursors["name"]))
    pairs = matures[matures["name"].isin(sequences)].copy()
    pairs["precursor"] = [
        [name_of_id.get(id_) for id_ in precursor_ids(mature, precursors)] for _, mature in pairs.iterrows()
    ]
    pairs = pairs.explode("precursor")
    unplaced = pairs.loc[pairs["precursor"].isna(), "name"].tolist()
    if unplaced:
        raise ValueError(f"{gff3}: matures without a precursor in the file: {', '.join(unplaced[:10])}")
    pairs["sequence"] = pairs["name"].map(sequences)
    pairs = pairs.rename(columns={"name": "mirna"}).drop_duplicates(["precursor", "mirna"])

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
