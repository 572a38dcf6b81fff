"""Rule precursor_groups: hairpins linked by an identical mature form one group (exomir.references.precursor_groups)."""

import sys

import pandas as pd

from exomir.common.fasta import read_fasta
from exomir.common.tables import write_tsv
from exomir.references.precursor_groups import precursor_groups


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    positions = pd.read_csv(snakemake.input.positions, sep="\t")
    groups = precursor_groups(positions, read_fasta(snakemake.input.mature, snakemake.params.species_prefix))
    write_tsv(groups, snakemake.output.groups, index=False)
    sizes = groups.groupby("group")["precursor"].nunique()
    print(
        f"{groups['precursor'].nunique()} precursors, {groups['mirna'].nunique()} mature miRNAs, "
        f"{len(sizes)} groups ({(sizes > 1).sum()} with several precursors)",
        file=sys.stderr,
    )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
