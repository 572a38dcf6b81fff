import pytest

from exomir.common.fasta import accession_names
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.references.baseline import baseline_counts, load_accession_counts

TABLE = SHARED_DATA / "expected" / "exRNAQC017" / "allmiRs_subs.txt"


def test_exrnaqc_table_becomes_named_counts():
    names = accession_names(REPO / "resources" / "mirbase-v22-hsa" / "mature.fa")
    counts, unknown = baseline_counts(load_accession_counts(TABLE), names)
    assert counts.shape == (1120, 90) and unknown == []
    assert counts.index.name == "mirna"
    assert counts.sum().min() > 100_000
    assert counts.sum(axis=1).idxmax() == "hsa-miR-486-5p"
    assert {"RNA014937", "RNA014938", "RNA014939"} <= set(counts.columns)


def test_table_without_accessions_is_rejected(tmp_path):
    path = tmp_path / "counts.txt"
    path.write_text("mirna\ts1\nhsa-miR-21-5p\t3\n")
    with pytest.raises(ValueError, match=rf"{path}: expected miRBase accessions"):
        load_accession_counts(path)
