"""Rule bundle_qc_reference: the healthy blood-index reference of the sample QC (exomir.qc.healthy)."""

import sys

from exomir.common.markers import load_markers
from exomir.common.tables import write_tsv
from exomir.qc.healthy import blood_reference


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs = snakemake.input
    reference = blood_reference(inputs.counts, inputs.annotation, inputs.mature, load_markers(inputs.markers))
    write_tsv(reference, snakemake.output.reference, index=False, float_format="%.6g")
    print(reference.to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
