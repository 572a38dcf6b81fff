"""Rule tcga_atlas: TCGA tumour and normal profiles per precursor group (exomir.references.tcga_atlas)."""

import sys

import pandas as pd

from exomir.common.atomic import atomic_path
from exomir.common.tables import write_tsv
from exomir.references.bundle import write_tsv_gz
from exomir.references.tcga_atlas import atlas_tables, load_tcga


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    groups = pd.read_csv(snakemake.input.groups, sep="\t")
    renames = pd.read_csv(snakemake.input.renames, sep="\t", dtype=str)
    rpm, samples = load_tcga(snakemake.input.rpm, snakemake.input.samples)
    tables, summary = atlas_tables(rpm, samples, groups, renames, dict(snakemake.params.items()))
    # Rounded values rather than a float_format: pandas writes those several times faster.
    output = snakemake.output
    write_tsv(tables["profiles"].round(4), output.profiles)
    write_tsv(tables["info"], output.info, index=False)
    write_tsv(tables["tumour_vs_normal"].round(4), output.tumour_vs_normal, index=False)
    # Reproducible bytes (no file name or time stamp in the gzip header): the atlas is in the bundle.
    with atomic_path(output.holdout) as temporary, open(temporary, "wb") as handle:
        write_tsv_gz(tables["holdout"].round(3), handle)
    print(summary, file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
