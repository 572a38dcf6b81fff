"""Counts from a table: the kind of names detected, rows left out and summed, and every error named with
the file, row and column."""

import gzip

import numpy as np
import pandas as pd
import pytest

from exomir.counts.features import FeatureLookup
from exomir.counts.imported import CountsTableError, MirnaNames, imported_matrices, read_counts_table
from exomir.devtools.runs import REPO

MIRBASE = REPO / "resources" / "mirbase-v22-hsa"
REFERENCES = MirnaNames.from_references(MIRBASE / "mature.fa", MIRBASE / "hairpin.fa", "hsa")
SAMPLES = ["s1", "s2", "s3"]


def write(path, lines, delimiter="\t"):
    text = "\n".join(delimiter.join(map(str, fields)) for fields in lines) + "\n"
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def problems(path, samples=SAMPLES):
    with pytest.raises(CountsTableError) as error:
        read_counts_table(path, samples, REFERENCES, sheet="samples.tsv")
    return str(error.value)


def test_the_references_give_names_accessions_and_precursors():
    assert REFERENCES.mature["hsa-miR-21-5p"] == "MIMAT0000076"
    assert REFERENCES.accessions["MIMAT0000076"] == "hsa-miR-21-5p"
    assert REFERENCES.precursors["hsa-mir-21"] == "MI0000077"
    assert "hsa-mir-21" not in REFERENCES.mature and "hsa-miR-21-5p" not in REFERENCES.precursors


def test_a_precursor_table_stays_at_precursor_level_and_leaves_out_other_rna(tmp_path):
    path = write(
        tmp_path / "counts.tsv",
        [
            ["precursor", "s1", "s2", "s3"],
            ["hsa-mir-451a", 900, 40, 3],
            ["piR-hsa-28723", 5, 5, 5],
            ["hsa-mir-23a", 30, 20, 10],
            ["tRF-Gly-GCC-001", 1, 2, 3],
            ["hsa-miR-21-5p", 7, 7, 7],  # a mature name in a precursor table is not a precursor
        ],
    )
    table = read_counts_table(path, SAMPLES, REFERENCES)
    assert table.kind == "precursor" and table.level == "precursor"
    assert table.dropped == ["piR-hsa-28723", "tRF-Gly-GCC-001", "hsa-miR-21-5p"]
    assert table.of_other_kinds == 1
    assert list(table.counts.index) == ["hsa-mir-23a", "hsa-mir-451a"]
    assert table.counts.loc["hsa-mir-451a"].tolist() == [900.0, 40.0, 3.0]
    assert table.summary()["dropped_rows"] == 3 and table.summary()["kind"] == "precursor names"
    assert any("3 rows left out" in line and "piR-hsa-28723" in line for line in table.log_lines())


def test_a_gzipped_csv_of_mature_names_sums_duplicate_rows_in_sheet_order(tmp_path):
    path = write(
        tmp_path / "counts.csv.gz",
        [
            ["", "s3", "s1", "s2"],
            ['"hsa-miR-21-5p"', 1, 2, 3],
            ["hsa-miR-16-5p", 10, 20, 30],
            ["hsa-miR-21-5p", 4, 5, 6.5],
        ],
        delimiter=",",
    )
    table = read_counts_table(path, SAMPLES, REFERENCES)
    assert table.kind == "mature" and table.level == "mature"
    assert list(table.counts.columns) == SAMPLES
    assert table.counts.loc["hsa-miR-21-5p"].tolist() == [7.0, 9.5, 5.0]  # s1, s2, s3
    assert table.duplicates == ["hsa-miR-21-5p"] and table.dropped == []
    assert any("summed" in line and "hsa-miR-21-5p" in line for line in table.log_lines())


def test_mimat_accessions_become_mature_names(tmp_path):
    path = write(
        tmp_path / "counts.tsv",
        [
            ["accession", "s1", "s2", "s3"],
            ["MIMAT0000076", 3, 0, 1],
            ["MIMAT0002174", 8, 9, 10],
            ["MIMAT9999999", 1, 1, 1],
        ],
    )
    table = read_counts_table(path, SAMPLES, REFERENCES)
    assert table.kind == "accession" and table.level == "mature"
    assert table.counts.loc["hsa-miR-21-5p"].tolist() == [3.0, 0.0, 1.0]
    assert table.counts.loc["hsa-miR-484"].tolist() == [8.0, 9.0, 10.0]
    assert table.dropped == ["MIMAT9999999"]


def test_a_header_without_a_cell_above_the_names_is_read(tmp_path):
    path = write(tmp_path / "counts.tsv", [["s1", "s2", "s3"], ["hsa-mir-21", 1, 2, 3]])
    assert read_counts_table(path, SAMPLES, REFERENCES).counts.loc["hsa-mir-21"].tolist() == [1.0, 2.0, 3.0]


