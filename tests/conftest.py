"""Shared test set-up: importable workflow scripts, data paths and a workflow runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXRNAQC_READS = SHARED_DATA / "reads" / "exRNAQC017_serum_plasma"

def _shared_references():
    """config/shared-references.yaml with its paths made absolute: the reference sets outside
    the repository that the full analysis reads in place."""
    shared = yaml.safe_load((REPO / "config" / "shared-references.yaml").read_text())

    def absolute(path):
        return str((REPO / path).resolve())

    shared["annotation"] = {key: [absolute(path) for path in paths] for key, paths in shared["annotation"].items()}
    shared["score"] = {key: absolute(path) for key, path in shared["score"].items()}
    return shared


SHARED_REFERENCES = _shared_references()
SHARED_ANNOTATION = SHARED_REFERENCES["annotation"]

sys.path.insert(0, str(REPO / "workflow" / "scripts"))


def write_sample_sheet(path, rows):
    """Write a sample sheet from (sample, fastq, biofluid, kit, condition) tuples."""
    lines = ["sample\tfastq\tbiofluid\tkit\tcondition"] + ["\t".join(map(str, row)) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)


def exrnaqc_rows():
    """The three real exRNAQC017 samples (two serum, one EDTA plasma; TruSeq small RNA)."""
    files = sorted(EXRNAQC_READS.glob("RNA0149*_R1.fastq.gz"))
    biofluids = {"RNA014937": "serum", "RNA014938": "serum", "RNA014939": "plasma"}
    return [(path.name[:9], path, biofluids[path.name[:9]], "truseq", "healthy") for path in files]


def run_snakemake(workdir, *arguments, check=True):
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
        raise AssertionError(f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def write_config(workdir, samples, **sections):
    """The demo config with repository paths made absolute, `samples` as the sheet and
    `sections` merged over its top-level sections (e.g. **SHARED_REFERENCES for the full
    analysis); returns the config file path."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["kits"] = str(REPO / config["kits"])
    config["score"]["signatures"] = str(REPO / config["score"]["signatures"])
    for key in ("mature", "hairpin", "gff3"):
        config["references"][key] = str(REPO / config["references"][key])
    for section, key in (("qc", "markers"), ("score", "tcga_renames")):
        config[section][key] = str((REPO / config[section][key]).resolve())
    config["samples"] = str(samples)
    for section, values in sections.items():
        config[section] = {**config.get(section, {}), **values}
    path = Path(workdir) / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="session")
def exrnaqc_run(tmp_path_factory):
    """One full workflow run on the three real exRNAQC samples, shared by the tests."""
    workdir = tmp_path_factory.mktemp("exrnaqc")
    sheet = write_sample_sheet(workdir / "samples.tsv", exrnaqc_rows())
    run_snakemake(workdir, "--configfile", write_config(workdir, sheet, **SHARED_REFERENCES))
    return workdir
