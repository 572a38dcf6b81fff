"""Join per-sample counts into cohort matrices, normalise them, and write the AnnData.

Normalisations of the miRNA counts (all as TSVs and as AnnData layers):
- counts: molecules counted on each mature miRNA (reads when the kit has no UMI);
- cpm: counts per million miRNA counts of the sample;
- tmm_cpm: CPM on TMM-adjusted library sizes (edgeR's trimmed mean of M-values: Robinson &
  Oshlack, Genome Biol 2010;11:R25), computed with rnanorm, which reproduces edgeR's
  calcNormFactors;
- spike_in: counts divided by the sample's spike-in factor (its spike-in molecules over the
  geometric mean of all samples' spike-in molecules), when spike-ins are configured; a sample
  without spike-in molecules gets NaN, and the log says so.
"""

import json
import sys

import anndata
import numpy as np
import pandas as pd
from rnanorm import TMM
from scipy.stats import gmean

from annotation_reference import BIOTYPE_PRIORITY
from atomic import atomic_path
from report_tables import write_mqc_table

# Counts are whole molecules or 1/N shares of them: ten significant digits keep both exact.
COUNT_FORMAT = "%.10g"
TRNA_FRAGMENT_TYPES = ["5'_half", "5'_tRF", "i-tRF", "3'_tRF", "3'_half", "full_length"]


def count_matrix(per_sample, keys="mirna", value="count"):
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


def counts_per_million(matrix, library_sizes=None):
    """CPM (on the column sums unless `library_sizes` is given); a sample with no count gets 0."""
    totals = matrix.sum(axis=0) if library_sizes is None else library_sizes
    return matrix.div(totals.where(totals > 0, 1.0), axis=1) * 1e6


def tmm_factors(matrix):
    """edgeR TMM normalisation factors per sample (columns); NaN for a sample without counts."""
    factors = pd.Series(np.nan, index=matrix.columns)
    counted = matrix.columns[matrix.sum(axis=0) > 0]
    if len(counted):
        samples_by_features = matrix[counted].T
        factors[counted] = TMM().fit(samples_by_features).get_norm_factors(samples_by_features)
    return factors


def spike_in_factors(spike_in_molecules):
    """Each sample's spike-in molecules over their geometric mean (samples with any); NaN
    where a sample has none."""
    present = spike_in_molecules[spike_in_molecules > 0]
    factors = pd.Series(np.nan, index=spike_in_molecules.index)
    if len(present):
        factors[present.index] = present / gmean(present)
    return factors


def normalisations(matrix, spike_in_molecules):
    """{layer name: miRNA × sample matrix} and the per-sample factor table."""
    library_sizes = matrix.sum(axis=0)
    tmm = tmm_factors(matrix)
    spike_in = spike_in_factors(spike_in_molecules)
    layers = {
        "counts": matrix,
        "cpm": counts_per_million(matrix),
        "tmm_cpm": counts_per_million(matrix, library_sizes * tmm),
        "spike_in": matrix.div(spike_in, axis=1),
    }
    factors = pd.DataFrame(
        {
            "mirna_molecules": library_sizes,
            "tmm_factor": tmm,
            "tmm_library_size": library_sizes * tmm,
            "spike_in_molecules": spike_in_molecules,
            "spike_in_factor": spike_in,
        }
    )
    factors.index.name = "sample"
    return layers, factors


def to_anndata(layers, accessions, samples, canonical, isomir):
    """Samples × miRNAs AnnData: sample sheet as obs, X = raw counts, one layer per
    normalisation plus the canonical and isomiR parts of the counts."""
    matrix = layers["counts"]
    obs = samples.loc[matrix.columns].astype(str).copy()
    obs.index.name = None
    var = pd.DataFrame({"accession": accessions.values}, index=matrix.index.astype(str))
    var.index.name = None
    adata = anndata.AnnData(X=matrix.T.to_numpy(dtype=np.float64), obs=obs, var=var)
    parts = {"canonical": canonical, "isomir": isomir}
    for name, layer in {**layers, **parts}.items():
        adata.layers[name] = layer.reindex(index=matrix.index, columns=matrix.columns).fillna(
            np.nan if name == "spike_in" else 0.0
        ).T.to_numpy(dtype=np.float64)
    return adata


