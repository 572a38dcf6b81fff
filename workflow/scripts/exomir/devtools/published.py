"""The workflow beside published outputs of other tools on the same reads: the exRNAQC017 counts
and spike-ins, the exceRpt 4.6.3 test file and the miRTrace tutorial samples. Used by the
workflow tests and bench/accuracy.py."""

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import spearmanr

from exomir.devtools.runs import (
    SHARED_DATA,
    exrnaqc_rows,
    run_snakemake,
    shared_references,
    write_config,
    write_sample_sheet,
)

EXPECTED = SHARED_DATA / "expected"
READS = SHARED_DATA / "reads"
MIRTRACE_SAMPLES = {"mirtrace_sample1": "truseq", "mirtrace_sample2": "truseq", "mirtrace_sample3": "illumina_v15"}
OTHER_NCRNA = ("YRNA", "snRNA", "snoRNA", "other_ncRNA")
QUANTIFICATION_TARGETS = ("results/counts/mirna.h5ad", "results/report/tables/exomir_mirtop_stats.log")


def published_rows() -> list[tuple[str, Path, str, str, str]]:
    """Sample-sheet rows of the exceRpt test file and the human miRTrace tutorial samples."""
    rows = [("excerpt_test", READS / "exceRpt_test" / "testData_human.fastq.gz", "other", "illumina_v1", "healthy")]
    for sample, kit in MIRTRACE_SAMPLES.items():
        rows.append((sample, READS / "mirtrace_tutorial" / f"{sample.split('_')[1]}.fastq.gz", "other", kit, "healthy"))
    return rows


def run_workflow(workdir: Path, rows: Sequence[Sequence[Any]]) -> float:
    """The quantification outputs of the workflow on `rows`, with the shared annotation sets;
    returns the wall seconds it took."""
    sheet = write_sample_sheet(workdir / "samples.tsv", rows)
    started = time.perf_counter()
    config = write_config(workdir, sheet, annotation=shared_references()["annotation"])
    # Quantification outputs only: scoring and QC are not what is measured here.
    run_snakemake(workdir, *QUANTIFICATION_TARGETS, "--configfile", config)
    return time.perf_counter() - started


def quantified(workdir: Path, sample: str, name: str) -> pd.DataFrame:
    """A per-sample table of rule quantify, `results/quantify/<sample>.<name>`."""
    return pd.read_csv(workdir / "results" / "quantify" / f"{sample}.{name}", sep="\t", keep_default_na=False)


