"""The bad-input matrix at workflow level: what only a run can show. Sheet cases (names, lanes,
files that are not reads, mates and copies, comments, tabs) are unit tests in
tests/unit/common/test_samplesheet.py.

One "facility" run holds the awkward-but-valid inputs together: a project directory whose name
has a space and shell metacharacters, numeric and NA-like sample names, lowercase and CRLF
reads, an adapter-dimer library, N-rich reads and a declared kit the reads contradict."""

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dnaio
import pandas as pd
import pytest
import yaml

from exomir.devtools.runs import REPO, run_snakemake, write_config

DEMO = REPO / "resources" / "demo"
TRUSEQ_ADAPTER = "TGGAATTCTCGGGTGCCAAGG"
PROFILE = REPO / "workflow" / "profiles" / "default"


def rewrite(source, target, sequence=lambda s: s, prefix="x", newline="\n", reads=None):
    """A copy of a FASTQ.gz with renamed reads (so that it is no copy of the source) and each
    sequence passed through `sequence`."""
    with dnaio.open(source) as records, gzip.open(target, "wt", newline="") as out:
        for number, record in enumerate(records):
            if reads is not None and number >= reads:
                break
            bases = sequence(record.sequence)
            quality = (record.qualities * 2)[: len(bases)]
            out.write(f"@{prefix}{number}{newline}{bases}{newline}+{newline}{quality}{newline}")
    return target


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def facility_sheet(folder):
    reads = folder / "reads dir"
    reads.mkdir()
    truseq, nebnext = DEMO / "demo_plasma_truseq.fastq.gz", DEMO / "demo_serum_nebnext.fastq.gz"
    dimer = "ACGTAC" + TRUSEQ_ADAPTER + "ATCTCGTATGCCGTCTTCTGCTTG"
    rows = [
        ("01", truseq, "plasma", "truseq"),
        ("NA", nebnext, "serum", "nebnext"),
        ("3", DEMO / "demo_plasma_nextflex.fastq.gz", "plasma", "nextflex_v3"),
        ("lower", rewrite(truseq, reads / "lower.fq.gz", str.lower, "low"), "plasma", "truseq"),
        ("crlf", rewrite(truseq, reads / "crlf.fq.gz", prefix="crlf", newline="\r\n"), "plasma", "auto"),
        (
            "dimers",
            rewrite(truseq, reads / "dimers.fq.gz", lambda s: dimer[: len(s)], "d", reads=2000),
            "plasma",
            "truseq",
        ),
        (
            "nrich",
            rewrite(truseq, reads / "n.fq.gz", lambda s: "".join("N" if i % 3 else b for i, b in enumerate(s)), "n"),
            "plasma",
            "truseq",
        ),
        ("wrong_kit", rewrite(nebnext, reads / "wrong kit.fq.gz", prefix="w"), "serum", "truseq"),
    ]
    lines = ["sample\tfastq\tbiofluid\tkit\tcondition"]
    lines += [f"{sample}\t{path}\t{biofluid}\t{kit}\tcancer #2 stage IV" for sample, path, biofluid, kit in rows]
    sheet = folder / "samples.tsv"
    sheet.write_text("\n".join(lines) + "\n")
    return sheet


@pytest.fixture(scope="module")
def facility_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facility") / "project $(touch INJECTED) & co"
    folder.mkdir()
    sheet = facility_sheet(folder)
    inputs = {path: digest(path) for path in folder.rglob("*.fq.gz")}
    result = run_snakemake(folder, "--configfile", write_config(folder, sheet), check=False)
    return folder, result, inputs


def test_the_run_succeeds_and_runs_nothing_it_was_not_asked_to(facility_run):
    folder, result, inputs = facility_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not any(path.name == "INJECTED" for path in folder.parent.rglob("*")), "a path was run as a command"
    assert all(digest(path) == value for path, value in inputs.items()), "an input was written to"