def write_tsv(table, path, float_format):
    with atomic_path(path) as temporary:
        table.to_csv(temporary, sep="\t", float_format=float_format)


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    samples = snakemake.params.samples
    inputs, outputs = snakemake.input, snakemake.output

    def read_all(paths):
        return {sample: pd.read_csv(path, sep="\t", keep_default_na=False) for sample, path in zip(samples, paths)}

    per_sample = read_all(inputs.tables)
    stats = {sample: json.load(open(path)) for sample, path in zip(samples, inputs.stats)}
    matrix, accessions = count_matrix(per_sample)
    canonical, _ = count_matrix(per_sample, value="canonical")
    isomir, _ = count_matrix(per_sample, value="isomir")
    spike_in_molecules = pd.Series({sample: stats[sample]["biotype_molecules"]["spike_in"] for sample in samples})
    layers, factors = normalisations(matrix, spike_in_molecules)
    for sample in factors.index[factors["spike_in_factor"].isna()]:
        print(f"{sample}: no spike-in molecules, spike-in normalised counts are NaN", file=sys.stderr)
    write_tsv(matrix, outputs.counts, COUNT_FORMAT)
    write_tsv(layers["cpm"], outputs.cpm, "%.4f")
    write_tsv(layers["tmm_cpm"], outputs.tmm, "%.4f")
    write_tsv(layers["spike_in"], outputs.spike_in, "%.4f")
    write_tsv(factors, outputs.factors, "%.6g")
    sample_sheet = pd.DataFrame(snakemake.params.sample_sheet).set_index("sample")
    adata = to_anndata(layers, accessions, sample_sheet, canonical, isomir)
    adata.uns["normalisation_factors"] = factors.reset_index().astype({"sample": str}).to_dict(orient="list")
    with atomic_path(outputs.h5ad) as temporary:
        adata.write_h5ad(temporary)

    isomir_keys = ["mirna", "sequence", "variant"]
    isomirs, _ = count_matrix(read_all(inputs.isomirs), keys=isomir_keys)
    write_tsv(isomirs, outputs.isomirs, COUNT_FORMAT)
    features, _ = count_matrix(read_all(inputs.features), keys=["biotype", "feature", "fragment_type"])
    write_tsv(features, outputs.features, COUNT_FORMAT)

    biotypes = pd.DataFrame({sample: stats[sample]["biotype_reads"] for sample in samples}).reindex(
        list(BIOTYPE_PRIORITY)
    )
    biotypes.index.name = "biotype"
    write_tsv(biotypes, outputs.biotypes, COUNT_FORMAT)
    write_mqc_table(
        biotypes.T,
        outputs.funnel,
        "exomir_biotypes",
        "exomir: reads by biotype",
        "Every read of length within limits, by the one biotype its insert was given "
        "(priority: spike-in > tRNA > rRNA > Y RNA > miRNA > snRNA > snoRNA > other ncRNA > "
        "miRNA hairpin outside any mature > genome > unassigned).",
        plot_type="bargraph",
    )
    trna = features.xs("tRNA", level="biotype") if "tRNA" in features.index.get_level_values("biotype") else None
    by_type = pd.DataFrame(0.0, index=TRNA_FRAGMENT_TYPES, columns=samples)
    if trna is not None:
        by_type = trna.groupby(level="fragment_type").sum().reindex(TRNA_FRAGMENT_TYPES).fillna(0.0)
    write_mqc_table(
        by_type.T,
        outputs.trna,
        "exomir_trna_fragments",
        "exomir: tRNA fragments",
        "Molecules on tRNA by fragment type (5'/3' halves >= 28 nt, shorter 5'/3' tRFs, internal "
        "i-tRFs, full length); per tRNA family in results/counts/biotype_feature_counts.tsv.",
        plot_type="bargraph",
    )


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
