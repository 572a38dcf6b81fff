"""What the per-sample path cannot go below with its present tools: each part measured alone.

The per-sample path reads the FASTQ, trims every distinct read with cutadapt's aligner where
the exact path cannot decide (exomir.inserts.adapters), aligns the inserts without an exact
occurrence with bowtie, and runs each stage as a Snakemake job. Each of those parts is timed
here on its own, in the kernel's CPU seconds, beside `pigz -dc` on the same file:

- Snakemake's cost per job: a workflow of four jobs that each run a one-line `script:`, less
  the same workflow with nothing to do;
- a job's imports: a fresh Python importing what each per-sample script imports;
- reading: the FASTQ parsed by dnaio (decompression included), as rule check_reads does, and
  parsed and counted by distinct read, as rule inserts does;
- the aligner: cutadapt's match_to on exactly the reads that trimming and kit detection hand to
  it (those the exact path leaves undecided and whose k-mers are present);
- bowtie: the inserts of a finished run (`--results`, a results folder of the workflow, e.g.
  bench/output/work_<reads>/exomir/results) that have no exact occurrence, with the
  workflow's arguments.

Their sum is a floor for this design: no Python around them is counted.

Usage (after bench/run_benchmark.py has run on the same reads):
    .venv/bin/python bench/floor.py --fastq reads.fastq.gz --kit qiaseq \
        --results bench/output/work_2000000/exomir/results
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from exomir.inserts.adapters import LayoutAdapter, pick
from exomir.inserts.kits import MIN_PARTIAL, layout_adapter, load_kits
from exomir.inserts.reads import distinct_read_chunks, first_reads, lane_sequences
from exomir.inserts.trim import adapter_finder
from exomir.quantify.align import run_bowtie
from exomir.quantify.exact import ExactIndex

REPO = Path(__file__).resolve().parents[1]
# What each per-sample script imports (workflow/scripts/*.py, rules check_reads, inserts, quantify, mirtop_gff).
JOB_IMPORTS = {
    "check_reads": "import exomir.inserts.check",
    "inserts": "import exomir.inserts.reads, exomir.inserts.collapse, exomir.common.fasta",
    "quantify": "import pandas, exomir.quantify.assign, exomir.quantify.exact, exomir.common.plain_tables",
    "mirtop_gff": "import exomir.quantify.mirgff",
}
TRIM_ERROR_RATE, TRIM_MIN_OVERLAP, DETECTION_READS = 0.1, 3, 200_000  # config/config.yaml defaults
BOWTIE_ARGUMENTS = ["-v", "1", "-a", "--best", "--strata", "--norc"]  # exomir.quantify.align.best_stratum
REPEATS = 3


def in_children(function) -> float:
    """CPU seconds (user + system) of the child processes that `function` runs, from the kernel."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    function()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def children_cpu(command: list[str], cwd: str | Path | None = None) -> float:
    """CPU seconds of a command and its children."""
    run = subprocess.run
    return in_children(lambda: run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def median_of(measure, repeats: int = REPEATS) -> float:
    return statistics.median(measure() for _ in range(repeats))


def in_process(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def snakemake_per_job(folder: Path) -> float:
    """CPU seconds Snakemake adds per `script:` job (four one-line jobs, less nothing to do)."""
    (folder / "job.py").write_text('open(snakemake.output[0], "w").close()\n')
    (folder / "Snakefile").write_text(
        'rule all:\n    input: expand("out/{i}", i=range(4))\n\n'
        'rule job:\n    output: "out/{i}"\n    log: "logs/{i}"\n    benchmark: "benchmarks/{i}"\n'
        '    threads: 1\n    script: "job.py"\n'
    )
    command = [str(Path(sys.executable).parent / "snakemake"), "--cores", "2", "--quiet"]

    def four_jobs():
        subprocess.run(["rm", "-rf", "out", "logs", "benchmarks", ".snakemake"], cwd=folder, check=True)
        return children_cpu(command, folder)

    return (median_of(four_jobs) - median_of(lambda: children_cpu(command, folder))) / 4


def undecided(adapter: LayoutAdapter, sequences: list[str]) -> list[str]:
    """The reads LayoutAdapter.locate_all hands to the aligner."""
    return pick(sequences, adapter.aligner_rows(sequences, adapter.exact_starts(sequences)))


def aligner_cpu(adapter: LayoutAdapter, reads: list[str]) -> float:
    return in_process(lambda: [adapter.match_to(read) for read in reads])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fastq", required=True, type=Path)
    parser.add_argument("--kit", required=True)
    parser.add_argument("--results", required=True, type=Path, help="results folder of a workflow run on the reads")
    parser.add_argument("--sample", default="benchsample")
    arguments = parser.parse_args(argv)
    kits = load_kits(REPO / "resources" / "kits.yaml")
    kit = kits[arguments.kit]
    rows = []
    pigz = median_of(lambda: children_cpu(["pigz", "-dc", str(arguments.fastq)]), 5)
    with tempfile.TemporaryDirectory() as folder:
        rows.append(("Snakemake, per job (x4 jobs)", 4 * snakemake_per_job(Path(folder))))
    for job, statement in JOB_IMPORTS.items():
        command = [sys.executable, "-c", statement]
        rows.append((f"imports of the {job} job", median_of(lambda command=command: children_cpu(command))))

    def parse():
        with lane_sequences(arguments.fastq) as sequences:
            for _ in sequences:
                pass

    rows.append(("check_reads: the FASTQ parsed (dnaio)", median_of(lambda: in_process(parse))))
    start = time.process_time()
    chunks = list(distinct_read_chunks([arguments.fastq], 1_000_000))
    counting = time.process_time() - start
    rows.append(("inserts: the FASTQ parsed again and counted by distinct read", counting))
    distinct = sum(len(chunk) for chunk in chunks)
    trimmer = adapter_finder(kit, TRIM_ERROR_RATE, TRIM_MIN_OVERLAP)
    aligned = 0
    trimming = 0.0
    if trimmer is not None:
        for chunk in chunks:
            sequences = list(chunk)
            if kit["clip_5p"]:
                sequences = [sequence[kit["clip_5p"] :] for sequence in sequences]
            reads = undecided(trimmer, sequences)
            aligned += len(reads)
            trimming += aligner_cpu(trimmer, reads)
    del chunks
    rows.append((f"trimming: cutadapt's aligner on {aligned:,} of {distinct:,} distinct reads", trimming))
    detection_reads = list(first_reads([arguments.fastq], DETECTION_READS))
    detection, detection_aligned = 0.0, 0
    for layout in sorted({layout_adapter(preset) for preset in kits.values() if preset["adapter_3p"]}):
        adapter = LayoutAdapter(layout, TRIM_ERROR_RATE, MIN_PARTIAL)
        reads = undecided(adapter, detection_reads)
        detection_aligned += len(reads)
        detection += aligner_cpu(adapter, reads)
    rows.append((f"kit detection: cutadapt's aligner, {detection_aligned:,} reads x adapters", detection))
    references = arguments.results / "references"
    collapsed = arguments.results / "inserts" / f"{arguments.sample}.tsv.gz"
    with subprocess.Popen(["zcat", str(collapsed)], stdout=subprocess.PIPE, text=True) as pipe:
        inserts = [line.split("\t", 1)[0] for line in list(pipe.stdout)[1:]]
    exact = ExactIndex.load(references / "annotation.fa", references / "annotation.suffixes.npy")
    found = np.zeros(len(inserts), dtype=bool)
    found[exact.occurrences(inserts)[0]] = True
    others = [inserts[row] for row in np.flatnonzero(~found).tolist()]
    with tempfile.TemporaryDirectory() as folder:
        bowtie = median_of(
            lambda: in_children(lambda: run_bowtie(others, str(references / "annotation"), BOWTIE_ARGUMENTS, folder))
        )
    rows.append((f"bowtie on the {len(others):,} of {len(inserts):,} inserts without an exact occurrence", bowtie))
    floor = sum(cpu for _, cpu in rows)
    print(f"{arguments.fastq.name}: kit {arguments.kit}; pigz -dc {pigz:.2f} CPU s (median of 5)\n")
    print("| part | CPU s | × `pigz -dc` |\n|---|---|---|")
    for name, cpu in rows:
        print(f"| {name} | {cpu:.2f} | {cpu / pigz:.1f}× |")
    print(f"| **floor: the parts together** | {floor:.2f} | {floor / pigz:.1f}× |")


if __name__ == "__main__":
    main()
