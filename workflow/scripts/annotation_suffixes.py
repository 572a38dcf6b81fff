"""Rule annotation_suffixes: the annotation reference's suffix array (exomir.quantify.exact)."""

import numpy as np

from exomir.common.atomic import atomic_path
from exomir.quantify.exact import suffix_order


def main(snakemake):
    order = suffix_order(snakemake.input[0])
    with atomic_path(snakemake.output[0]) as temporary, open(temporary, "wb") as handle:
        np.save(handle, order)
    with open(snakemake.log[0], "w") as log:
        log.write(f"{len(order)} suffixes of {snakemake.input[0]}\n")


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
