"""Join per-sample counts into cohort matrices and the count AnnData.

Matrices (miRNA, isomiR, biotype feature × sample) are sums of the per-sample tables of
exomir.quantify; absent is 0. The miRNA rows are every mature miRNA of the reference
(in_universe), so cohorts run separately on one reference share their columns. Each
normalisation of the miRNA counts (exomir.common.normalise) is a TSV and a layer of the
AnnData. The AnnData's obs are typed for scanpy (text as categories), with each sample's
processed kit, read funnel and library size; its var has each miRNA's accession, mature
sequence and hairpins.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import anndata
import numpy as np
import pandas as pd

from exomir.common.biotypes import BIOTYPE_PRIORITY
from exomir.common.normalise import normalisations
from exomir.common.obs import typed_obs
from exomir.common.tables import COUNT_FORMAT
from exomir.counts.features import MATURE

# The cohort tables of results/counts/: {rule output: (table, float format)}; a run from a count table
# writes those that need no reads.
TABLE_FORMATS = {
    "counts": ("counts", COUNT_FORMAT),
    "cpm": ("cpm", "%.4f"),
    "tmm": ("tmm_cpm", "%.4f"),
    "spike_in": ("spike_in", "%.4f"),
    "factors": ("factors", "%.6g"),
    "isomirs": ("isomirs", COUNT_FORMAT),
    "features": ("features", COUNT_FORMAT),
    "biotypes": ("biotypes", COUNT_FORMAT),
}


def count_matrix(
    per_sample: Mapping[str, pd.DataFrame], keys: str | list[str] = "mirna", value: str = "count"
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Feature × sample matrix of `value` from {sample: per-sample table}; absent = 0.

    With keys="mirna", also returns the miRNA → accession map (a mature name keeps one
    accession); otherwise the second value is None."""
    columns = {sample: table.groupby(keys)[value].sum() for sample, table in per_sample.items()}
    matrix = pd.DataFrame(columns).fillna(0.0).sort_index()
    if keys != "mirna":
        return matrix, None
    matrix.index.name = "mirna"
    accessions = pd.concat(table.set_index("mirna")["accession"] for table in per_sample.values())
    accessions = accessions[~accessions.index.duplicated()].reindex(matrix.index)
    return matrix, accessions


