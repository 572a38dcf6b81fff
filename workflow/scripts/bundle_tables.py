"""Rule bundle_tables: the bundle's tissue reference and healthy baselines (exomir.references.bundle)."""

import sys
from pathlib import Path

from exomir.common.atomic import atomic_path
from exomir.common.tables import write_tsv
from exomir.references.bundle import healthy_baselines, tissue_reference, write_tsv_gz


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, outputs = snakemake.input, snakemake.output
    with atomic_path(outputs.tissues) as temporary:
        tissue_reference(inputs.tissues, snakemake.params.tissues).to_csv(temporary)
    tables, index, libraries = healthy_baselines(inputs.counts, inputs.annotation)
    folder = Path(outputs.baselines)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with atomic_path(folder / f"{name}.tsv.gz") as temporary, open(temporary, "wb") as handle:
            write_tsv_gz(table, handle)
    write_tsv(index, folder / "index.tsv", index=False)
    write_tsv(libraries, folder / "libraries.tsv", index=False)
    print(index.to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
