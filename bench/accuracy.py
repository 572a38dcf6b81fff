#!/usr/bin/env python3
"""Print every accuracy number of the quantification, and the combined-vs-chained alignment time.

One workflow run (tests/conftest.py helpers, the shared annotation sets) on:
- a simulated TruSeq sample (simulate_reads.py): plasma-like miRNA abundances, isomiRs,
  non-templated additions, sequencing errors, tRNA/rRNA/Y RNA fragments and random inserts;
- the three exRNAQC017 samples, against the published miRNA and spike-in tables;
- the exceRpt test file, beside exceRpt 4.6.3's read funnel and miRNA counts;
- the three human miRTrace tutorial samples, beside miRTrace's RNA-type composition.
Then the same simulation in-process (kit `none`, so every read joins its truth row exactly),
and the timing of one bowtie pass on the combined index against the chain of one pass per
biotype on what the previous passes left (median of --repeats).

Usage (from the repository root): .venv/bin/python bench/accuracy.py [--reads N] [--workdir DIR]
"""

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from annotation_reference import annotation_records  # noqa: E402
from conftest import SHARED_ANNOTATION, SHARED_DATA, exrnaqc_rows, run_snakemake, write_config  # noqa: E402
from conftest import write_sample_sheet  # noqa: E402
from fasta import read_fasta  # noqa: E402
from truth_scores import fragments_on_mirna, identical_sequence_units, mirna_scores  # noqa: E402
from truth_scores import simulate_and_score  # noqa: E402

EXPECTED = SHARED_DATA / "expected"
READS = SHARED_DATA / "reads"
MIRTRACE_SAMPLES = {"mirtrace_sample1": "truseq", "mirtrace_sample2": "truseq", "mirtrace_sample3": "illumina_v15"}
# One pass per biotype in BIOTYPE_PRIORITY order, as a chained cascade would run them.
CHAIN = (("spike_in",), ("tRNA",), ("rRNA",), ("YRNA",), ("miRNA",), ("snRNA", "snoRNA", "other_ncRNA"))
BOWTIE = ["-v", "1", "-a", "--best", "--strata", "--norc"]
OTHER_NCRNA = ("YRNA", "snRNA", "snoRNA", "other_ncRNA")
QUANTIFICATION_TARGETS = ("results/counts/mirna.h5ad", "results/mirtop/exomir_mirtop_stats.log")


def contaminant_records():
    """{biotype: {name: sequence}} that the simulated fragments are cut from."""
    yrna = annotation_records({}, ncrna=SHARED_ANNOTATION["ncrna"])
    return {
        "tRNA": read_fasta(SHARED_ANNOTATION["trna"][0]),
        "rRNA": read_fasta(SHARED_ANNOTATION["rrna"][0]),
        "YRNA": {name: sequence for name, biotype, _, _, sequence in yrna if biotype == "YRNA"},
    }


def simulate_truseq(workdir, n_reads, seed):
    """FASTQ.gz and truth of a simulated TruSeq sample, via the simulator's command line."""
    fasta = {}
    for biotype, records in contaminant_records().items():
        fasta[biotype] = workdir / f"{biotype}.fa"
        fasta[biotype].write_text("".join(f">{name}\n{sequence}\n" for name, sequence in records.items()))
    fastq, truth = workdir / "simulated_truseq.fastq.gz", workdir / "simulated_truseq.truth.tsv.gz"
    command = [sys.executable, str(REPO / "workflow" / "scripts" / "simulate_reads.py"), "--kit", "truseq"]
    command += ["--reads", str(n_reads), "--seed", str(seed), "--fastq", str(fastq), "--truth", str(truth)]
    command += ["--isomir-fraction", "0.3", "--contaminant-fraction", "0.3", "--random-fraction", "0.05"]
    command += [argument for biotype, path in fasta.items() for argument in ("--contaminant", f"{biotype}={path}")]
    subprocess.run(command, check=True)
    return fastq, truth


def published_rows():
    """Sample-sheet rows of the exceRpt test file and the human miRTrace tutorial samples."""
    rows = [("excerpt_test", READS / "exceRpt_test" / "testData_human.fastq.gz", "other", "illumina_v1", "healthy")]
    for sample, kit in MIRTRACE_SAMPLES.items():
        rows.append((sample, READS / "mirtrace_tutorial" / f"{sample.split('_')[1]}.fastq.gz", "other", kit, "healthy"))
    return rows


def run_workflow(workdir, rows):
    """The quantification outputs of the workflow on `rows`, with the shared annotation sets;
    returns the wall seconds it took."""
    sheet = write_sample_sheet(workdir / "samples.tsv", rows)
    started = time.perf_counter()
    config = write_config(workdir, sheet, annotation=SHARED_ANNOTATION)
    # Quantification outputs only: scoring and QC are not what is measured here.
    run_snakemake(workdir, *QUANTIFICATION_TARGETS, "--configfile", config)
    return time.perf_counter() - started


def quantified(workdir, sample, name):
    return pd.read_csv(workdir / "results" / "quantify" / f"{sample}.{name}", sep="\t", keep_default_na=False)


