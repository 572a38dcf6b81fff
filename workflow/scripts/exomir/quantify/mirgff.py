"""A sample's isomiR table as mirGFF3, the exchange format of the miRTop project, written with
mirtop's own classes (version of the installed mirtop).

An export beside the counts, not on their path: the counts never wait for it.
"""

import os
from collections.abc import Mapping

import pandas as pd
from mirtop.gff import header
from mirtop.gff.classgff import feature
from mirtop.mirna.realign import make_cigar, make_id


def mirgff3_lines(
    isomirs: pd.DataFrame, sample: str, database: str, hairpins: Mapping[str, str]
) -> tuple[list[str], int]:
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


def read_isomirs(path: str | os.PathLike) -> pd.DataFrame:
    """A sample's isomiR table as quantify_mirnas.py wrote it."""
    # "NA" is the variant of a canonical sequence, not a missing value.
    return pd.read_csv(path, sep="\t", keep_default_na=False)