def test_numeric_and_na_like_sample_names_reach_every_table(facility_run):
    folder, _, _ = facility_run
    qc = pd.read_csv(
        folder / "results" / "qc" / "sample_qc.tsv", sep="\t", dtype={"sample": str}, keep_default_na=False
    )
    calls = pd.read_csv(folder / "results" / "scores" / "tumour_origin.tsv", sep="\t", dtype=str, keep_default_na=False)
    expected = ["01", "NA", "3", "lower", "crlf", "dimers", "nrich", "wrong_kit"]
    assert qc["sample"].tolist() == expected and calls["sample"].tolist() == expected
    assert (calls["qc_verdict"] != "").all()
    assert (
        pd.read_csv(folder / "results" / "counts" / "mirna_counts.tsv", sep="\t", nrows=0).columns[1:].tolist()
        == expected
    )


def test_lowercase_and_crlf_reads_count_as_the_same_reads_in_capitals(facility_run):
    folder, _, _ = facility_run
    counts = pd.read_csv(folder / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    assert counts["01"].sum() > 15_000
    assert counts["lower"].equals(counts["01"]) and counts["crlf"].equals(counts["01"])
    check = pd.read_csv(folder / "results" / "inserts" / "input_check.tsv", sep="\t", dtype={"sample": str})
    assert check.set_index("sample").loc["lower", "reads"] == 20_000
    lower = json.loads((folder / "results" / "inserts" / "lower.stats.json").read_text())
    assert lower["lowercase_reads"] == 20_000 and lower["input_reads"] == 20_000
    crlf = json.loads((folder / "results" / "inserts" / "crlf.kit.json").read_text())
    assert crlf["kit"] == "truseq"


def test_sample_qc_names_the_real_problem_of_each_bad_library(facility_run):
    folder, _, _ = facility_run
    qc = pd.read_csv(folder / "results" / "qc" / "sample_qc.tsv", sep="\t", index_col="sample", keep_default_na=False)
    assert qc.loc["dimers", "verdict"] == "fail" and "transcriptome reads 0 < 1,000" in qc.loc["dimers", "reasons"]
    assert qc.loc["nrich", "verdict"] == "fail"
    wrong = qc.loc["wrong_kit"]
    assert wrong["verdict"] == "fail", wrong["reasons"]
    assert "library kit truseq: declared kit truseq fits 0.0% of the reads, but nebnext fits" in wrong["reasons"]
    assert qc.loc["01", "verdict"] == "warn"


def test_counts_keep_every_digit(facility_run):
    folder, _, _ = facility_run
    text = (folder / "results" / "qc" / "sample_qc.tsv").read_text()
    assert "e+" not in text
    qc = pd.read_csv(folder / "results" / "qc" / "sample_qc.tsv", sep="\t", index_col="sample", keep_default_na=False)
    assert qc.loc["01", "input_reads"] == 20_000 and float(qc.loc["01", "transcriptome_reads"]).is_integer()


def test_broken_files_anywhere_in_the_sheet_stop_the_run_before_any_trimming(tmp_path):
    truseq = (DEMO / "demo_plasma_truseq.fastq.gz").read_bytes()
    (tmp_path / "cut.fq.gz").write_bytes(truseq[: len(truseq) // 2])  # truncated gzip
    with gzip.open(tmp_path / "bad_record.fq.gz", "wt") as handle:
        handle.write("".join(f"@b{n}\nACGTACGTAC\n+\nIIIIIIIIII\n" for n in range(1500)) + "@late\nACGT\n+\nII\n")
    lines = [
        "sample\tfastq\tbiofluid\tkit\tcondition",
        f"good\t{DEMO / 'demo_serum_nebnext.fastq.gz'}\tserum\tnebnext\thealthy",
    ]
    lines += [f"{name}\t{tmp_path / f'{name}.fq.gz'}\tplasma\ttruseq\thealthy" for name in ("cut", "bad_record")]
    (tmp_path / "samples.tsv").write_text("\n".join(lines) + "\n")
    config = write_config(tmp_path, tmp_path / "samples.tsv")
    # As a user runs it: the default profile prints the log of the failed job.
    result = run_snakemake(tmp_path, "--configfile", config, "--workflow-profile", PROFILE, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "bad read files; nothing was trimmed" in output
    assert (
        f"sample cut: {tmp_path / 'cut.fq.gz'}: after " in output and "the file ends early (truncated gzip?)" in output
    )
    assert f"sample bad_record: {tmp_path / 'bad_record.fq.gz'}: after 1,500 reads:" in output
    assert (
        not list((tmp_path / "results" / "inserts").glob("*.tsv.gz")) and not (tmp_path / "results" / "counts").exists()
    )


def test_a_config_typo_stops_the_run_naming_the_key(tmp_path):
    config = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())
    config["samples"] = str(REPO / "config" / "samples.tsv")
    config["trim"] = {"error_rat": 0.1}
    config["qc"] = {"hemolysis": {"moderate": 9.0, "high": 7.0}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_snakemake(tmp_path, "--configfile", path, "--dry-run", check=False)
    assert result.returncode != 0 and "'error_rat' was unexpected" in result.stdout + result.stderr
    config["trim"] = {}
    path.write_text(yaml.safe_dump(config))
    result = run_snakemake(tmp_path, "--configfile", path, "--dry-run", check=False)
    assert "qc.hemolysis: moderate (9.0) must be below high (7.0)" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def demo_run_folder(folder):
    """A folder with the demo's sheet (absolute read paths) and config."""
    folder.mkdir()
    sheet = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")
    sheet["fastq"] = [str(REPO / path) for path in sheet["fastq"]]
    sheet.to_csv(folder / "samples.tsv", sep="\t", index=False)
    return write_config(folder, folder / "samples.tsv")


def snakemake_process(folder, config):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(folder)]
    command += ["--cores", "2", "--configfile", str(config), "--rerun-incomplete"]
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


RESULTS = ["counts/mirna_counts.tsv", "counts/isomir_counts.tsv", "qc/sample_qc.tsv", "scores/signature_scores.tsv"]


@pytest.fixture(scope="module")
def clean_demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean") / "demo"
    run_snakemake(folder, "--configfile", demo_run_folder(folder))
    return folder


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_run_resumes_to_identical_outputs_and_a_second_run_is_locked_out(tmp_path, clean_demo, stop):
    folder = tmp_path / "demo"
    config = demo_run_folder(folder)
    first = snakemake_process(folder, config)
    wait_for(lambda: len(list((folder / "results" / "inserts").glob("*.tsv.gz"))) >= 2)
    second = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(folder)]
        + ["--cores", "1", "--configfile", str(config), "--rerun-incomplete"],
        capture_output=True,
        text=True,
    )
    # The second run, even one told to redo incomplete jobs, is locked out and touches nothing.
    assert second.returncode != 0 and "cannot be locked" in second.stdout + second.stderr
    os.killpg(first.pid, stop)
    first.wait(timeout=60)
    assert not list(folder.rglob("*.part")), "a half-written output survived"
    if stop == signal.SIGKILL:  # nothing could release the lock
        run_snakemake(folder, "--configfile", config, "--unlock")
    run_snakemake(folder, "--configfile", config, "--rerun-incomplete")
    for result in RESULTS:
        assert digest(folder / "results" / result) == digest(clean_demo / "results" / result), result


def test_a_full_disk_fails_the_run_and_leaves_no_half_written_output(tmp_path):
    folder = tmp_path / "small disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here: {mounted.stderr.decode().strip()}")
    try:
        config = write_config(folder, REPO / ".test" / "config" / "samples.tsv")
        sheet = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")
        sheet["fastq"] = [str(REPO / path) for path in sheet["fastq"]]
        sheet.to_csv(folder / "samples.tsv", sep="\t", index=False)
        config = write_config(folder, folder / "samples.tsv")
        result = run_snakemake(folder, "--configfile", config, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0 and "No space left on device" in output
        assert not list(folder.rglob("*.part")), "a half-written output survived"
    finally:
        subprocess.run(["umount", str(folder)], check=False)
