"""Rule scored_anndata: the count AnnData with QC and every score, and the score figures (exomir.scores.scored)."""

import sys
from pathlib import Path

import anndata
import pandas as pd

from exomir.common.atomic import atomic_path
from exomir.common.tables import read_sample_table
from exomir.scores.scored import plot_deconvolution, plot_heatmap, score_matrices, scored_anndata, stacked_shares


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, outputs = snakemake.input, snakemake.output
    adata = anndata.read_h5ad(inputs.h5ad)
    matrices = score_matrices(read_sample_table(inputs.scores, index=False))
    deconvolution = read_sample_table(inputs.deconvolution)
    qc = read_sample_table(inputs.qc)
    calls = read_sample_table(inputs.calls, index=False)
    ranking = read_sample_table(inputs.ranking, index=False)
    # Tables of the later stages, when the run has them (one per contrast for differential expression).
    applied = read_sample_table(inputs.applied[0], index=False) if inputs.applied else None
    differential = {Path(path).parent.name: pd.read_csv(path, sep="\t") for path in inputs.differential}
    monitor = read_sample_table(inputs.monitor[0], index=False) if inputs.monitor else None
    scored = scored_anndata(adata, matrices, deconvolution, qc, calls, ranking, applied, differential, monitor)
    with atomic_path(outputs.h5ad) as temporary:
        scored.write_h5ad(temporary)
    plot_heatmap(matrices, [outputs.heatmap, outputs.heatmap_svg])
    plot_deconvolution(stacked_shares(deconvolution), [outputs.deconvolution, outputs.deconvolution_svg])
    print(f"{scored.n_obs} samples; obsm: {', '.join(scored.obsm)}", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
