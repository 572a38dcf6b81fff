"""The workflow on simulated reads of every kit in one run (mixed kits, mostly `auto`): kit
detection, recovery of the true miRNA reads, QIAseq molecules against the simulated truth,
a wrongly declared kit flagged in the report, and random reads stopping `auto`."""

import json

import numpy as np
import pandas as pd
import pytest

import exomir.devtools.reads as sim
from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO, run_snakemake, write_config, write_sample_sheet
from exomir.inserts.kits import load_kits

KITS = load_kits(REPO / "resources" / "kits.yaml")
READS_PER_KIT = 3000
# Kits the reads cannot tell apart detect as the first of them in kits.yaml (same trimming).
SAME_LAYOUT_AS = {"nextflex_v4": "truseq", "lexogen": "truseq"}
DECLARED = {"truseq": "truseq", "cats": "cats"}  # the rest is `auto`


@pytest.fixture(scope="module")
def kits_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kits")
    matures = sim.read_mature_sequences(sim.DEFAULT_MATURE)
    hairpins = read_fasta(sim.DEFAULT_HAIRPIN)
    rows, truths = [], {}
    for seed, kit_name in enumerate(KITS, start=21):
        library = sim.simulate(KITS[kit_name], matures, hairpins, READS_PER_KIT, seed=seed, random_fraction=0.02)
        fastq = workdir / f"sim_{kit_name}.fastq.gz"
        sim.write_chunks(sim.fastq_chunks(library), fastq)
        truths[f"sim_{kit_name}"] = sim.truth_table(library)
        rows.append((f"sim_{kit_name}", fastq, "plasma", DECLARED.get(kit_name, "auto"), "unknown"))
    sheet = write_sample_sheet(workdir / "samples.tsv", rows)
    run_snakemake(workdir, "--configfile", write_config(workdir, sheet))
    return workdir, truths


def kit_table(workdir):
    return pd.read_csv(
        workdir / "results" / "report" / "tables" / "kit_detection_mqc.tsv", sep="\t", comment="#", index_col=0
    )


@pytest.mark.parametrize("kit_name", list(KITS))
def test_every_kit_is_detected_and_recovers_its_mirna_reads(kits_run, kit_name):
    workdir, truths = kits_run
    sample = f"sim_{kit_name}"
    decision = json.loads((workdir / "results" / "inserts" / f"{sample}.kit.json").read_text())
    assert decision["detected"] == SAME_LAYOUT_AS.get(kit_name, kit_name)
    assert decision["kit"] == DECLARED.get(kit_name, decision["detected"])
    assert decision["warnings"] == []
    true_reads = sim.true_counts(truths[sample])["reads"]
    counted = pd.read_csv(workdir / "results" / "quantify" / f"{sample}.mirna.tsv", sep="\t", index_col="mirna")
    recovered = counted["reads"].reindex(true_reads.index).fillna(0).clip(upper=true_reads).sum()
    recall = recovered / true_reads.sum()
    print(
        f"{sample}: detected {decision['detected']} ({decision['support']:.1%}),"
        f" recall of true miRNA reads {recall:.4f}"
    )
    assert recall >= 0.95


def test_qiaseq_molecules_match_the_simulated_molecules(kits_run):
    workdir, truths = kits_run
    truth = truths["sim_qiaseq"]
    true_counts = sim.true_counts(truth)
    # Collapse level: molecules on each true miRNA insert against the simulated molecules.
    mirna = truth[truth["biotype"] == "miRNA"]
    true_molecules = mirna.groupby("insert")["molecule"].nunique()
    collapsed = pd.read_csv(workdir / "results" / "inserts" / "sim_qiaseq.tsv.gz", sep="\t", index_col="sequence")
    collapsed_ratio = collapsed["molecules"].reindex(true_molecules.index).fillna(0).sum() / true_molecules.sum()
    # miRNA level: molecules counted on each miRNA (quantify counts molecules).
    counted = pd.read_csv(workdir / "results" / "quantify" / "sim_qiaseq.mirna.tsv", sep="\t", index_col="mirna")
    counted_ratio = counted["count"].reindex(true_counts.index).fillna(0).sum() / true_counts["molecules"].sum()
    stats = json.loads((workdir / "results" / "inserts" / "sim_qiaseq.stats.json").read_text())["umi"]
    simulated = truth["molecule"].nunique()
    print(
        f"sim_qiaseq: {len(truth)} reads, {simulated} molecules simulated; {stats['molecules']} molecules"
        f" counted ({stats['distinct_insert_umi_pairs']} distinct insert-UMI pairs without error correction);"
        f" molecules on true miRNA inserts {collapsed_ratio:.4f} of the truth, on miRNAs {counted_ratio:.4f};"
        f" duplication rate {stats['duplication_rate']}"
    )
    assert abs(collapsed_ratio - 1) <= 0.02
    assert abs(counted_ratio - 1) <= 0.02
    assert counted["count"].sum() < counted["reads"].sum()
    assert stats["duplication_rate"] == pytest.approx(1 - truth["molecule"].nunique() / len(truth), abs=0.03)


