"""Alignments as the quantification code takes them, written by test as {row: [alignment, ...]}."""

import pandas as pd
import pytest

from exomir.quantify.align import ALIGNMENT_COLUMNS


@pytest.fixture
def alignment_table():
    """{row: [(tail, reference, start, end, mismatches), ...]} → the alignment table."""

    def table(by_row):
        rows = [(row, *alignment) for row, alignments in by_row.items() for alignment in alignments]
        return pd.DataFrame(rows, columns=ALIGNMENT_COLUMNS).astype({"row": int, "tail": int, "start": int, "end": int})

    return table
