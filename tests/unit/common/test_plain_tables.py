"""Tables written without pandas' per-cell formatting read back as pandas writes them."""

import gzip

import pandas as pd
import pytest

from exomir.common.plain_tables import write_text_table


def test_text_table_is_what_pandas_writes_plain_and_gzipped(tmp_path):
    table = pd.DataFrame(
        {
            "sequence": ["TGAGGTAGTAGGTTGTATAGTT", "ACGN", "TTTT"],
            "reads": [3_221_000, 1, 0],
            "canonical": [True, False, True],
            "targets": ["tRNA-Gly-GCC 5'_tRF;tRNA-Glu-CTC i-tRF", "", "hsa-mir-21"],
        }
    )
    write_text_table(table, tmp_path / "plain.tsv")
    write_text_table(table, tmp_path / "packed.tsv.gz")
    expected = table.to_csv(sep="\t", index=False)
    assert (tmp_path / "plain.tsv").read_text() == expected
    assert gzip.decompress((tmp_path / "packed.tsv.gz").read_bytes()).decode() == expected


def test_float_columns_are_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(TypeError, match="column count holds floats"):
        write_text_table(pd.DataFrame({"count": [0.5]}), tmp_path / "shares.tsv")
    assert list(tmp_path.iterdir()) == []
