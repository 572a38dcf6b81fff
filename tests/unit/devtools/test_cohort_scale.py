"""bench/cohort_scale.py: the synthetic cohort it builds from the demo's per-sample files.

The timed runs themselves (a demo run, then the cohort rules at 50 to 500 samples) are left to
`python bench/cohort_scale.py`."""

import gzip
import importlib.util

import numpy as np
import pandas as pd
import pytest

from exomir.devtools.runs import REPO

pytestmark = pytest.mark.unit

SCRIPT = REPO / "bench" / "cohort_scale.py"


@pytest.fixture(scope="module")
def cohort_scale():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SCRIPT.parent))  # its sibling bench/peak_memory.py
        spec = importlib.util.spec_from_file_location("cohort_scale", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def test_cohort_sheet_names_every_sample_and_cycles_through_the_templates(cohort_scale):
    template = pd.DataFrame({"sample": ["a", "b", "c"], "fastq": ["a.fq", "b.fq", "c.fq"], "kit": ["x", "y", "z"]})
    sheet = cohort_scale.cohort_sheet(template, 7)
    assert list(sheet["sample"]) == [f"S000{n}" for n in range(1, 8)]
    assert list(sheet["template"]) == ["a", "b", "c", "a", "b", "c", "a"]
    assert list(sheet["kit"]) == ["x", "y", "z", "x", "y", "z", "x"]


def test_vary_counts_scales_each_row_by_one_factor_of_mean_one(cohort_scale):
    rows = 20000
    table = pd.DataFrame(
        {"mirna": [f"m{n}" for n in range(rows)], "canonical": 30.0, "isomir": 10.0, "count": 40.0, "reads": 4000}
    )
    varied = cohort_scale.vary_counts(table, ("canonical", "isomir", "count", "reads"), np.random.default_rng(1))
    assert list(varied["mirna"]) == list(table["mirna"])
    assert varied["reads"].dtype.kind == "i"
    np.testing.assert_allclose(varied["canonical"] + varied["isomir"], varied["count"])
    np.testing.assert_allclose(varied["reads"], varied["count"] * 100, atol=0.5)  # the same factor, rounded
    factor = varied["count"] / 40
    assert factor.mean() == pytest.approx(1, abs=0.01)
    assert factor.std() / factor.mean() == pytest.approx(cohort_scale.VARIATION, abs=0.01)
    other = cohort_scale.vary_counts(table, ("count",), np.random.default_rng(2))
    assert not np.allclose(other["count"], varied["count"])


def test_write_sample_renames_the_sample_and_varies_only_the_count_tables(cohort_scale, tmp_path):
    seed = tmp_path / "seed"
    (seed / "inserts").mkdir(parents=True)
    (seed / "quantify").mkdir()
    (seed / "inserts" / "demo.kit.json").write_text('{"sample": "demo", "kit": "truseq"}')
    with gzip.open(seed / "inserts" / "demo.tsv.gz", "wt") as handle:
        handle.write("# demo\nsequence\tcount\nACGT\t5\n")
    pd.DataFrame(
        {"biotype": ["rRNA", "tRNA"], "feature": ["f1", "f2"], "count": [10.5, 3.0], "reads": [10.5, 3.0]}
    ).to_csv(seed / "quantify" / "demo.features.tsv", sep="\t", index=False)
    (seed / "quantify" / "demonstration.stats.json").write_text("{}")  # another sample's: not taken
    results = tmp_path / "results"
    cohort_scale.write_sample(seed, results, "demo", "S0001", np.random.default_rng(0))
    assert sorted(path.name for path in results.rglob("*.*")) == [
        "S0001.features.tsv",
        "S0001.kit.json",
        "S0001.tsv.gz",
    ]
    assert (results / "inserts" / "S0001.kit.json").read_text() == '{"sample": "S0001", "kit": "truseq"}'
    with gzip.open(results / "inserts" / "S0001.tsv.gz", "rt") as handle:
        assert handle.read() == "# S0001\nsequence\tcount\nACGT\t5\n"
    features = pd.read_csv(results / "quantify" / "S0001.features.tsv", sep="\t")
    assert list(features["feature"]) == ["f1", "f2"]
    assert not np.allclose(features["count"], [10.5, 3.0])
    np.testing.assert_allclose(features["count"], features["reads"])