def exrnaqc_numbers(workdir: Path) -> pd.DataFrame:
    """Per exRNAQC017 sample: Spearman of the top 50 published miRNAs, and spike-ins beside the published ones."""
    published = pd.read_csv(EXPECTED / "exRNAQC017" / "allmiRs_subs.txt", sep="\t", index_col="MIMATID")
    spikes = pd.read_csv(EXPECTED / "exRNAQC017" / "allspikes_subs.txt", sep="\t", index_col="spikeID").fillna(0)
    counts = pd.read_csv(workdir / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    accessions = pd.read_csv(workdir / "results" / "references" / "mature_positions.tsv", sep="\t")
    counts.index = counts.index.map(accessions.drop_duplicates("mirna").set_index("mirna")["accession"])
    rows = []
    for sample, *_ in exrnaqc_rows():
        top50 = published[sample].dropna().nlargest(50).index
        rho = spearmanr(counts[sample].reindex(top50).fillna(0), published.loc[top50, sample]).correlation
        features = quantified(workdir, sample, "features.tsv")
        ours = features[features["biotype"] == "spike_in"].set_index("feature")["count"].reindex(spikes.index).fillna(0)
        rows.append(
            {
                "sample": sample,
                "spearman_top50": round(rho, 3),
                "spike_in_molecules": ours.sum(),
                "published_spike_in_reads": spikes[sample].sum(),
                "spike_in_pearson": round(ours.corr(spikes[sample]), 3),
                "spike_in_spearman": round(spearmanr(ours, spikes[sample]).correlation, 3),
            }
        )
    return pd.DataFrame(rows).set_index("sample")


def excerpt_numbers(workdir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The read funnel and the miRNA reads of the exceRpt test file, exomir beside exceRpt."""
    expected = EXPECTED / "exceRpt_testData_human"
    stages = pd.read_csv(expected / "testData_human.fastq.stats", sep="\t", comment="#", index_col=0)["ReadCount"]
    collapsed = json.loads((workdir / "results" / "inserts" / "excerpt_test.stats.json").read_text())
    biotypes = json.loads((workdir / "results" / "quantify" / "excerpt_test.stats.json").read_text())["biotype_reads"]
    funnel = pd.DataFrame(
        [
            ("input", stages["input"], collapsed["input_reads"]),
            ("adapter clipped", stages["successfully_clipped"], collapsed["adapter_found"]),
            ("accepted (exomir: length passed)", stages["reads_used_for_alignment"], collapsed["length_passed"]),
            ("rRNA", stages["rRNA"], biotypes["rRNA"]),
            ("miRNA (mature)", stages["miRNA_sense"], biotypes["miRNA"]),
            ("miRNA precursor only", stages["miRNAprecursor_sense"], biotypes["miRNA_hairpin"]),
            ("tRNA", stages["tRNA_sense"], biotypes["tRNA"]),
            ("gencode / other ncRNA", stages["gencode_sense"], sum(biotypes[key] for key in OTHER_NCRNA)),
            ("not in any library", stages["not_mapped_to_genome_or_libs"], biotypes["unassigned"]),
        ],
        columns=["stage", "exceRpt", "exomir"],
    ).set_index("stage")
    theirs = pd.read_csv(expected / "readCounts_miRNAmature_sense.txt", sep="\t")
    theirs["mirna"] = theirs["ReferenceID"].str.split(":").str[0]
    mirnas = pd.concat(
        [
            theirs.set_index("mirna")["multimapAdjustedReadCount"].rename("exceRpt"),
            quantified(workdir, "excerpt_test", "mirna.tsv").set_index("mirna")["reads"].rename("exomir"),
        ],
        axis=1,
    ).fillna(0)
    return funnel, mirnas.sort_values("exceRpt", ascending=False)


def mirtrace_numbers(workdir: Path) -> pd.DataFrame:
    """Reads per RNA type, exomir beside miRTrace, with each tool's share of its own total."""
    expected = pd.read_csv(
        EXPECTED / "mirtrace_tutorial" / "Case3_outputs" / "mirtrace.qc.outputs" / "mirtrace-stats-rnatype.tsv",
        sep="\t",
        index_col="RNA_TYPE",
    )
    rows = []
    for sample, column in zip(MIRTRACE_SAMPLES, expected.columns):
        theirs = expected[column]
        biotypes = json.loads((workdir / "results" / "quantify" / f"{sample}.stats.json").read_text())["biotype_reads"]
        ours = {
            "miRNA": biotypes["miRNA"],
            "rRNA": biotypes["rRNA"],
            "tRNA": biotypes["tRNA"],
            "other": sum(
                biotypes[key] for key in ("spike_in", "YRNA", "snRNA", "snoRNA", "other_ncRNA", "miRNA_hairpin")
            ),
            "unassigned": biotypes["unassigned"] + biotypes["genome"] + biotypes["artifact"],
        }
        mirtrace = {
            "miRNA": theirs["miRNA"],
            "rRNA": theirs["rRNA"],
            "tRNA": theirs["tRNA"],
            "other": 0,  # miRTrace has no other ncRNA class: these are in its "unknown"
            "unassigned": theirs["artifact"] + theirs["unknown"],
        }
        for rna_type in ours:
            rows.append(
                (
                    sample,
                    rna_type,
                    ours[rna_type],
                    mirtrace[rna_type],
                    round(ours[rna_type] / sum(ours.values()), 3),
                    round(mirtrace[rna_type] / sum(mirtrace.values()), 3),
                )
            )
    columns = ["sample", "rna_type", "exomir_reads", "mirtrace_reads", "exomir_share", "mirtrace_share"]
    return pd.DataFrame(rows, columns=columns).set_index(["sample", "rna_type"])
