#!/usr/bin/env python3
"""Print every accuracy number of the quantification, and the combined-vs-chained alignment time.

One workflow run (exomir.devtools helpers, the shared annotation sets) on:
- a simulated TruSeq sample (exomir.devtools.reads): plasma-like miRNA abundances, isomiRs,
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

from exomir.common.fasta import read_fasta
from exomir.devtools.published import (
    excerpt_numbers,
    exrnaqc_numbers,
    mirtrace_numbers,
    published_rows,
    quantified,
    run_workflow,
)
from exomir.devtools.runs import REPO, exrnaqc_rows, shared_references
from exomir.devtools.truth import fragments_on_mirna, identical_sequence_units, mirna_scores, simulate_and_score
from exomir.references.annotation import annotation_records

SHARED_ANNOTATION = shared_references()["annotation"]
# One pass per biotype in BIOTYPE_PRIORITY order, as a chained cascade would run them.
CHAIN = (("spike_in",), ("tRNA",), ("rRNA",), ("YRNA",), ("miRNA",), ("snRNA", "snoRNA", "other_ncRNA"))
BOWTIE = ["-v", "1", "-a", "--best", "--strata", "--norc"]


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
    command = [sys.executable, "-m", "exomir.devtools.reads", "--kit", "truseq"]
    command += ["--reads", str(n_reads), "--seed", str(seed), "--fastq", str(fastq), "--truth", str(truth)]
    command += ["--isomir-fraction", "0.3", "--contaminant-fraction", "0.3", "--random-fraction", "0.05"]
    command += [argument for biotype, path in fasta.items() for argument in ("--contaminant", f"{biotype}={path}")]
    subprocess.run(command, check=True)
    return fastq, truth


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
        pd.read_csv(path, sep="\t", usecols=["sequence"])
        for path in (workdir / "results" / "collapsed").glob("*.tsv.gz")
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
