"""Tables written atomically (exomir.common.atomic), for the stages that use pandas; rule inserts
does without pandas, which would add half a second to its start."""

import os
from typing import Any

import pandas as pd

from exomir.common.atomic import atomic_path


def write_tsv(table: pd.DataFrame, path: str | os.PathLike, **to_csv: Any) -> None:
    """`table` as a tab-separated file at `path`, atomically; `to_csv` goes to DataFrame.to_csv."""
    with atomic_path(path) as temporary:
        table.to_csv(temporary, sep="\t", **to_csv)
