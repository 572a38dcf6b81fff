"""Rule precursor_groups: hairpins linked by an identical mature form one group (exomir.references.precursor_groups)."""

import sys

from exomir.common.tables import write_tsv
from exomir.references.precursor_groups import precursor_groups


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    groups = precursor_groups(snakemake.input.gff3, snakemake.input.mature, snakemake.params.species_prefix)
    write_tsv(groups, snakemake.output.groups, index=False)
    sizes = groups.groupby("group")["precursor"].nunique()
    print(
        f"{groups['precursor'].nunique()} precursors, {groups['mirna'].nunique()} mature miRNAs, "
        f"{len(sizes)} groups ({(sizes > 1).sum()} with several precursors)",
        file=sys.stderr,
    )


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
