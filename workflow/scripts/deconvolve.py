"""Rule deconvolve: tissue and blood-cell shares per sample with bootstrap intervals, beside the shares of the
healthy baseline's libraries of the same biofluid (exomir.scores.deconvolve)."""

import sys

import pandas as pd

from exomir.common.markers import load_markers
from exomir.common.tables import write_tsv
from exomir.counts.layers import read_counts
from exomir.scores.deconvolve import (
    blood_profiles,
    deconvolve,
    design_matrix,
    group_table,
    healthy_comparison,
    load_reference,
)
from exomir.scores.signatures import baseline_biofluids


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, params = snakemake.input, snakemake.params
    adata, counts = read_counts(inputs.h5ad)
    groups = pd.read_csv(inputs.groups, sep="\t")
    # Without a tissue reference only the blood-cell components are estimated; without the tumour atlas every
    # blood-cell set is a marker read share.
    tissues = load_reference(inputs.reference, params.tissues) if inputs.reference else pd.DataFrame()
    blood = None
    if inputs.profiles:
        profiles = pd.read_csv(inputs.profiles, sep="\t", index_col="group")
        blood = blood_profiles(profiles, pd.read_csv(inputs.profile_info, sep="\t"))
    design = design_matrix(groups, tissues, load_markers(inputs.markers), blood, params.min_overlap)
    print(
        f"design: {design.matrix.shape[0]} precursor groups x {design.matrix.shape[1]} columns; profiles merged at "
        f"overlap >= {params.min_overlap}: {', '.join(name for name in design.merged if '+' in name) or 'none'}; "
        f"condition number {design.condition_before:.1f} before merging, {design.condition_after:.1f} after",
        file=sys.stderr,
    )
    table, intervals = deconvolve(group_table(counts, groups), design, params.bootstraps, params.seed)
    healthy, healthy_biofluids = pd.DataFrame(columns=table.columns), {}
    if inputs.baseline:
        baseline = pd.read_csv(inputs.baseline, sep="\t", index_col="mirna")
        healthy, _ = deconvolve(group_table(baseline.T, groups), design)
        healthy_biofluids = baseline_biofluids(
            baseline.columns, inputs.baseline_libraries or None, params.reference_biofluids
        )
    biofluids = adata.obs["biofluid"] if "biofluid" in adata.obs else pd.Series("", index=adata.obs_names)
    intervals = healthy_comparison(intervals, biofluids, healthy, healthy_biofluids)
    write_tsv(table, snakemake.output.table, float_format="%.5g")
    write_tsv(intervals, snakemake.output.intervals, index=False, float_format="%.5g")
    print(table.round(3).to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
