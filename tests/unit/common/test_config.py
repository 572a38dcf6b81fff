"""The config: schema defaults, checks across keys, and where relative paths are found."""

import copy

import pytest
import yaml
from snakemake.utils import validate

from exomir.common.config import ConfigError, check_config, resolve, resolve_paths
from exomir.devtools.runs import REPO

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
DEMO = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def minimal():
    return {
        "samples": DEMO["samples"],
        "references": {key: DEMO["references"][key] for key in ("mature", "hairpin", "gff3")},
    }


def test_samples_and_references_alone_give_the_demo_config():
    config = minimal()
    validate(config, str(SCHEMA), set_default=True)
    assert config == DEMO


def test_a_missing_required_key_and_an_unknown_key_are_refused():
    with pytest.raises(Exception, match="'references' is a required property"):
        validate({"samples": "s.tsv"}, str(SCHEMA), set_default=True)
    config = minimal() | {"trim": {"error_rat": 0.1}}
    with pytest.raises(Exception, match="'error_rat' was unexpected"):
        validate(config, str(SCHEMA), set_default=True)


def full(**changes):
    config = minimal()
    validate(config, str(SCHEMA), set_default=True)
    config = copy.deepcopy(config)
    config.update(resolve_paths(config, REPO))
    for section, values in changes.items():
        config[section] = {**config[section], **values}
    return config


def test_the_demo_config_passes_the_checks(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # found in the repository, wherever Snakemake runs
    check_config(full())


@pytest.mark.parametrize(
    "section, values, message",
    [
        ("qc", {"hemolysis": {"moderate": 7.0, "high": 5.0}}, r"qc.hemolysis: moderate \(7.0\) must be below high"),
        ("qc", {"mirnas_10_reads": {"warn_below": 10, "fail_below": 50}}, r"qc.mirnas_10_reads: fail_below \(50\)"),
        ("qc", {"saliva_non_human_share": {"warn_above": 0.9, "fail_above": 0.8}}, r"fail_above \(0.8\) must not"),
        ("qc", {"hematuria": {"possible": 40.0, "high": 35.0}}, r"qc.hematuria: possible \(40.0\) must be below high"),
        ("tumour_origin", {"min_fraction": 0.5, "max_fraction": 0.1}, r"min_fraction \(0.5\) must be below"),
        ("trim", {"min_length": 30, "max_length": 20}, r"trim: min_length \(30\) must not exceed max_length"),
        ("score", {"tissue_reference": "no/such/atlas.csv"}, r"score.tissue_reference: file not found: no/such"),
        ("annotation", {"trna": ["no/such/trna.fa"]}, r"annotation.trna: file not found: no/such/trna.fa"),
    ],
)
def test_checks_across_keys_and_missing_files_name_the_key(monkeypatch, tmp_path, section, values, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        check_config(full(**{section: values}))


def test_every_problem_is_listed_at_once(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    config = full(qc={"hemolysis": {"moderate": 9.0, "high": 1.0}}, score={"healthy_baseline": "missing.tsv"})
    with pytest.raises(ConfigError) as error:
        check_config(config)
    assert "qc.hemolysis" in str(error.value) and "score.healthy_baseline: file not found" in str(error.value)


def test_relative_paths_prefer_the_working_directory_then_the_repository(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert resolve("resources/kits.yaml", REPO) == str(REPO / "resources" / "kits.yaml")
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "kits.yaml").write_text("{}")
    assert resolve("resources/kits.yaml", REPO) == "resources/kits.yaml"
    assert resolve("/abs/path.fa", REPO) == "/abs/path.fa"
    assert resolve("", REPO) == ""
    assert resolve("nowhere.tsv", REPO) == "nowhere.tsv"  # left for the check to name


def test_a_count_table_that_is_missing_is_named(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    config = full()
    assert config["counts_table"] == ""  # default: the counts come from reads
    config["counts_table"] = "cohort/counts.tsv"
    with pytest.raises(ConfigError, match="counts_table: file not found: cohort/counts.tsv"):
        check_config(config)
