"""The bundled demo: lint, dry run, generation of its reads, and a bad sheet stopping early."""

import gzip
import hashlib
import subprocess
import sys

import pandas as pd
import yaml

from exomir.devtools.runs import REPO, demo_config, run_snakemake, write_config, write_sample_sheet


def test_lint_is_clean(tmp_path):
    _, config = demo_config(tmp_path)
    result = run_snakemake(tmp_path, "--configfile", config, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def config_paths(node):
    """Every string value of a config tree that names a file."""
    if isinstance(node, dict):
        return [path for value in node.values() for path in config_paths(value)]
    if isinstance(node, list):
        return [path for value in node for path in config_paths(value)]
    return [node] if isinstance(node, str) and "/" in node else []


def test_demo_config_needs_nothing_outside_the_repository():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    paths = config_paths(config)
    assert "resources/mirbase-v22-hsa/hairpin.fa" in paths
    for path in paths:
        assert not path.startswith(("/", "..")) and (REPO / path).exists(), path


def test_every_config_key_is_documented():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    documentation = (REPO / "config" / "README.md").read_text()
    keys = [(section, key) for section, value in config.items() if isinstance(value, dict) for key in value]
    assert len(keys) > 40
    for section, key in keys:
        # Documented as `section.key`, or in the section's table as `key` (or `.key` after a sibling key).
        in_section = f"## `{section}`" in documentation and (
            f"`{key}`" in documentation or f"`.{key}`" in documentation
        )
        assert f"`{section}.{key}" in documentation or in_section, f"{section}.{key}"
    for section in config:
        assert f"`{section}" in documentation, section


def test_demo_dry_run_plans_every_stage(tmp_path):
    _, config = demo_config(tmp_path)
    result = run_snakemake(tmp_path, "--configfile", config, "--dry-run", "--quiet", "rules")
    planned = {
        row[0]: int(row[1]) for row in map(str.split, result.stdout.splitlines()) if len(row) == 2 and row[1].isdigit()
    }
    per_sample = ("inserts", "quantify", "mirtop_gff")
    assert all(planned[rule] == 4 for rule in per_sample), planned
    for rule in ("mirtop_check", "count_matrix", "sample_qc", "score_signatures", "tumour_origin", "multiqc"):
        assert planned[rule] == 1, rule


def test_demo_reads_are_regenerated_byte_identical(tmp_path):
    # The committed demo reads are what the documented simulator command writes.
    script = (REPO / "resources" / "demo" / "generate.sh").read_text()
    assert "out=resources/demo" in script  # else the run below would overwrite the committed files
    script = script.replace("out=resources/demo", f"out={tmp_path}")
    (tmp_path / "generate.sh").write_text(script)
    subprocess.run(["bash", tmp_path / "generate.sh", sys.executable], cwd=REPO, check=True)
    generated = sorted([*tmp_path.glob("*.fastq.gz"), *tmp_path.glob("*.truth.tsv.gz")])
    assert len(generated) == 8
    for path in generated:
        committed = REPO / "resources" / "demo" / path.name
        assert digest(path) == digest(committed), f"{committed} differs from what generate.sh writes"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_sample_sheet_stops_before_any_job(tmp_path):
    sheet = write_sample_sheet(
        tmp_path / "samples.tsv",
        [("a", tmp_path / "missing.fastq.gz", "plasma", "truseq", "healthy"), ("a", tmp_path, "lymph", "x", "healthy")],
    )
    result = run_snakemake(tmp_path, "--configfile", write_config(tmp_path, sheet), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"{sheet}: row 2, column 'fastq': file not found" in output
    assert f"{sheet}: row 3, column 'sample': duplicate sample 'a'" in output
    assert f"{sheet}: row 3, column 'biofluid'" in output
    assert f"{sheet}: row 3, column 'kit': unknown kit 'x'" in output
    assert not (tmp_path / "results").exists()


def test_demo_counts_recover_the_simulated_truth(demo_run):
    """Every demo kit: ≥ 95 % of true miRNA reads are counted on their own miRNA."""
    workdir, sheet = demo_run
    for row in sheet.itertuples():
        truth_path = REPO / "resources" / "demo" / f"{row.sample}.truth.tsv.gz"
        with gzip.open(truth_path, "rt") as handle:
            truth = pd.read_csv(handle, sep="\t")
        true_reads = truth[truth["biotype"] == "miRNA"].groupby("name").size()
        counted = pd.read_csv(workdir / "results" / "quantify" / f"{row.sample}.mirna.tsv", sep="\t", index_col="mirna")
        recovered = counted["reads"].reindex(true_reads.index).fillna(0).clip(upper=true_reads).sum()
        recall = recovered / true_reads.sum()
        print(f"{row.sample} ({row.kit}): recall of true miRNA reads {recall:.4f}")
        assert recall >= 0.95, row.sample