def test_report_lists_every_kit_with_its_duplication_rate(kits_run):
    workdir, _ = kits_run
    table = kit_table(workdir)
    assert list(table.index) == [f"sim_{kit_name}" for kit_name in KITS]
    assert (table["status"] == "ok").all()
    assert table.loc["sim_qiaseq", "duplication_rate"] > 0.5
    assert table["duplication_rate"].drop(index="sim_qiaseq").isna().all()
    html = (workdir / "results" / "report" / "multiqc_report.html").read_text()
    assert "exomir_kits" in html


def test_wrongly_declared_kit_is_flagged_in_the_report(tmp_path):
    """NEBNext reads declared as TruSeq are trimmed as declared (and lose nearly every read),
    the report says so, and the nearly empty sample is still quantified without stopping the run."""
    matures = sim.read_mature_sequences(sim.DEFAULT_MATURE)
    library = sim.simulate(KITS["nebnext"], matures, read_fasta(sim.DEFAULT_HAIRPIN), 1000, seed=4)
    fastq = tmp_path / "nebnext.fastq.gz"
    sim.write_chunks(sim.fastq_chunks(library), fastq)
    # The same kind of reads for the second sample, from their own file (one file cannot serve two samples).
    other = tmp_path / "nebnext_other.fastq.gz"
    sim.write_chunks(
        sim.fastq_chunks(sim.simulate(KITS["nebnext"], matures, read_fasta(sim.DEFAULT_HAIRPIN), 1000, seed=5)), other
    )
    rows = [("declared_truseq", fastq, "serum", "truseq", "unknown"), ("detected", other, "serum", "auto", "unknown")]
    sheet = write_sample_sheet(tmp_path / "samples.tsv", rows)
    targets = [
        "results/report/tables/kit_detection_mqc.tsv",
        "results/counts/mirna_counts.tsv",
        "results/report/tables/exomir_mirtop_stats.log",
    ]
    run_snakemake(tmp_path, *targets, "--configfile", write_config(tmp_path, sheet))
    table = kit_table(tmp_path)
    flagged = table.loc["declared_truseq"]
    assert flagged["kit"] == "truseq" and flagged["detected"] == "nebnext"
    prefix = "WARNING: declared kit truseq fits 0.0% of the reads, but nebnext fits "
    assert flagged["status"].startswith(prefix)
    assert float(flagged["status"].removeprefix(prefix).split("%")[0]) >= 90
    assert table.loc["detected", "kit"] == "nebnext" and table.loc["detected", "status"] == "ok"
    trimmed = json.loads((tmp_path / "results" / "inserts" / "declared_truseq.stats.json").read_text())
    assert trimmed["input_reads"] == 1000 and trimmed["adapter_found"] < 0.01 * trimmed["input_reads"]
    counts = pd.read_csv(tmp_path / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    assert counts["declared_truseq"].sum() < 0.01 * counts["detected"].sum()


def test_random_reads_stop_auto_naming_the_sample(tmp_path):
    rng = np.random.default_rng(5)
    reads = ["".join(row) for row in rng.choice(list("ACGT"), size=(2000, 75))]
    fastq = tmp_path / "noise.fastq"
    fastq.write_text("".join(f"@r{index}\n{read}\n+\n{'I' * len(read)}\n" for index, read in enumerate(reads)))
    sheet = write_sample_sheet(tmp_path / "samples.tsv", [("noise_sample", fastq, "plasma", "auto", "unknown")])
    result = run_snakemake(tmp_path, "--configfile", write_config(tmp_path, sheet), check=False)
    assert result.returncode != 0
    message = "sample 'noise_sample': no library kit explains at least 30% of the first 2000 reads; best candidates: "
    assert message in result.stderr
    assert message in (tmp_path / "logs" / "inserts" / "noise_sample.log").read_text()
    assert not list((tmp_path / "results" / "inserts").glob("*.tsv.gz"))  # nothing was collapsed
