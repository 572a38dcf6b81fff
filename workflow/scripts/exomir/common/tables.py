"""Tables written atomically (exomir.common.atomic), for the stages that use pandas; rule inserts
does without pandas, which would add half a second to its start."""

import os
from typing import Any

import pandas as pd

from exomir.common.atomic import atomic_path

# Counts are whole reads or molecules, or 1/N shares of them: ten significant digits keep both
# exact (a float format of fewer digits writes 3,221,000 reads as 3.221e+06).
COUNT_FORMAT = "%.10g"


def write_tsv(table: pd.DataFrame, path: str | os.PathLike, **to_csv: Any) -> None:
    """`table` as a tab-separated file at `path`, atomically; `to_csv` goes to DataFrame.to_csv."""
    with atomic_path(path) as temporary:
        table.to_csv(temporary, sep="\t", **to_csv)


def read_sample_table(path: str | os.PathLike, index: bool = True) -> pd.DataFrame:
    """A table of the workflow with a `sample` column, read back as written: sample names are text
    (`01` stays `01`, `NA` stays `NA`), as is every other text column; only empty cells are missing.
    Indexed by sample unless `index` is False."""
    table = pd.read_csv(path, sep="\t", dtype={"sample": str}, keep_default_na=False, na_values=[""])
    return table.set_index("sample") if index else table
