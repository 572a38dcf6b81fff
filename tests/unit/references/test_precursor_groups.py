import pandas as pd
import pytest

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.references.mirbase import mature_positions, parse_gff3
from exomir.references.precursor_groups import mirna_to_group, precursor_groups, sum_by_group

GFF3 = REPO / "resources" / "mirbase-v22-hsa" / "hsa.gff3"
MATURE = REPO / "resources" / "mirbase-v22-hsa" / "mature.fa"
HAIRPIN = REPO / "resources" / "mirbase-v22-hsa" / "hairpin.fa"


def groups_of(gff3, mature, hairpin, prefix="hsa"):
    """Precursor groups as the rules build them: mature positions from the GFF3, then groups."""
    matures = read_fasta(mature, prefix)
    positions, _ = mature_positions(*parse_gff3(gff3), read_fasta(hairpin, prefix), matures)
    return precursor_groups(positions, matures)


def test_hairpins_sharing_a_mature_sequence_form_one_group():
    groups = groups_of(GFF3, MATURE, HAIRPIN)
    mapping = mirna_to_group(groups)
    assert mapping["hsa-let-7a-5p"] == "hsa-let-7a-1/hsa-let-7a-2/hsa-let-7a-3"
    assert mapping["hsa-let-7a-3p"] == mapping["hsa-let-7a-5p"]
    assert mapping["hsa-miR-21-5p"] == "hsa-mir-21"
    # miR-365a-3p and miR-365b-3p have one sequence, so their hairpins cannot be told apart
    assert mapping["hsa-miR-365a-3p"] == mapping["hsa-miR-365b-3p"] == "hsa-mir-365a/hsa-mir-365b"
    assert groups["mirna"].nunique() == 2656
    assert groups.groupby("mirna")["group"].nunique().max() == 1


@pytest.mark.parametrize("as_series", [False, True], ids=["dict", "Series"])
def test_sum_by_group_drops_unknown_rows(as_series):
    mapping = {"a-5p": "a-1/a-2", "a-3p": "a-1/a-2", "b": "b"}
    table = pd.DataFrame({"s": [1.0, 2.0, 4.0, 8.0]}, index=["a-5p", "a-3p", "b", "unknown"])
    groups = pd.Series(mapping) if as_series else mapping
    assert sum_by_group(table, groups)["s"].to_dict() == {"a-1/a-2": 3.0, "b": 4.0}


def test_mirgenedb_matures_are_placed_in_their_containing_precursor():
    # MirGeneDB's GFF3 has no Derives_from: a mature's precursor is the one that contains it.
    mirgenedb = SHARED_DATA / "references" / "mirgenedb-2.0-hsa"
    groups = groups_of(
        mirgenedb / "hsa_MirGeneDB_v2.0.gff3",
        mirgenedb / "hsa_mature_MirGeneDB_v2.0.fa",
        mirgenedb / "hsa_hairpin_MirGeneDB_v2.0.fa",
    )
    mapping = mirna_to_group(groups)
    assert mapping["Hsa-Mir-21_5p"] == "Hsa-Mir-21_pri"  # named by the hairpins reads align to
    assert mapping["Hsa-Let-7-P1_5p"] == "Hsa-Let-7-P1_pri/Hsa-Let-7-P6_pri/Hsa-Let-7-P7_pri"
    assert groups["precursor"].notna().all() and groups.groupby("mirna")["group"].nunique().max() == 1
