"""Rule import_counts: a count table → cohort matrices, normalisations and the AnnData (exomir.counts.imported)."""

import sys

import pandas as pd

from exomir.common.atomic import atomic_path, write_json
from exomir.common.tables import write_tsv
from exomir.counts.features import FeatureLookup
from exomir.counts.imported import MirnaNames, imported_matrices, read_counts_table
from exomir.counts.matrix import TABLE_FORMATS


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, params = snakemake.input, snakemake.params
    references = MirnaNames.from_references(inputs.mature, inputs.hairpin, params.species_prefix)
    table = read_counts_table(inputs.table, params.samples, references, sheet=params.sheet)
    print("\n".join(table.log_lines()), file=sys.stderr)
    lookup = FeatureLookup.from_pairs(table.level, pd.read_csv(inputs.groups, sep="\t"))
    sheet = pd.DataFrame(params.sample_sheet).set_index("sample")
    tables, adata = imported_matrices(table, sheet, references, lookup)
    print("not produced from a count table (they need reads): isomiR, biotype and spike-in tables", file=sys.stderr)
    written = set(snakemake.output.keys())
    for output, (name, float_format) in TABLE_FORMATS.items():
        if output in written:
            write_tsv(tables[name], snakemake.output[output], float_format=float_format)
    with atomic_path(snakemake.output.h5ad) as temporary:
        adata.write_h5ad(temporary)
    write_json(table.summary(), snakemake.output.summary)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