def simulated_scores(workdir, truth_path):
    """Scores of the workflow's counts of the simulated sample against its truth."""
    with gzip.open(truth_path, "rt") as handle:
        truth = pd.read_csv(handle, sep="\t", keep_default_na=False)
    unit = identical_sequence_units(read_fasta(REPO / "resources" / "mirbase-v22-hsa" / "mature.fa"))
    shadowed = pd.read_csv(workdir / "results" / "references" / "shadowed_matures.tsv", sep="\t")["mirna"].map(unit)
    true_reads = truth[truth["biotype"] == "miRNA"].groupby("name").size()
    true_reads = true_reads.groupby(true_reads.index.map(unit)).sum()
    counted = quantified(workdir, "simulated_truseq", "mirna.tsv").set_index("mirna")["reads"]
    counted = counted.groupby(counted.index.map(unit)).sum()
    inserts = pd.read_csv(workdir / "results" / "quantify" / "simulated_truseq.inserts.tsv.gz", sep="\t")
    return {
        "all": mirna_scores(true_reads, counted),
        "identifiable": mirna_scores(true_reads[~true_reads.index.isin(shadowed)], counted),
        # Joined on the error-free insert: reads with a sequencing error are not checked here
        # (the in-process run below checks every read).
        "fragments_on_mirna": fragments_on_mirna(truth, truth["insert"], inserts),
    }


def exrnaqc_numbers(workdir):
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


def excerpt_numbers(workdir):
    expected = EXPECTED / "exceRpt_testData_human"
    stages = pd.read_csv(expected / "testData_human.fastq.stats", sep="\t", comment="#", index_col=0)["ReadCount"]
    collapsed = json.loads((workdir / "results" / "collapsed" / "excerpt_test.stats.json").read_text())
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


def mirtrace_numbers(workdir):
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
            "other": sum(biotypes[key] for key in ("spike_in", "YRNA", "snRNA", "snoRNA", "other_ncRNA", "miRNA_hairpin")),
            "unassigned": biotypes["unassigned"] + biotypes["genome"],
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


def bowtie_seconds(index, reads, unaligned=None):
    command = ["bowtie", *BOWTIE, "-r", "-x", str(index), str(reads)]
    if unaligned:
        command[1:1] = ["--un", str(unaligned)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def combined_versus_chained(workdir, repeats):
    """Seconds for one combined pass and for the chain, on the unique inserts of every sample."""
    folder = Path(tempfile.mkdtemp(dir=workdir, prefix="chain_"))
    inserts = pd.concat(
        pd.read_csv(path, sep="\t", usecols=["sequence"]) for path in (workdir / "results" / "collapsed").glob("*.tsv.gz")
    )["sequence"].drop_duplicates()
    reads = folder / "inserts.txt"
    reads.write_text("\n".join(inserts) + "\n")
    records = read_fasta(workdir / "results" / "references" / "annotation.fa")
    indexes = []
    for biotypes in CHAIN:
        name = "_".join(biotypes)
        selected = {record: sequence for record, sequence in records.items() if record.split("|")[0] in biotypes}
        (folder / f"{name}.fa").write_text("".join(f">{r}\n{s}\n" for r, s in selected.items()))
        subprocess.run(["bowtie-build", "-q", folder / f"{name}.fa", folder / name], check=True)
        indexes.append(folder / name)
    combined = [bowtie_seconds(workdir / "results" / "references" / "annotation", reads) for _ in range(repeats)]
    chained = []
    for _ in range(repeats):
        remaining, seconds = reads, 0.0
        for number, index in enumerate(indexes):
            unaligned = folder / f"unaligned_{number}.txt"
            seconds += bowtie_seconds(index, remaining, unaligned)
            remaining = unaligned
        chained.append(seconds)
    return len(inserts), statistics.median(combined), statistics.median(chained)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=200_000, help="simulated reads (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="simulation seed (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="work folder (default: a new temporary one)")
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="exomir_accuracy_"))
    workdir.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 200)

    fastq, truth = simulate_truseq(workdir, arguments.reads, arguments.seed)
    simulated = ("simulated_truseq", fastq, "plasma", "truseq", "healthy")
    seconds = run_workflow(workdir, [*exrnaqc_rows(), simulated, *published_rows()])
    print(f"workflow on 8 samples: {seconds:.0f} s ({workdir})\n")

    print(f"== Simulated TruSeq, {arguments.reads} reads, seed {arguments.seed}, through the whole workflow")
    print(json.dumps(simulated_scores(workdir, truth), indent=1))
    references = f"{workdir}/results/references/"
    scores, _ = simulate_and_score(
        references,
        arguments.reads,
        arguments.seed,
        contaminant_records(),
        workdir,
        contaminant_fraction=0.3,
        random_fraction=0.05,
        isomir_fraction=0.3,
    )
    print(f"== Simulated bare inserts, {arguments.reads} reads, seed {arguments.seed}, every read joined to its truth")
    print(json.dumps(scores, indent=1))

    print("\n== exRNAQC017: Spearman on the 50 most abundant published miRNAs; spike-ins vs allspikes_subs.txt")
    print(exrnaqc_numbers(workdir).to_string())

    funnel, mirnas = excerpt_numbers(workdir)
    print("\n== exceRpt test file: read funnel")
    print(funnel.to_string())
    print("\n== exceRpt test file: miRNA reads (exceRpt multimap-adjusted; exomir reads)")
    print(mirnas[(mirnas > 0).any(axis=1)].to_string())

    print("\n== miRTrace tutorial: RNA-type composition (reads, and share of the reads each tool classifies)")
    print(mirtrace_numbers(workdir).to_string())

    n_inserts, combined, chained = combined_versus_chained(workdir, arguments.repeats)
    print(f"\n== Alignment of {n_inserts} unique inserts (median of {arguments.repeats})")
    print(f"combined index, one pass: {combined:.2f} s; chain of {len(CHAIN)} passes: {chained:.2f} s")


if __name__ == "__main__":
    main()
