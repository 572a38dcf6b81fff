"""The shipped miRBase v22 reference as the workflow prepares it, for tests and benchmarks that need its
precursor groups without a workflow run."""

import pandas as pd

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO
from exomir.references.mirbase import mature_positions, parse_gff3
from exomir.references.precursor_groups import precursor_groups

MIRBASE = REPO / "resources" / "mirbase-v22-hsa"


def mirbase_groups() -> pd.DataFrame:
    """The precursor group table (group, precursor, mirna, accession) of resources/mirbase-v22-hsa, as rule
    precursor_groups writes it."""
    precursors, matures = parse_gff3(MIRBASE / "hsa.gff3")
    mature = read_fasta(MIRBASE / "mature.fa", "hsa")
    positions, _ = mature_positions(precursors, matures, read_fasta(MIRBASE / "hairpin.fa", "hsa"), mature)
    return precursor_groups(positions, mature)
