"""The reference bundle: rebuilt from its primary sources by the bundle rules, it equals the
committed resources/bundle/, file by file, and its manifest gives every file's checksum, source
and licence. The default config runs the full analysis from it."""

import pandas as pd
import pytest
import yaml

from exomir.devtools.runs import REPO, run_snakemake, write_config, write_sample_sheet
from exomir.references.bundle import manifest, sha256

BUNDLE = REPO / "resources" / "bundle"
SOURCES = yaml.safe_load((REPO / "config" / "bundle-sources.yaml").read_text())


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    reads = REPO / "resources" / "demo" / "demo_plasma_truseq.fastq.gz"
    sheet = write_sample_sheet(folder / "samples.tsv", [("one", reads, "plasma", "truseq", "healthy")])
    run_snakemake(folder, "bundle", "--configfile", write_config(folder, sheet, **SOURCES))
    return folder / "results" / "bundle"


def committed_files():
    return sorted(str(path.relative_to(BUNDLE)) for path in BUNDLE.rglob("*") if path.is_file())


def test_the_rebuild_equals_the_committed_bundle(rebuilt):
    names = [name for name in committed_files() if name != "MANIFEST.tsv"]
    assert sorted(str(p.relative_to(rebuilt)) for p in rebuilt.rglob("*") if p.is_file() and p.name[0] != ".") == names
    for name in names:
        assert sha256(rebuilt / name) == sha256(BUNDLE / name), name


def test_the_manifest_is_current_and_names_source_and_licence_of_every_file():
    written = pd.read_csv(BUNDLE / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    current = manifest(BUNDLE, REPO.parent / "shared" / "data").astype(str)
    assert written.equals(current)
    assert (written[["source", "upstream", "licence", "rule"]] != "").all().all()
    assert written["bytes"].astype(int).sum() < 25_000_000


def test_the_bundle_holds_every_set_and_a_baseline_per_protocol():
    index = pd.read_csv(BUNDLE / "healthy_baselines" / "index.tsv", sep="\t")
    protocols = index[index["table"] != "all"]
    assert set(protocols["Tube"]) == {"Citrate", "EDTA", "serum"}
    assert set(protocols["RNAisolation"]) == {"Maxwell", "miRNeasySPAkit"} and (protocols["libraries"] == 15).all()
    assert index.set_index("table").loc["all", "libraries"] == 90
    libraries = pd.read_csv(BUNDLE / "healthy_baselines" / "libraries.tsv", sep="\t", index_col="library")
    baseline = pd.read_csv(BUNDLE / "healthy_baselines" / "all.tsv.gz", sep="\t", index_col=0, nrows=1)
    assert sorted(libraries.index) == sorted(baseline.columns)  # one row per library of the baseline
    assert (libraries["donor"].value_counts() == 18).all() and libraries["donor"].nunique() == 5
    assert set(libraries["kit"]) == {"truseq"} and set(libraries["biofluid"]) == {"plasma", "serum"}
    assert libraries.groupby(["tube", "rna_isolation"]).size().eq(15).all()
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for key in ("spike_ins", "trna", "rrna", "ncrna"):
        assert config["annotation"][key] == [f"resources/bundle/annotation/{key}.fa.gz"]
