"""Load and validate the sample sheet before any job starts.

Every problem is reported at once, each naming the file, the row and the column, so a
user can fix the sheet in one go instead of discovering errors job by job: the columns and
values (workflow/schemas/samples.schema.yaml), kits, sample names that repeat or differ only
in case, and every lane: present, readable, holding reads (exomir.inserts.check.quick_check),
named once in the whole sheet, read 1 of a pair, and not a copy of another lane; and every sample of a
patient (column `patient`) has a numeric `timepoint` that no other sample of the patient has.

A run from a count table (config `counts_table`) has no reads: its sheet needs no `fastq` column, and a
sheet that names FASTQ files as well is refused, since it would be unclear which of the two to count.
"""

import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from exomir.inserts.check import quick_check
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
    counts_table: str = "",
) -> list[tuple[int, str, str]]:
    record = {key: value for key, value in row.items() if value != ""}
    problems = []
    if counts_table and "fastq" in record:
        message = (
            f"FASTQ given, but the config's counts_table ({counts_table}) is set: a run counts either reads or a "
            "count table; empty the fastq column or leave counts_table empty"
        )
        problems.append((row_number, "fastq", message))
    # FASTQ files are required unless the counts come from a table.
    schema = schema if counts_table else {**schema, "required": [*schema["required"], "fastq"]}
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(record):
        column = error.path[0] if error.path else _missing_column(error)
        problems.append((row_number, column, error.message))
    kit = record.get("kit")
    if kit is not None and kit not in known_kits and kit != AUTO:
        choices = ", ".join([*sorted(known_kits), AUTO])
        problems.append((row_number, "kit", f"unknown kit '{kit}' (known: {choices})"))
    return problems


def _series_problems(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, str, str]]:
    """A sample of a patient (column `patient`) has a numeric timepoint, and no two samples of a patient
    share one: the patient's series is ordered by it (exomir.monitor)."""
    problems = []
    seen: dict[tuple[str, float], tuple[int, str]] = {}
    for row_number, row in rows:
        patient, timepoint = row.get("patient", ""), row.get("timepoint", "")
        if not patient:
            continue
        try:
            value = float(timepoint)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            stated = f"'{timepoint}' is not a number" if timepoint else "missing"
            message = f"timepoint {stated}; every sample of a patient (here '{patient}') needs a numeric timepoint"
            problems.append((row_number, "timepoint", message))
            continue
        earlier = seen.get((patient, value))
        if earlier is not None:
            message = (
                f"patient '{patient}' has two samples at timepoint {timepoint}: this one and "
                f"'{earlier[1]}' (row {earlier[0]}); a series needs one sample per timepoint"
            )
            problems.append((row_number, "timepoint", message))
            continue
        seen[(patient, value)] = (row_number, row.get("sample", ""))
    return problems


def _missing_column(error: jsonschema.ValidationError) -> str:
    # A 'required' error has an empty path; the message names the missing property.
    if error.validator == "required":
        return error.message.split("'")[1]
    return "?"


@dataclass
class _Lane:
    sample: str
    row: int
    path: str  # as written in the sheet
    real: str  # the file it names, links resolved


def _lane_problems(rows: list[tuple[int, dict[str, str]]], base_dir: str | os.PathLike) -> list[tuple[int, str, str]]:
    """Every lane exists, is readable and holds reads (quick_check); no file is named twice, in
    one sample or in two; no lane holds read 2 of a pair, or the same first reads as another
    lane (a copy under another name)."""
    problems = []
    seen: dict[str, _Lane] = {}
    signatures: dict[tuple[tuple[str, str], ...], _Lane] = {}
    for row_number, row in rows:
        sample = row.get("sample", "")
        for lane_path in lanes(row.get("fastq", "")):
            path = Path(base_dir, lane_path)
            if not path.is_file():
                problems.append((row_number, "fastq", f"file not found: {lane_path}"))
                continue
            if not os.access(path, os.R_OK):
                problems.append((row_number, "fastq", f"file not readable: {lane_path}"))
                continue
            lane = _Lane(sample, row_number, lane_path, os.path.realpath(path))
            earlier = seen.get(lane.real)
            if earlier is not None:
                where = "listed twice" if earlier.row == row_number else f"also a lane of sample '{earlier.sample}'"
                problems.append(
                    (row_number, "fastq", f"{lane_path}: {where} (row {earlier.row}); its reads would count twice")
                )
                continue
            seen[lane.real] = lane
            check = quick_check(path)
            if check.problem:
                problems.append((row_number, "fastq", f"{lane_path}: {check.problem}"))
                continue
            if check.read_two:
                message = (
                    f"{lane_path}: its reads are read 2 of a pair ({check.signature[0][0]} is marked 2); "
                    "exomir takes read 1 only"
                )
                problems.append((row_number, "fastq", message))
            twin = signatures.get(check.signature)
            if twin is not None:
                problems.append((row_number, "fastq", _twin_message(lane, twin)))
                continue
            signatures[check.signature] = lane
    return problems


