"""Time how long Snakemake takes to build the DAG of a large cohort (a dry run).

    python bench/dag_500.py [--samples 500] [--profile slurm]

Writes a sample sheet of N samples to bench/output/, each sample's FASTQ the first 1,000 reads of
one of the three exRNAQC017 files under read names that carry the sample's (a dry run reads no
reads, but the sheet check wants distinct files), then
times `snakemake --dry-run` from the repository root with that sheet, for three samples
and for N. Prints samples, planned jobs and wall-clock seconds per run.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from exomir.devtools.runs import job_stats, renamed_fastq

REPO = Path(__file__).resolve().parents[1]
READS = REPO.parent / "shared" / "data" / "reads" / "exRNAQC017_serum_plasma"
OUTPUT = REPO / "bench" / "output"


def write_sheet(path, number):
    fastqs = sorted(READS.glob("RNA0149*_R1.fastq.gz"))
    if not fastqs:
        raise SystemExit(f"{READS}: no exRNAQC017 FASTQ files")
    reads = path.with_suffix("")
    reads.mkdir(exist_ok=True)
    rows = ["sample\tfastq\tbiofluid\tkit\tcondition"]
    for index in range(number):
        fastq = renamed_fastq(fastqs[index % len(fastqs)], reads, f"S{index + 1:04d}")
        rows.append(f"S{index + 1:04d}\t{fastq}\tplasma\ttruseq\thealthy")
    path.write_text("\n".join(rows) + "\n")
    return path


def time_dry_run(sheet, profile):
    command = [sys.executable, "-m", "snakemake", "--dry-run", "--quiet", "rules", "--config", f"samples={sheet}"]
    if profile:
        command += ["--workflow-profile", str(REPO / "workflow" / "profiles" / profile)]
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"dry run failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return sum(job_stats(result.stdout + result.stderr).values()), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--profile", help="workflow profile to dry-run with, e.g. slurm")
    arguments = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    print("samples\tjobs\tseconds")
    for number in (3, arguments.samples):
        sheet = write_sheet(OUTPUT / f"samples_{number}.tsv", number)
        jobs, seconds = time_dry_run(sheet, arguments.profile)
        print(f"{number}\t{jobs}\t{seconds:.1f}", flush=True)


if __name__ == "__main__":
    main()
