"""A sample's isomiR table as mirGFF3, the exchange format of the miRTop project, written with
mirtop's own classes (version of the installed mirtop).

An export beside the counts, not on their path: the counts never wait for it.
"""

import sys

import pandas as pd
from mirtop.gff import header
from mirtop.gff.classgff import feature
from mirtop.mirna.realign import make_cigar, make_id

from atomic import atomic_path
from fasta import read_fasta


def mirgff3_lines(isomirs, sample, database, hairpins):
    """mirGFF3 (version of the installed mirtop) text of one sample's isomiR table.

    Expression is the insert's molecule count; Hits is the number of miRNAs it is split between.
    Inserts with an N have no mirGFF3 UID and are left out (they are counted in the tables);
    returns (lines, number left out).
    """
    lines = [header.create([sample], database, header.make_tools(["exomir"])) + "\n"]
    left_out = 0
    for row in isomirs.itertuples(index=False):
        if "N" in row.sequence:
            left_out += 1
            continue
        reference = hairpins[row.hairpin][row.start - 1 : row.start - 1 + len(row.sequence)]
        fields = {
            "seq_name": row.sequence,
            "idseq": make_id(row.sequence),
            "name": row.mirna,
            "parent": row.hairpin,
            "variant": row.variant,
            "cigar": make_cigar(row.sequence, reference.ljust(len(row.sequence), "-")),
            "counts": int(row.molecules),
            "filter": "Pass",
            "hits": row.hits,
            "chrom": row.hairpin,
            "database": database,
            "source": "ref_miRNA" if row.canonical else "isomiR",
            "start": row.start,
            "end": row.end,
            "score": ".",
            "strand": "+",
        }
        lines.append(feature(fields).line + "\n")
    return lines, left_out


def read_isomirs(path):
    """A sample's isomiR table as quantify_mirnas.py wrote it."""
    # "NA" is the variant of a canonical sequence, not a missing value.
    return pd.read_csv(path, sep="\t", keep_default_na=False)


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w")
    isomirs = read_isomirs(snakemake.input.isomirs)
    hairpins = read_fasta(snakemake.input.hairpins)
    lines, left_out = mirgff3_lines(isomirs, snakemake.params.sample, snakemake.params.database, hairpins)
    print(f"mirGFF3: {left_out} isomiR rows with an N left out (no UID for them)", file=sys.stderr)
    with atomic_path(snakemake.output.gff) as temporary, open(temporary, "w") as handle:
        handle.writelines(lines)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
