"""Check every sample's mirGFF3 with mirtop's validator and summarise it with mirtop stats.

mirtop 0.4.30's `mirtop validate` command does nothing (its dispatcher looks for "validator"
while the parser names the command "validate"), so the validator is called here directly and
every ERROR it logs is counted. Each line's UID must also decode, with mirtop, to its Read.
The stats (`*_mirtop_stats.log`) feed MultiQC's mirtop module.

mirtop 0.4.30's stats pad each sample's count and mean blocks with an `isomiR_sum` of 0 (and its sum
block with a `ref_miRNA_mean` of 0), and its log keeps the last value of each, so every sample's log shows
`isomiR_sum` 0. The log is rebuilt here from mirtop's own table, each value from its own block.
"""

import csv
import json
import logging
import os
import shutil
import tempfile
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path

from mirtop.gff import validator
from mirtop.gff.classgff import feature
from mirtop.gff.stats import stats
from mirtop.mirna.realign import read_id


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def problems(gff_paths: Sequence[str | os.PathLike]) -> list[str]:
    """Messages of mirtop's validator, plus lines whose UID does not decode to their Read."""
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    try:
        validator.check_multiple(Namespace(files=[str(path) for path in gff_paths]))
    finally:
        logging.getLogger().removeHandler(counter)
    found = list(counter.messages)
    for path in gff_paths:
        with open(path) as handle:
            for number, line in enumerate(handle, start=1):
                if line.startswith("#"):
                    continue
                attributes = feature(line).attributes
                if read_id(attributes["UID"]) != attributes["Read"]:
                    found.append(f"{path}, line {number}: UID {attributes['UID']} is not {attributes['Read']}")
    return found


def has_features(path: str) -> bool:
    """True when the mirGFF3 at `path` has at least one feature line."""
    with open(path) as handle:
        return any(not line.startswith("#") and line.strip() for line in handle)


def write_stats(gff_paths: list[str], stats_path: str, table_path: str) -> list[str]:
    """mirtop stats of the files that have features, moved into place as `stats_path` (the
    `*_mirtop_stats.log` MultiQC reads) and `table_path`. mirtop stats fails on a file without
    features (a sample with no miRNA read), so such files are left out; they are returned."""
    with_features = [path for path in gff_paths if has_features(path)]
    # Beside the outputs, so the moves below are renames within one filesystem.
    with tempfile.TemporaryDirectory(dir=Path(stats_path).parent) as folder:
        if with_features:
            stats(Namespace(files=with_features, out=folder))
        else:
            Path(folder, "mirtop_stats.log").write_text("{}\n")
            Path(folder, "mirtop_stats.txt").write_text("")
        if with_features:
            corrected_log(Path(folder, "mirtop_stats.log"), Path(folder, "mirtop_stats.txt"))
        shutil.move(Path(folder, "mirtop_stats.log"), stats_path)
        shutil.move(Path(folder, "mirtop_stats.txt"), table_path)
    return sorted(set(gff_paths) - set(with_features))


# mirtop stats writes, per file, blocks of sums, counts and means in this order, each indexed from 0.
BLOCKS = ("sum", "count", "mean")


def block_metrics(table_lines: list[str]) -> dict[str, dict[str, float]]:
    """{sample: {category: value}} from mirtop stats' table (`mirtop_stats.txt`), each value taken from the
    block of its kind (`*_sum` from a sum block, ...), so that padding rows of other blocks are left out."""
    metrics: dict[str, dict[str, float]] = {}
    block = -1
    for index, category, sample, value in csv.reader(line for line in table_lines if not line.startswith("#")):
        if index == "":  # the header row
            continue
        if index == "0":
            block += 1
        if category.endswith("_" + BLOCKS[block % len(BLOCKS)]):
            metrics.setdefault(sample, {})[category] = float(value)
    return metrics


def corrected_log(log_path: Path, table_path: Path) -> None:
    """Rewrite mirtop's stats log with the metrics of its table, read block by block (block_metrics)."""
    log = json.loads(log_path.read_text())
    log["metrics"] = block_metrics(table_path.read_text().splitlines())
    log_path.write_text(json.dumps(log) + "\n")