def _twin_message(lane: _Lane, twin: _Lane) -> str:
    where = "another lane of this sample" if twin.sample == lane.sample else f"a lane of sample '{twin.sample}'"
    return (
        f"{lane.path} starts with the same reads as {twin.path} ({where}, row {twin.row}): a copy of one "
        "file under another name; its reads would count twice"
    )


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[tuple[int, str, str]]]:
    """The header and the rows of a tab-separated sheet, each row with its line number.

    Lines that start with `#` and empty lines are skipped; a `#` elsewhere is part of the value.
    Trailing empty fields (a tab at the end of a line) are dropped; a row with more fields than
    the header is a problem, as is a header with an empty or repeated column name.
    """
    problems = []
    text = path.read_text(encoding="utf-8-sig")
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1)]
    numbered = [(number, line) for number, line in numbered if line.strip() and not line.startswith("#")]
    if not numbered:
        return [], [], [(1, "sample", "the sheet has no header and lists no samples")]
    header_line, header_text = numbered[0]
    header = [column.strip() for column in header_text.rstrip("\t ").split("\t")]
    for column in {column for column in header if header.count(column) > 1 or not column}:
        problems.append((header_line, column or "?", "empty or repeated column name in the header"))
    rows = []
    for number, line in numbered[1:]:
        fields = [field.strip() for field in line.split("\t")]
        while len(fields) > len(header) and not fields[-1]:
            fields.pop()
        if len(fields) > len(header):
            problems.append((number, "?", f"{len(fields)} fields, but the header has {len(header)} columns"))
            continue
        rows.append((number, dict(zip(header, fields + [""] * (len(header) - len(fields))))))
    return header, rows, problems


def load_sample_sheet(
    path: str | os.PathLike,
    known_kits: Collection[str],
    base_dir: str | os.PathLike = ".",
    default_kit: str = AUTO,
    counts_table: str | os.PathLike = "",
) -> pd.DataFrame:
    """Read `path` (TSV) and return it indexed by sample, or raise SampleSheetError listing every
    problem with its file, row (the line number in the file) and column.

    A sample without a kit gets `default_kit`. Every value is text: sample names such as `01` or
    `NA` stay as written. With `counts_table` (the config's) the samples have no reads: `fastq` must
    be empty or absent.
    """
    path = Path(path)
    if not path.is_file():
        raise SampleSheetError(f"{path}: sample sheet not found")
    if default_kit not in known_kits and default_kit != AUTO:
        raise SampleSheetError(f"default kit '{default_kit}' is neither a kit of the kits file nor '{AUTO}'")
    header, rows, problems = read_rows(path)
    schema = load_schema()
    allowed = set(schema["properties"])
    for column in header:
        if column and column not in allowed:
            problems.append((1, column, f"unknown column (allowed: {', '.join(sorted(allowed))})"))
    first_seen: dict[str, int] = {}
    folded: dict[str, tuple[str, int]] = {}
    for row_number, row in rows:
        problems += _row_problems(row, row_number, schema, known_kits, str(counts_table))
        sample = row.get("sample", "")
        if sample in first_seen:
            message = f"duplicate sample '{sample}' (first on row {first_seen[sample]})"
            problems.append((row_number, "sample", message))
        elif sample.casefold() in folded:
            other, other_row = folded[sample.casefold()]
            message = (
                f"sample '{sample}' differs from sample '{other}' (row {other_row}) only in case; their files "
                "would collide on a case-insensitive filesystem"
            )
            problems.append((row_number, "sample", message))
        first_seen.setdefault(sample, row_number)
        folded.setdefault(sample.casefold(), (sample, row_number))
    problems += _series_problems(rows)
    if not counts_table:
        problems += _lane_problems(rows, base_dir)
    if header and not rows:
        problems.append((1, "sample", "the sheet lists no samples"))
    if problems:
        lines = [f"{path}: row {row}, column '{column}': {message}" for row, column, message in sorted(problems)]
        raise SampleSheetError("invalid sample sheet:\n  " + "\n  ".join(lines))
    sheet = pd.DataFrame([row for _, row in rows], columns=header, dtype=str)
    for column in ("batch", "kit"):
        if column not in sheet.columns:
            sheet[column] = ""
    sheet["kit"] = sheet["kit"].replace("", default_kit)
    return sheet.set_index("sample", drop=False)
