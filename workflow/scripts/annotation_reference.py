"""Rule annotation_reference: every biotype's sequences in one FASTA (exomir.references.annotation)."""

import pandas as pd

from exomir.common.atomic import write_lines
from exomir.common.fasta import read_fasta
from exomir.common.tables import write_tsv
from exomir.references.annotation import annotation_records, record_table, shadowed_matures


def main(snakemake):
    sets = snakemake.params.sets
    hairpins = read_fasta(snakemake.input.hairpins)
    records = annotation_records(
        hairpins, sets["spike_ins"], sets["trna"], sets["rrna"], sets["ncrna"], sets["artifacts"]
    )
    write_lines((f">{name}\n{sequence}\n" for name, *_, sequence in records), snakemake.output.fasta)
    table = record_table(records)
    write_tsv(table, snakemake.output.records, index=False)
    shadowed = shadowed_matures(records, pd.read_csv(snakemake.input.positions, sep="\t"))
    write_tsv(shadowed, snakemake.output.shadowed, index=False)
    with open(snakemake.log[0], "w") as log:
        log.write(table["biotype"].value_counts().to_string() + "\n")
        log.write(f"{shadowed['mirna'].nunique()} matures lie inside a higher-priority biotype\n")


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
