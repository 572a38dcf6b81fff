"""Load and validate the sample sheet before any job starts.

Every problem is reported at once, each naming the file, the row and the column, so a
user can fix the sheet in one go instead of discovering errors job by job.
"""

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from exomir.inserts.kits import AUTO

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "schemas" / "samples.schema.yaml"


class SampleSheetError(ValueError):
    """The sample sheet has one or more problems; the message lists them all."""


def load_schema() -> dict[str, Any]:
    with open(SCHEMA_PATH) as handle:
        return yaml.safe_load(handle)


def lanes(fastq_field: str) -> list[str]:
    """Split the `fastq` column into its lanes (comma-separated paths)."""
    return [path.strip() for path in str(fastq_field).split(",") if path.strip()]


def _row_problems(
    row: Mapping[str, str],
    row_number: int,
    schema: Mapping[str, Any],
    known_kits: Collection[str],
    base_dir: str | os.PathLike,
) -> list[tuple[int, str, str]]:
    record = {key: value for key, value in row.items() if value != ""}
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(record):
        column = error.path[0] if error.path else _missing_column(error)
        problems.append((row_number, column, error.message))
    kit = record.get("kit")
    if kit is not None and kit not in known_kits and kit != AUTO:
        choices = ", ".join([*sorted(known_kits), AUTO])
        problems.append((row_number, "kit", f"unknown kit '{kit}' (known: {choices})"))
    for lane in lanes(record.get("fastq", "")):
        path = Path(base_dir, lane)
        if not path.is_file():
            problems.append((row_number, "fastq", f"file not found: {lane}"))
        elif not os.access(path, os.R_OK):
            problems.append((row_number, "fastq", f"file not readable: {lane}"))
    return problems


def _missing_column(error: jsonschema.ValidationError) -> str:
    # A 'required' error has an empty path; the message names the missing property.
    if error.validator == "required":
        return error.message.split("'")[1]
    return "?"


def load_sample_sheet(
    path: str | os.PathLike,
    known_kits: Collection[str],
    base_dir: str | os.PathLike = ".",
    default_kit: str = AUTO,
) -> pd.DataFrame:
    """Read `path` (TSV) and return it indexed by sample, or raise SampleSheetError.

    A sample without a kit gets `default_kit`. Row numbers in messages count the header as
    line 1, as a spreadsheet shows them.
    """
    path = Path(path)
    if not path.is_file():
        raise SampleSheetError(f"{path}: sample sheet not found")
    if default_kit not in known_kits and default_kit != AUTO:
        raise SampleSheetError(f"default kit '{default_kit}' is neither a kit of the kits file nor '{AUTO}'")
    sheet = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    sheet.columns = [column.strip() for column in sheet.columns]
    schema = load_schema()
    problems = []
    allowed = set(schema["properties"])
    for column in sheet.columns:
        if column not in allowed:
            problems.append((1, column, f"unknown column (allowed: {', '.join(sorted(allowed))})"))
    first_seen = {}
    for index, row in sheet.iterrows():
        row_number = index + 2
        row = {key: value.strip() for key, value in row.items()}
        problems += _row_problems(row, row_number, schema, known_kits, base_dir)
        sample = row.get("sample", "")
        if sample in first_seen:
            message = f"duplicate sample '{sample}' (first on row {first_seen[sample]})"
            problems.append((row_number, "sample", message))
        first_seen.setdefault(sample, row_number)
    if sheet.empty:
        problems.append((1, "sample", "the sheet lists no samples"))
    if problems:
        lines = [f"{path}: row {row}, column '{column}': {message}" for row, column, message in problems]
        raise SampleSheetError("invalid sample sheet:\n  " + "\n  ".join(lines))
    if "batch" not in sheet.columns:
        sheet["batch"] = ""
    if "kit" not in sheet.columns:
        sheet["kit"] = ""
    sheet["kit"] = sheet["kit"].str.strip().replace("", default_kit)
    sheet = sheet.apply(lambda column: column.str.strip())
    return sheet.set_index("sample", drop=False)
