"""Running the workflow from tests and bench/: paths, sample sheets, configs, Snakemake runs and
what Snakemake prints, and the rules as written."""

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import pandas as pd

REPO = Path(__file__).resolve().parents[4]
SHARED_DATA = REPO.parent / "shared" / "data"
EXRNAQC_READS = SHARED_DATA / "reads" / "exRNAQC017_serum_plasma"
RULE_FILES = [REPO / "Snakefile", REPO / "workflow" / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]


def shared_references() -> dict[str, Any]:
    """config/shared-references.yaml with its paths made absolute: the reference sets outside
    the repository that the full analysis reads in place."""
    shared = yaml.safe_load((REPO / "config" / "shared-references.yaml").read_text())

    def absolute(path: str) -> str:
        return str((REPO / path).resolve())

    shared["annotation"] = {key: [absolute(path) for path in paths] for key, paths in shared["annotation"].items()}
    shared["score"] = {key: absolute(path) for key, path in shared["score"].items()}
    return shared


SHEET_COLUMNS = ("sample", "fastq", "biofluid", "kit", "condition")


def demo_config(workdir: Path) -> tuple["pd.DataFrame", Path]:
    """The .test config (samples and references only: everything else from the schema's
    defaults) in `workdir`, its sheet's read paths made absolute: (sheet, config path)."""
    import pandas as pd

    sheet = pd.read_csv(REPO / ".test" / "config" / "samples.tsv", sep="\t")
    sheet["fastq"] = [str((REPO / ".test" / path).resolve()) for path in sheet["fastq"]]
    sheet.to_csv(workdir / "samples.tsv", sep="\t", index=False)
    config = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())
    assert set(config) == {"samples", "references"}
    config["samples"] = str(workdir / "samples.tsv")
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    return sheet, workdir / "config.yaml"


def write_sample_sheet(
    path: str | os.PathLike, rows: Iterable[Sequence[Any]], columns: Sequence[str] = SHEET_COLUMNS
) -> Path:
    """Write a sample sheet from (sample, fastq, biofluid, kit, condition) tuples, or rows of `columns`."""
    lines = ["\t".join(columns)] + ["\t".join(map(str, row)) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)


def renamed_fastq(source: str | os.PathLike, directory: Path, sample: str, reads: int = 1000) -> Path:
    """The first `reads` reads of `source`, `sample` before each read name, as directory/<sample>.fastq.gz:
    a lane for a sheet of many samples that no run reads (the sheet rejects lanes that start alike)."""
    import dnaio

    path = directory / f"{sample}.fastq.gz"
    with dnaio.open(source) as records, dnaio.open(path, mode="w") as out:
        for record in itertools.islice(records, reads):
            out.write(dnaio.SequenceRecord(f"{sample}.{record.name}", record.sequence, record.qualities))
    return path


def exrnaqc_rows() -> list[tuple[str, Path, str, str, str]]:
    """The three real exRNAQC017 samples (two serum, one EDTA plasma; TruSeq small RNA)."""
    files = sorted(EXRNAQC_READS.glob("RNA0149*_R1.fastq.gz"))
    biofluids = {"RNA014937": "serum", "RNA014938": "serum", "RNA014939": "plasma"}
    return [(path.name[:9], path, biofluids[path.name[:9]], "truseq", "healthy") for path in files]


def run_snakemake(workdir: str | os.PathLike, *arguments: Any, check: bool = True) -> subprocess.CompletedProcess:
    """Run the repository's workflow in `workdir` with tools from this interpreter's venv."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "2",
        *map(str, arguments),
    ]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return result


def write_config(workdir: str | os.PathLike, samples: str | os.PathLike, **sections: Any) -> Path:
    """The demo config with `samples` as the sheet and `sections` merged over its top-level
    sections (e.g. **shared_references() for the full analysis); returns the config file path.
    Its repository paths resolve against the workflow wherever it runs."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(samples)
    for section, values in sections.items():
        config[section] = {**config.get(section, {}), **values}
    path = Path(workdir) / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def job_stats(output: str) -> dict[str, int]:
    """Jobs per rule from the "Job stats:" table Snakemake prints; {} when it had nothing to do."""
    lines = [line.strip() for line in output.splitlines()]
    if "Job stats:" not in lines:
        return {}
    counts = {}
    # The table: a "job count" header, a dashed rule, one row per rule, then "total".
    for row in lines[lines.index("Job stats:") + 3 :]:
        rule, count = row.split()
        if rule == "total":
            return counts
        counts[rule] = int(count)
    raise ValueError(f"Job stats table without a total row in:\n{output}")


def rule_directives(rule_files: Sequence[Path] = RULE_FILES) -> dict[str, dict[str, Any]]:
    """{rule: {directive: its text, "file": its .smk}} for every rule in `rule_files`."""
    found = {}
    for path in rule_files:
        rule = directive = None
        indent = 0  # of the rule header: rules may sit inside an `if` block
        for line in path.read_text().splitlines():
            header = re.match(r"( *)(?:rule|checkpoint) (\w+):", line)
            depth = len(line) - len(line.lstrip(" "))
            if header:
                indent, rule, directive = len(header.group(1)), header.group(2), None
                found[rule] = {"file": path}
            elif rule and line.strip() and depth <= indent:
                rule = None  # code at the header's depth ends the rule
            elif rule:
                entry = re.match(rf" {{{indent + 4}}}(\w+):\s*(.*)", line)
                if entry:
                    directive = entry.group(1)
                    found[rule][directive] = entry.group(2)
                elif directive and line.startswith(" " * (indent + 8)):
                    found[rule][directive] += " " + line.strip()
    return found


def quoted(text: str) -> list[str]:
    """The double-quoted strings in a directive's text."""
    return re.findall(r'"([^"]*)"', text)
