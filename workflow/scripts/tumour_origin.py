"""Rule tumour_origin: tumour-origin evidence and calibrated calls (exomir.scores.tumour_origin)."""

import sys

from exomir.common.tables import read_sample_table, write_tsv
from exomir.counts.layers import read_counts
from exomir.scores.tumour_origin import References, tumour_origin_tables


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs = snakemake.input
    adata, counts = read_counts(inputs.h5ad)
    qc = read_sample_table(inputs.qc)["verdict"].to_dict()
    references = None
    if inputs.profiles:
        references = References.load(
            inputs.groups,
            inputs.baseline,
            inputs.profiles,
            inputs.profile_info,
            inputs.holdout,
            inputs.markers,
            inputs.signatures,
        )
    tables, log = tumour_origin_tables(adata.obs, counts.T, qc, references, snakemake.params)
    print("\n".join(log), file=sys.stderr)
    for name, table in tables.items():
        write_tsv(table, snakemake.output[name], index=False, float_format="%.6g")
    print(tables["calls"][["sample", "call", "confidence", "evidence", "threshold"]].to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
