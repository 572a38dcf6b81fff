"""Reanalysis: a changed setting re-runs the steps it affects and nothing upstream of them.

Evidence is Snakemake's own job table. What a change should re-run is what Snakemake plans
for `--forcerun` of the rules that read the changed setting (found in the rule sources),
on the same finished run: those rules and everything downstream of them.
"""

import shutil

import pandas as pd
import pytest
import yaml

from exomir.devtools.runs import job_stats, rule_directives, run_snakemake

RULES = rule_directives()
SCORING_AND_REPORT_FILES = {"scores.smk", "report.smk"}


def planned_jobs(run, config, *arguments):
    result = run_snakemake(run, "--configfile", config, "--dry-run", "--quiet", "rules", *arguments)
    return job_stats(result.stdout + result.stderr)


def rules_reading(setting, run):
    """Rules of `run`'s workflow whose inputs or parameters read `setting`, e.g. config["score"]["signatures"].
    Rules the run never needs (a stage its sheet and config leave out) are not among them: forcing one would
    add it."""
    in_run = planned_jobs(run, run / "config.yaml", "--forceall")
    readers = [
        rule
        for rule, body in RULES.items()
        if setting in body.get("input", "") + body.get("params", "") and rule in in_run
    ]
    assert readers, f"no rule reads {setting}"
    return readers


def only_scoring_and_report(jobs):
    return {
        rule
        for rule in jobs
        if rule not in ("all", "default") and RULES[rule]["file"].name not in SCORING_AND_REPORT_FILES
    }


def changed_config(run, path, **sections):
    """The configuration of `run` with `sections` merged over its sections, written to `path`."""
    config = yaml.safe_load((run / "config.yaml").read_text())
    for section, values in sections.items():
        config[section] = {**config[section], **values}
    path.write_text(yaml.safe_dump(config))
    return path


def signatures_without_the_last(run, path):
    """A copy of the run's signature table lacking its last signature; returns that signature."""
    source = yaml.safe_load((run / "config.yaml").read_text())["score"]["signatures"]
    table = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False)
    dropped = table["signature"].iloc[-1]
    table[table["signature"] != dropped].to_csv(path, sep="\t", index=False)
    return dropped


def test_a_finished_run_has_nothing_to_do(exrnaqc_run):
    assert planned_jobs(exrnaqc_run, exrnaqc_run / "config.yaml") == {}


@pytest.fixture(scope="module")
def rescored(exrnaqc_run, tmp_path_factory):
    """A copy of the finished run, re-run with a signature table lacking one signature."""
    run = tmp_path_factory.mktemp("rescored") / "run"
    shutil.copytree(exrnaqc_run, run, symlinks=True)  # copies keep their modification times
    signatures = run / "signatures.tsv"
    dropped = signatures_without_the_last(exrnaqc_run, signatures)
    config = changed_config(exrnaqc_run, run / "rescored.yaml", score={"signatures": str(signatures)})
    counts = run / "results" / "counts" / "mirna_counts.tsv"
    counts_mtime = counts.stat().st_mtime_ns
    result = run_snakemake(run, "--configfile", config)
    executed = job_stats(result.stdout + result.stderr)
    return run, config, signatures, dropped, executed, counts_mtime


def test_new_signature_table_reruns_only_scoring_and_report(exrnaqc_run, rescored):
    run, config, _, dropped, executed, counts_mtime = rescored
    readers = rules_reading('config["score"]["signatures"]', exrnaqc_run)
    assert executed == planned_jobs(exrnaqc_run, exrnaqc_run / "config.yaml", "--forcerun", *readers)
    assert executed["score_signatures"] == 1
    assert not only_scoring_and_report(executed)
    assert (run / "results" / "counts" / "mirna_counts.tsv").stat().st_mtime_ns == counts_mtime
    scores = pd.read_csv(run / "results" / "scores" / "signature_scores.tsv", sep="\t")
    assert dropped not in set(scores["signature"])
    assert planned_jobs(run, config) == {}


def test_edited_signature_table_reruns_only_scoring_and_report(rescored, tmp_path):
    run, _, signatures, _, _, _ = rescored
    edited = tmp_path / "signatures.tsv"
    table = signatures.read_text().splitlines(keepends=True)
    edited.write_text("".join(table[:-1]))  # one miRNA fewer in the last signature
    edited_config = yaml.safe_load((run / "rescored.yaml").read_text())
    edited_config["score"]["signatures"] = str(edited)
    config = tmp_path / "edited.yaml"
    config.write_text(yaml.safe_dump(edited_config))
    planned = planned_jobs(run, config)
    assert planned == planned_jobs(run, config, "--forcerun", *rules_reading('config["score"]["signatures"]', run))
    assert planned and not only_scoring_and_report(planned)


def test_scoring_parameter_change_reruns_only_scoring_and_report(exrnaqc_run, tmp_path):
    score = yaml.safe_load((exrnaqc_run / "config.yaml").read_text())["score"]
    changed = {"min_cohort_healthy": score["min_cohort_healthy"] + 1}
    planned = planned_jobs(exrnaqc_run, changed_config(exrnaqc_run, tmp_path / "config.yaml", score=changed))
    readers = rules_reading('config["score"]["min_cohort_healthy"]', exrnaqc_run)
    assert planned == planned_jobs(exrnaqc_run, exrnaqc_run / "config.yaml", "--forcerun", *readers)
    assert planned and not only_scoring_and_report(planned)


def test_trimming_change_reruns_from_trimming(exrnaqc_run, tmp_path):
    trim = yaml.safe_load((exrnaqc_run / "config.yaml").read_text())["trim"]
    changed = {"min_adapter_overlap": trim["min_adapter_overlap"] + 1}
    config = changed_config(exrnaqc_run, tmp_path / "config.yaml", trim=changed)
    planned = planned_jobs(exrnaqc_run, config)
    assert planned == planned_jobs(exrnaqc_run, exrnaqc_run / "config.yaml", "--forcerun", "inserts")
    everything = planned_jobs(exrnaqc_run, exrnaqc_run / "config.yaml", "--forceall")
    assert planned["inserts"] == everything["inserts"] == 3
    # Reference building comes before trimming and stays as it is.
    assert sum(planned.values()) < sum(everything.values())
    assert "mirna_reference" not in planned
