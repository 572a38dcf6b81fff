"""The workflow runs from anywhere: from the root of a copy of the repository, with `--directory`
(every other workflow test), as a `module` of another Snakefile, and deployed the way snakedeploy
deploys it: a project folder with its own config/ and a Snakefile that uses the workflow as a
module. All give the same counts. And the optional genome pass, on a small genome FASTA."""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from exomir.devtools.runs import REPO, run_snakemake

READS = REPO / "resources" / "demo" / "demo_plasma_truseq.fastq.gz"
TRUTH = REPO / "resources" / "demo" / "demo_plasma_truseq.truth.tsv.gz"
MINIMAL = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())


def project_config(folder):
    """config/config.yaml (samples and references only) and config/samples.tsv of one sample."""
    (folder / "config").mkdir(parents=True)
    sheet = folder / "config" / "samples.tsv"
    sheet.write_text(f"sample\tfastq\tbiofluid\tkit\tcondition\none\t{READS}\tplasma\ttruseq\thealthy\n")
    (folder / "config" / "config.yaml").write_text(yaml.safe_dump(MINIMAL | {"samples": "config/samples.tsv"}))


def snakemake_in(folder, *arguments):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


WORKFLOW = REPO / "workflow" / "Snakefile"
MODULE = f'module exomir:\n    snakefile:\n        "{WORKFLOW}"\n    config:\n        config\n\n\n'


def counts(folder):
    return pd.read_csv(folder / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")


@pytest.fixture(scope="module")
def directory_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("directory")
    project_config(folder)
    run_snakemake(folder, "results/counts/mirna_counts.tsv", "--configfile", folder / "config" / "config.yaml")
    return folder


def test_from_the_root_of_a_copy_of_the_repository(tmp_path, directory_run):
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    copy = tmp_path / "exomir copy"
    for name in files:
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    # As a user of a clone does: the sample sheet in config/, the shipped config/config.yaml.
    (copy / "config" / "samples.tsv").write_text(
        f"sample\tfastq\tbiofluid\tkit\tcondition\none\t{READS}\tplasma\ttruseq\thealthy\n"
    )
    snakemake_in(copy, "results/counts/mirna_counts.tsv")
    assert counts(copy).equals(counts(directory_run))


def test_as_a_module_of_another_snakefile(tmp_path, directory_run):
    project_config(tmp_path)
    (tmp_path / "Snakefile").write_text(
        'configfile: "config/config.yaml"\n\n\n' + MODULE + "use rule * from exomir as exomir_*\n\n\n"
        "rule everything:\n    input:\n        rules.exomir_all.input,\n    default_target: True\n"
    )
    snakemake_in(tmp_path)
    assert counts(tmp_path).equals(counts(directory_run))
    assert (tmp_path / "results" / "report" / "multiqc_report.html").is_file()


def test_deployed_into_a_project_folder(tmp_path, directory_run):
    # What `snakedeploy deploy-workflow <repository> <folder>` writes, with the repository as a local path.
    project_config(tmp_path)
    (tmp_path / "workflow").mkdir()
    (tmp_path / "workflow" / "Snakefile").write_text(
        'configfile: "config/config.yaml"\n\n\n' + MODULE + "use rule * from exomir\n"
    )
    snakemake_in(tmp_path, "all")
    assert counts(tmp_path).equals(counts(directory_run))
    assert (tmp_path / "results" / "scores" / "scored.h5ad").is_file()


def test_the_genome_pass_builds_its_index_and_counts_genome_reads(tmp_path):
    # A small "genome": the demo's random inserts, end to end, with spacers between them.
    truth = pd.read_csv(TRUTH, sep="\t", keep_default_na=False)
    random_inserts = truth.loc[truth["biotype"] == "random", "insert"].head(200)
    genome = tmp_path / "genome.fa.gz"
    with gzip.open(genome, "wt") as handle:
        handle.write(">chrT\n" + "GGGGCCCC".join(random_inserts) + "\n")
    project_config(tmp_path)
    config = yaml.safe_load((tmp_path / "config" / "config.yaml").read_text())
    config["annotation"] = {"genome_fasta": str(genome)}
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    run_snakemake(tmp_path, "results/qc/sample_qc.tsv", "--configfile", tmp_path / "config" / "config.yaml")
    assert (tmp_path / "results" / "references" / "genome.1.ebwt").is_file()
    biotypes = pd.read_csv(tmp_path / "results" / "counts" / "biotype_reads.tsv", sep="\t", index_col="biotype")
    assert biotypes.loc["genome", "one"] >= 150
    qc = pd.read_csv(tmp_path / "results" / "qc" / "sample_qc.tsv", sep="\t", index_col="sample")
    assert 0.5 < qc.loc["one", "transcriptome_genome_ratio"] < 1.0
