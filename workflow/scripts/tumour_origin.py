"""Rule tumour_origin: tumour-origin evidence and calls (exomir.scores.tumour_origin)."""

import sys

from exomir.common.tables import read_sample_table, write_tsv
from exomir.counts.layers import read_counts
from exomir.scores.tumour_origin import References, tumour_origin_tables


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, params = snakemake.input, snakemake.params
    adata, counts = read_counts(inputs.h5ad)
    references = None
    if inputs.profiles:
        references = References.load(
            inputs.groups,
            inputs.baseline,
            inputs.baseline_libraries or None,
            inputs.profiles,
            inputs.profile_info,
            inputs.markers,
            inputs.signatures,
            inputs.tissues or None,
            params.reference_biofluids,
            params.excluded_types,
        )
    tables, log = tumour_origin_tables(adata.obs, counts.T, read_sample_table(inputs.qc), references, params)
    print("\n".join(log), file=sys.stderr)
    for name, table in tables.items():
        write_tsv(table, snakemake.output[name], index=False, float_format="%.6g")
    shown = ["sample", "call", "reason", "top_type", "evidence", "threshold", "p_value"]
    print(tables["calls"][shown].to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