def in_universe(matrix: pd.DataFrame, accessions: pd.Series, positions: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The miRNA matrix and accessions over every mature miRNA of the reference (`positions`), sorted:
    a miRNA no sample has is a row of zeros, so cohorts run on the same reference share their rows."""
    universe = positions.drop_duplicates("mirna").set_index("mirna")["accession"]
    names = universe.index.union(matrix.index)
    matrix = matrix.reindex(names, fill_value=0.0)
    matrix.index.name = "mirna"
    return matrix, accessions.combine_first(universe).reindex(names)


def read_obs(
    samples: Sequence[str],
    insert_stats: Mapping[str, Mapping[str, Any]],
    quantify_stats: Mapping[str, Mapping[str, Any]],
    kits: Mapping[str, str],
    matrix: pd.DataFrame,
) -> pd.DataFrame:
    """Per sample: the kit its reads were processed as, its read funnel and library size (obs columns)."""
    frame = pd.DataFrame(
        {
            "kit": pd.Categorical([kits[sample] for sample in samples]),
            "input_reads": [insert_stats[sample]["input_reads"] for sample in samples],
            "length_passed_reads": [insert_stats[sample]["length_passed"] for sample in samples],
            "unique_inserts": [insert_stats[sample]["unique_sequences"] for sample in samples],
            "mirna_reads": [quantify_stats[sample]["biotype_reads"]["miRNA"] for sample in samples],
            "mirna_molecules": [quantify_stats[sample]["mirna_molecules"] for sample in samples],
            "library_size": matrix[list(samples)].sum().to_numpy(),
            "mirnas_detected": (matrix[list(samples)] > 0).sum().to_numpy(),
        },
        index=[str(sample) for sample in samples],
    )
    frame["mirna_read_percent"] = 100 * frame["mirna_reads"] / frame["input_reads"].where(frame["input_reads"] > 0)
    return frame


def mirna_var(accessions: pd.Series, positions: pd.DataFrame | None) -> pd.DataFrame:
    """var of the count AnnData: accession, and with the reference's mature positions the mature sequence
    and its hairpins (comma-separated, a mature of several loci on each)."""
    var = pd.DataFrame({"accession": accessions.to_numpy()}, index=accessions.index.astype(str))
    if positions is not None:
        by_mirna = positions.groupby("mirna")
        var["sequence"] = by_mirna["sequence"].first().reindex(var.index).to_numpy()
        var["hairpin"] = by_mirna["hairpin"].agg(lambda hairpins: ",".join(sorted(set(hairpins)))).reindex(var.index)
    var.index.name = None
    return var


def to_anndata(
    layers: Mapping[str, pd.DataFrame],
    accessions: pd.Series,
    samples: pd.DataFrame,
    canonical: pd.DataFrame | None = None,
    isomir: pd.DataFrame | None = None,
    read_columns: pd.DataFrame | None = None,
    positions: pd.DataFrame | None = None,
) -> anndata.AnnData:
    """Samples × miRNAs AnnData: sample sheet as obs (typed_obs), with the `read_columns` of counts from
    reads (read_obs; their kit replaces the sheet's, kept as `kit_declared`), X = raw counts, one layer per
    normalisation plus the canonical and isomiR parts of the counts when given; var from mirna_var."""
    matrix = layers["counts"]
    obs = typed_obs(samples.loc[matrix.columns])
    if read_columns is not None:
        if "kit" in obs:
            obs = obs.rename(columns={"kit": "kit_declared"})
        obs = obs.join(read_columns)
    var = mirna_var(pd.Series(accessions.to_numpy(), index=matrix.index), positions)
    adata = anndata.AnnData(X=matrix.T.to_numpy(dtype=np.float64), obs=obs, var=var)
    parts = {name: part for name, part in (("canonical", canonical), ("isomir", isomir)) if part is not None}
    for name, layer in {**layers, **parts}.items():
        adata.layers[name] = (
            layer.reindex(index=matrix.index, columns=matrix.columns)
            .fillna(np.nan if name == "spike_in" else 0.0)
            .T.to_numpy(dtype=np.float64)
        )
    return adata


def cohort_matrices(
    mirnas: Mapping[str, pd.DataFrame],
    isomirs: Mapping[str, pd.DataFrame],
    features: Mapping[str, pd.DataFrame],
    stats: Mapping[str, Mapping[str, Any]],
    sample_sheet: pd.DataFrame,
    insert_stats: Mapping[str, Mapping[str, Any]],
    kits: Mapping[str, str],
    positions: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], anndata.AnnData]:
    """Every cohort table and the AnnData from the per-sample quantify tables and stats, the insert
    stats, the kit each sample was processed as and the reference's mature positions, all keyed by
    sample in sheet order. Tables: counts, cpm, tmm_cpm, spike_in, factors, isomirs, features, biotypes."""
    samples = list(mirnas)
    matrix, accessions = in_universe(*count_matrix(mirnas), positions)
    canonical, _ = count_matrix(mirnas, value="canonical")
    isomir, _ = count_matrix(mirnas, value="isomir")
    spike_in_molecules = pd.Series({sample: stats[sample]["biotype_molecules"]["spike_in"] for sample in samples})
    layers, factors = normalisations(matrix, spike_in_molecules)
    read_columns = read_obs(samples, insert_stats, stats, kits, matrix)
    adata = to_anndata(layers, accessions, sample_sheet, canonical, isomir, read_columns, positions)
    adata.uns["feature_level"] = MATURE
    adata.uns["normalisation_factors"] = factors.reset_index().astype({"sample": str}).to_dict(orient="list")
    biotypes = pd.DataFrame({sample: stats[sample]["biotype_reads"] for sample in samples}).reindex(
        list(BIOTYPE_PRIORITY)
    )
    biotypes.index.name = "biotype"
    tables = {
        **layers,
        "factors": factors,
        "isomirs": count_matrix(isomirs, keys=["mirna", "sequence", "variant"])[0],
        "features": count_matrix(features, keys=["biotype", "feature", "fragment_type"])[0],
        "biotypes": biotypes,
    }
    return tables, adata
