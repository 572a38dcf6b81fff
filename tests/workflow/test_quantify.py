"""The annotation cascade on the three real exRNAQC samples (shared run): every read accounted
for, spike-ins against the published table, mirGFF3, tables in MultiQC, and reanalysis."""

import json

import pandas as pd
import yaml
from mirtop.gff.classgff import feature
from scipy.stats import pearsonr, spearmanr

from exomir.devtools.runs import SHARED_DATA, run_snakemake
from exomir.report.mirtop_stats import problems

EXPECTED = SHARED_DATA / "expected" / "exRNAQC017"
SAMPLES = ["RNA014937", "RNA014938", "RNA014939"]


def test_every_length_passed_read_has_exactly_one_biotype(exrnaqc_run):
    biotypes = pd.read_csv(exrnaqc_run / "results" / "counts" / "biotype_reads.tsv", sep="\t", index_col="biotype")
    for sample in SAMPLES:
        collapsed = json.loads((exrnaqc_run / "results" / "inserts" / f"{sample}.stats.json").read_text())
        assert biotypes[sample].sum() == collapsed["length_passed"]
        inserts = pd.read_csv(exrnaqc_run / "results" / "quantify" / f"{sample}.inserts.tsv.gz", sep="\t")
        assert len(inserts) == collapsed["unique_sequences"]
    # Serum and plasma: miRNA first, then tRNA and rRNA fragments; the plasma sample has few tRNA.
    assert (biotypes.loc["miRNA"] > 0.5 * biotypes.sum()).all()
    assert (biotypes.loc[["tRNA", "rRNA", "YRNA", "spike_in"]] > 0).all().all()
    assert biotypes.loc["tRNA", "RNA014939"] < 0.1 * biotypes.loc["tRNA", "RNA014937"]


def test_spike_ins_follow_the_published_spike_in_table(exrnaqc_run):
    published = pd.read_csv(EXPECTED / "allspikes_subs.txt", sep="\t", index_col="spikeID")[SAMPLES].fillna(0)
    features = {
        sample: pd.read_csv(exrnaqc_run / "results" / "quantify" / f"{sample}.features.tsv", sep="\t")
        for sample in SAMPLES
    }
    spikes = (
        pd.DataFrame(
            {
                sample: table[table["biotype"] == "spike_in"].set_index("feature")["count"]
                for sample, table in features.items()
            }
        )
        .reindex(published.index)
        .fillna(0)
    )
    totals = spikes.sum()
    print("spike-in molecules:", totals.to_dict())
    assert totals.idxmax() == "RNA014939" and published.sum().idxmax() == "RNA014939"
    assert list(totals.rank()) == list(published.sum().rank())
    for sample in SAMPLES:
        r, rho = pearsonr(spikes[sample], published[sample])[0], spearmanr(spikes[sample], published[sample])[0]
        print(f"{sample}: spike-ins Pearson {r:.3f}, Spearman {rho:.3f} against allspikes_subs.txt")
        assert r >= 0.9 and rho >= 0.8
    factors = pd.read_csv(exrnaqc_run / "results" / "counts" / "normalisation_factors.tsv", sep="\t", index_col=0)
    assert factors["spike_in_molecules"].to_dict() == totals.to_dict()
    assert factors["spike_in_factor"].idxmax() == "RNA014939"


def test_mirgff3_is_valid_and_matches_the_counts(exrnaqc_run):
    gffs = [exrnaqc_run / "results" / "quantify" / f"{sample}.gff" for sample in SAMPLES]
    assert problems(gffs) == []
    stats = json.loads((exrnaqc_run / "results" / "report" / "tables" / "exomir_mirtop_stats.log").read_text())[
        "metrics"
    ]
    for sample, gff in zip(SAMPLES, gffs):
        table = pd.read_csv(exrnaqc_run / "results" / "quantify" / f"{sample}.isomirs.tsv", sep="\t")
        lines = [feature(line) for line in gff.read_text().splitlines() if not line.startswith("#")]
        # One GFF line per (insert, miRNA) of the isomiR table, except inserts with an N.
        with_uid = table[~table["sequence"].str.contains("N")]
        assert {(line.attributes["Read"], line.attributes["Name"]) for line in lines} == set(
            zip(with_uid["sequence"], with_uid["mirna"])
        )
        canonical = sum(int(line.attributes["Expression"]) for line in lines if line.columns["type"] == "ref_miRNA")
        assert canonical == with_uid.loc[with_uid["canonical"], "molecules"].sum()
        assert stats[sample]["ref_miRNA_sum"] > 0
    isomirs = pd.read_csv(exrnaqc_run / "results" / "counts" / "isomir_counts.tsv", sep="\t")
    assert list(isomirs.columns) == ["mirna", "sequence", "variant", *SAMPLES]


def test_multiqc_has_the_biotypes_trna_fragments_and_mirtop(exrnaqc_run):
    html = (exrnaqc_run / "results" / "report" / "multiqc_report.html").read_text()
    for section in ("exomir_biotypes", "exomir_trna_fragments", "mirtop"):
        assert f'id="{section}"' in html, section


def planned_jobs(workdir, config_folder, **quantify):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["quantify"].update(quantify)
    changed = config_folder / "changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    result = run_snakemake(workdir, "--configfile", changed, "--dry-run", "--quiet", "rules")
    rows = [line.split() for line in result.stdout.splitlines()]
    return {row[0] for row in rows if len(row) == 2 and row[1].isdigit() and row[0] != "total"}


def test_changing_a_quantification_parameter_never_re_trims(exrnaqc_run, tmp_path):
    assert planned_jobs(exrnaqc_run, tmp_path) == set()
    for change in ({"five_prime_tolerance": 1}, {"mismatches": 0}):
        planned = planned_jobs(exrnaqc_run, tmp_path, **change)
        assert {"quantify", "count_matrix"} <= planned, change
        assert "inserts" not in planned and "annotation_index" not in planned, change