def test_columns_and_samples_that_differ_are_both_named(tmp_path):
    path = write(tmp_path / "counts.tsv", [["mirna", "s1", "s2", "S3", "extra"], ["hsa-mir-21", 1, 2, 3, 4]])
    message = problems(path)
    assert f"{path}: header: column(s) 'S3', 'extra' are not samples of samples.tsv" in message
    assert f"{path}: header: sample(s) 's3' of samples.tsv have no column in the table" in message


def test_repeated_columns_are_refused(tmp_path):
    path = write(tmp_path / "counts.tsv", [["mirna", "s1", "s2", "s3", "s2"], ["hsa-mir-21", 1, 2, 3, 4]])
    assert "header: column(s) 's2' appear more than once" in problems(path)


def test_counts_that_are_not_numbers_or_negative_name_row_and_column(tmp_path):
    path = write(
        tmp_path / "counts.tsv",
        [
            ["mirna", "s1", "s2", "s3"],
            ["hsa-mir-21", 1, "12a", 3],
            ["hsa-mir-16-1", -4, 2, 3],
            ["hsa-mir-451a", 1, "", "NA"],
            ["hsa-mir-23a", "inf", 1, 1],
        ],
    )
    message = problems(path)
    assert f"{path}: row 2 (hsa-mir-21), column 's2': count '12a' is not a number" in message
    assert f"{path}: row 3 (hsa-mir-16-1), column 's1': count '-4' is negative" in message
    assert f"{path}: row 4 (hsa-mir-451a), column 's2': count '' is empty" in message
    assert f"{path}: row 4 (hsa-mir-451a), column 's3': count 'NA' is not a number" in message
    assert f"{path}: row 5 (hsa-mir-23a), column 's1': count 'inf' is not a number" in message


def test_a_row_of_another_width_is_named(tmp_path):
    rows = [["mirna", "s1", "s2", "s3"], ["hsa-mir-21", 1, 2, 3], ["hsa-mir-16-1", 1, 2]]
    path = write(tmp_path / "counts.tsv", rows)
    assert f"{path}: row 3: 3 fields, but the header names 3 samples" in problems(path)


def test_a_table_without_any_known_mirna_is_an_error(tmp_path):
    path = write(tmp_path / "counts.tsv", [["gene", "s1", "s2", "s3"], ["ENSG00000141510", 1, 2, 3], ["TP53", 4, 5, 6]])
    message = problems(path)
    assert f"{path}: column 1: no row names a known miRNA" in message and "'ENSG00000141510', 'TP53'" in message


def test_an_empty_table_is_an_error(tmp_path):
    path = write(tmp_path / "counts.tsv", [["mirna", "s1", "s2", "s3"]])
    assert f"{path}: needs a header and at least one row" in problems(path)


def test_the_anndata_keeps_the_level_the_source_and_the_precursors_of_each_mature(tmp_path):
    path = write(
        tmp_path / "counts.tsv",
        [["precursor", "s1", "s2", "s3"], ["hsa-mir-16-1", 10, 0, 5], ["hsa-mir-16-2", 30, 4, 5], ["snoRD44", 1, 1, 1]],
    )
    table = read_counts_table(path, SAMPLES, REFERENCES)
    groups = pd.DataFrame(
        {
            "mirna": ["hsa-miR-16-5p", "hsa-miR-16-5p", "hsa-miR-16-1-3p", "hsa-miR-16-2-3p"],
            "precursor": ["hsa-mir-16-1", "hsa-mir-16-2", "hsa-mir-16-1", "hsa-mir-16-2"],
        }
    )
    sheet = pd.DataFrame({"biofluid": ["plasma"] * 3, "condition": ["healthy"] * 3}, index=SAMPLES)
    tables, adata = imported_matrices(table, sheet, REFERENCES, FeatureLookup.from_pairs("precursor", groups))
    assert adata.shape == (3, 2) and list(adata.var_names) == ["hsa-mir-16-1", "hsa-mir-16-2"]
    assert np.array_equal(adata.layers["counts"], [[10, 30], [0, 4], [5, 5]])
    assert set(adata.layers) == {"counts", "cpm", "tmm_cpm"}
    assert np.allclose(adata.layers["cpm"].sum(axis=1), 1e6)
    assert list(adata.var["accession"]) == ["MI0000070", "MI0000115"]
    assert adata.uns["feature_level"] == "precursor" and adata.uns["counts_table"] == str(path)
    assert adata.uns["counts_table_dropped_rows"] == 1
    assert FeatureLookup.of(adata).features("hsa-miR-16-5p") == ("hsa-mir-16-1", "hsa-mir-16-2")
    assert list(tables["factors"].columns) == ["mirna_molecules", "tmm_factor", "tmm_library_size"]
