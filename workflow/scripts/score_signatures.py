"""Rule score_signatures: literature signature scores per sample (exomir.scores.signatures)."""

import sys

import anndata
import pandas as pd

from exomir.common.tables import write_tsv
from exomir.scores.signatures import baseline_biofluids, load_signatures, score_signatures


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    adata = anndata.read_h5ad(snakemake.input.h5ad)
    signatures = load_signatures(snakemake.input.signatures)
    # Without a configured healthy baseline, z-scores need the cohort's own healthy samples.
    baseline = pd.read_csv(snakemake.input.baseline, sep="\t", index_col="mirna") if snakemake.input.baseline else None
    biofluids = None
    if baseline is not None:
        biofluids = baseline_biofluids(
            baseline.columns, snakemake.input.baseline_libraries or None, snakemake.params.reference_biofluids
        )
        counted = ", ".join(f"{biofluid} {len(libraries)}" for biofluid, libraries in biofluids.items())
        print(f"healthy baseline libraries per biofluid: {counted}", file=sys.stderr)
    scores = score_signatures(adata, signatures, baseline, snakemake.params.min_cohort_healthy, biofluids)
    write_tsv(scores, snakemake.output.scores, index=False, float_format="%.6g")
    unscored = scores.loc[scores["score"].isna(), "signature"].unique()
    n_signatures = signatures["signature"].nunique()
    print(f"{adata.n_obs} samples x {adata.n_vars} miRNAs, {n_signatures} signatures", file=sys.stderr)
    print(f"signatures left without a score in some samples: {', '.join(unscored) or 'none'}", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
