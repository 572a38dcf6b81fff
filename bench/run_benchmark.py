#!/usr/bin/env python3
"""Time exomir's per-sample path beside decompression and the nf-core/smrnaseq chain.

On one FASTQ.gz of simulated reads of one kit (exomir.devtools.reads, which also writes the
truth; `--kit truseq` or `--kit qiaseq`, low or high `--diversity`), one run measures, each
`--repeats` times with the median quoted:

- decompression: `pigz -dc`, the floor any reader of the file pays;
- the per-sample chain of nf-core/smrnaseq 2.4.1 (see NFCORE_* below): fastp, bowtie 1 on
  miRBase mature, the unmapped reads on hairpins, samtools sort, index and idxstats;
- exomir: the workflow on a one-sample sheet, end to end (`snakemake --cores N` from FASTQ.gz
  to the sample's miRNA counts), with each rule's own time read from its benchmark file.

Wall and CPU time come from the kernel (wait4) for the whole process tree; peak memory is
the largest summed RSS of the tree, sampled every SAMPLE_SECONDS. The 1-minute load average
is recorded beside every measurement, because other work on the machine inflates times.
Accuracy is scored against the simulated truth (see `accuracy`). Every row carries the
input's distinct-read share (distinct sequences over reads, of the whole file and of its first
10,000 reads), because exomir's cost follows the distinct reads.

Usage (from the repository root, after `make bench-deps`):
    .venv/bin/python bench/run_benchmark.py                      # 2,000,000 reads, 3 repeats
    .venv/bin/python bench/run_benchmark.py --reads 500000 --repeats 5
    .venv/bin/python bench/run_benchmark.py --fastq x.fastq.gz --truth x.truth.tsv.gz
    .venv/bin/python bench/run_benchmark.py --scaling 500000,2000000,8000000
    .venv/bin/python bench/run_benchmark.py --kit qiaseq --diversity high --reads 2000000
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dnaio
import numpy as np
import pandas as pd
import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
MIRBASE = REPO / "resources" / "mirbase-v22-hsa"
KITS = ("truseq", "qiaseq")
DISTINCT_FIRST_READS = 10_000
SAMPLE = "benchsample"
# exomir's per-sample result: the design contract's per-sample miRNA count table.
EXOMIR_COUNTS = f"results/quantify/{SAMPLE}.mirna.tsv"
# The per-sample path ends with the counts and their mirGFF3 export.
EXOMIR_TARGETS = (EXOMIR_COUNTS, f"results/quantify/{SAMPLE}.gff")
SAMPLE_SECONDS = 0.05
SNAKEMAKE_START_UP = "Snakemake start-up (the same command, nothing to do)"
PER_SAMPLE_PATH = "exomir per-sample path (end to end - start-up)"
GNU_TIME = "/usr/bin/time"  # `make bench-deps` installs it
MIN_TRUE_READS = 10  # miRNAs with fewer true reads are too noisy for the CPM correlation

# nf-core/smrnaseq 2.4.1, conf/modules.config (FASTQ_FASTQC_UMITOOLS_FASTP:FASTP ext.args with
# the defaults fastp_min_length 17, fastp_max_length 100, three_prime_adapter of the protocol)
# and modules/local/bowtie_map_mirna.nf (BOWTIE_MAP_SEQ, run on mature then on the reads
# mature left unmapped, against hairpins); BAM_SORT_STATS_SAMTOOLS sorts, indexes and runs idxstats
# (its samtools stats and flagstat are QC only and left out, as are FastQC, miRTrace and mirtop).
NFCORE_FASTP_LENGTH = (17, 100)
NFCORE_BOWTIE_OPTIONS = "-t -k 50 --best --strata -e 99999 --chunkmbs 2048"

COLUMNS = [
    "step",
    "distinct_share",
    "distinct_share_first",
    "wall_s",
    "cpu_s",
    "reads_per_s",
    "peak_rss_mb",
    "x_decompression",
    "x_decompression_cpu",
    "x_nfcore",
    "load_1min",
    "recall",
    "precision",
    "pearson_log2cpm",
]


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    load_1min: float


def tree_rss(process):
    """Summed resident memory of `process` and all its descendants, in bytes."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def measure(command, log, cwd=None, env=None, stdout=None):
    """Run a bash command line; return its Measurement or raise naming the command and log."""
    load_1min = os.getloadavg()[0]
    max_rss_file = Path(f"{log}.max_rss_kb")
    # GNU time reports the largest single process of the tree; a child forked from this
    # interpreter would instead start with the interpreter's own resident memory.
    wrapped = [GNU_TIME, "--format", "%M", "--output", str(max_rss_file), "bash", "-o", "pipefail", "-c", command]
    with open(log, "w") as log_handle:
        started = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=stdout or log_handle, stderr=log_handle)
        tracked = psutil.Process(process.pid)
        peak_bytes = 0
        while True:
            # wait4 reaps the child with the CPU time of its whole (waited-for) tree.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_bytes = max(peak_bytes, tree_rss(tracked))
            time.sleep(SAMPLE_SECONDS)
        wall_s = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"exit {process.returncode}: {command}\n(see {log})")
    largest_process_kb = int(max_rss_file.read_text().split()[-1])
    peak_mb = max(peak_bytes / 2**20, largest_process_kb / 1024)
    return Measurement(wall_s, usage.ru_utime + usage.ru_stime, peak_mb, load_1min)


def log_name(step):
    return re.sub(r"\W+", "_", step).strip("_")


def tool_environment():
    """The environment with this interpreter's venv first on PATH (cutadapt, snakemake)."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")


def simulated_reads(reads, seed, directory, kit, diversity):
    """FASTQ.gz and truth TSV of `reads` simulated reads of `kit`, made once per size, seed and
    diversity (the low-diversity files keep their earlier names)."""
    stem = f"{kit}_{reads}_seed{seed}" + ("_high" if diversity == "high" else "")
    fastq, truth = directory / f"{stem}.fastq.gz", directory / f"{stem}.truth.tsv.gz"
    if not (fastq.exists() and truth.exists()):
        directory.mkdir(parents=True, exist_ok=True)
        partial_fastq, partial_truth = fastq.with_suffix(".part.gz"), truth.with_suffix(".part.gz")
        command = [
            sys.executable,
            "-m",
            "exomir.devtools.reads",
            "--kit",
            kit,
            "--diversity",
            diversity,
            "--reads",
            str(reads),
            "--seed",
            str(seed),
        ]
        command += ["--read-length", "75", "--fastq", str(partial_fastq), "--truth", str(partial_truth)]
        subprocess.run(command, check=True)
        partial_fastq.rename(fastq)
        partial_truth.rename(truth)
    return fastq, truth


def kit_adapter(kit):
    """The kit's 3' adapter from the kit presets (the single place adapters are kept)."""
    kits = yaml.safe_load((REPO / "resources" / "kits.yaml").read_text())
    return kits[kit]["adapter_3p"]


def distinct_share(fastq):
    """(distinct sequences / reads of the whole file, the same of its first
    DISTINCT_FIRST_READS reads), kept beside the file once computed."""
    cached = Path(f"{fastq}.distinct.json")
    if cached.exists():
        return tuple(json.loads(cached.read_text()))
    counts = Counter()
    first = None
    with dnaio.open(fastq, open_threads=1) as records:
        for number, record in enumerate(records, start=1):
            counts[record.sequence] += 1
            if number == DISTINCT_FIRST_READS:
                first = len(counts) / number
    total = sum(counts.values())
    shares = (len(counts) / total, first if first is not None else len(counts) / total)
    cached.write_text(json.dumps(shares))
    return shares


def nfcore_indexes(directory, threads):
    """bowtie 1 indexes of miRBase mature and hairpin (built once; untimed, as for exomir)."""
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = {}
    for name in ("mature", "hairpin"):
        prefix = directory / name
        if not Path(f"{prefix}.1.ebwt").exists():
            subprocess.run(
                ["bowtie-build", "--threads", str(threads), str(MIRBASE / f"{name}.fa"), str(prefix)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        prefixes[name] = prefix
    return prefixes


def nfcore_steps(fastq, directory, indexes, threads, kit):
    """The nf-core/smrnaseq 2.4.1 per-sample chain as (step, bash command line) pairs."""
    low, high = NFCORE_FASTP_LENGTH
    trimmed = directory / "sample.fastp.fastq.gz"

    def bowtie(reference, reads):
        # As BOWTIE_MAP_SEQ: SAM on disk, then BAM, and the unmapped reads gzipped for the next pass.
        out = directory / reference
        return (
            f"bowtie -x {indexes[reference]} -q <(zcat {reads}) -p {threads} {NFCORE_BOWTIE_OPTIONS} "
            f"--un {out}_unmapped.fq -S > {out}.sam && samtools view -bS {out}.sam > {out}.bam && "
            f"touch {out}_unmapped.fq && gzip -f {out}_unmapped.fq"
        )

    sort_index_idxstats = " && ".join(
        f"samtools sort -@ {threads} -o {directory / name}.sorted.bam {directory / name}.bam && "
        f"samtools index {directory / name}.sorted.bam && "
        f"samtools idxstats {directory / name}.sorted.bam > {directory / name}.idxstats"
        for name in ("mature", "hairpin")
    )
    return [
        (
            "nf-core: fastp",
            f"fastp -i {fastq} -o {trimmed} --thread {threads} -l {low} --max_len1 {high} "
            f"--adapter_sequence {kit_adapter(kit)} --json {directory}/fastp.json --html {directory}/fastp.html",
        ),
        ("nf-core: bowtie mature", bowtie("mature", trimmed)),
        ("nf-core: bowtie hairpin", bowtie("hairpin", directory / "mature_unmapped.fq.gz")),
        ("nf-core: samtools sort, index, idxstats", sort_index_idxstats),
    ]


def absolute_paths(value, checkout):
    """`value` with every string naming an existing file of `checkout` made absolute."""
    if isinstance(value, dict):
        return {key: absolute_paths(item, checkout) for key, item in value.items()}
    if isinstance(value, list):
        return [absolute_paths(item, checkout) for item in value]
    if isinstance(value, str) and value and (checkout / value).exists():
        return str(checkout / value)
    return value


def exomir_workdir(fastq, directory, checkout, kit):
    """A workflow directory with a one-sample sheet and the config of the exomir `checkout`."""
    directory.mkdir(parents=True, exist_ok=True)
    sheet = directory / "samples.tsv"
    sheet.write_text(f"sample\tfastq\tbiofluid\tkit\tcondition\n{SAMPLE}\t{fastq}\tplasma\t{kit}\thealthy\n")
    config = absolute_paths(yaml.safe_load((checkout / "config" / "config.yaml").read_text()), checkout)
    config["samples"] = str(sheet)
    (directory / "config.yaml").write_text(yaml.safe_dump(config))
    return directory


def exomir_command(directory, checkout, cores, targets=EXOMIR_TARGETS):
    return (
        f"{sys.executable} -m snakemake --snakefile {checkout / 'Snakefile'} --directory {directory} "
        f"--configfile {directory / 'config.yaml'} --cores {cores} {' '.join(targets)}"
    )


# The per-sample path one stage at a time, each stage a run of its own: (jobs, targets). A stage's
# CPU less Snakemake's start-up is its jobs' cost from the kernel, scheduling included.
EXOMIR_STAGES = (
    ("check_reads, input_check", (f"results/inserts/{SAMPLE}.check.json", "results/inserts/input_check.tsv")),
    ("inserts", (f"results/inserts/{SAMPLE}.tsv.gz",)),
    ("quantify", (EXOMIR_COUNTS,)),
    ("mirtop_gff", (f"results/quantify/{SAMPLE}.gff",)),
)


def staged_measurements(directory, checkout, cores, logs, env, repeat, start_up):
    """{row name: Measurement} of each stage of the per-sample path (EXOMIR_STAGES), run one after
    another on cleared sample outputs, `start_up` (the nothing-to-do run) taken off each. Peak
    memory is the stage run's, Snakemake's own process included (the rules' rows give each job's)."""
    clear_sample_outputs(directory)
    rows = {}
    for number, (jobs, targets) in enumerate(EXOMIR_STAGES):
        log = logs / f"exomir_stage_{repeat}_{number}.log"
        stage = measure(exomir_command(directory, checkout, cores, targets), log, env=env)
        rows[f"exomir job (kernel): {jobs}"] = Measurement(
            stage.wall_s - start_up.wall_s, stage.cpu_s - start_up.cpu_s, stage.peak_rss_mb, stage.load_1min
        )
    return rows


# Files of the one-sample sheet that are the sample's although not named after it: the input check
# of all samples, which the sample's trimming waits for.
SAMPLE_COHORT_FILES = ("input_check*",)


def clear_sample_outputs(directory):
    """Remove the sample's results, logs and benchmarks (shared references stay built)."""
    for folder in ("results", "logs", "benchmarks"):
        paths = [
            path for pattern in (f"{SAMPLE}*", *SAMPLE_COHORT_FILES) for path in (directory / folder).rglob(pattern)
        ]
        for path in paths:
            if not path.exists():
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def rule_benchmarks(directory, load_1min):
    """{rule benchmark name: Measurement} from Snakemake's benchmark files of the sample.

    Snakemake samples a job's processes periodically, so the CPU time and memory of jobs
    shorter than about a second are underestimated; `load_1min` is the run's load average."""
    rules = {}
    # In the order the jobs finished, which is the order of the pipeline.
    found = [
        path
        for pattern in (f"{SAMPLE}.tsv", *SAMPLE_COHORT_FILES)
        for path in (directory / "benchmarks").rglob(pattern)
    ]
    for path in sorted(found, key=lambda path: path.stat().st_mtime):
        row = pd.read_csv(path, sep="\t").iloc[0]
        folder = str(path.parent.relative_to(directory / "benchmarks"))
        name = folder if path.stem == SAMPLE else f"{folder}/{path.stem}"
        rules[name] = Measurement(float(row["s"]), float(row["cpu_time"]), float(row["max_rss"]), load_1min)
    return rules


def truth_counts(truth):
    """True molecules per miRNA: what exomir's `count` column estimates (without a UMI, every
    read is a molecule; the nf-core chain counts reads, as it does not deduplicate)."""
    table = pd.read_csv(truth, sep="\t", usecols=["biotype", "name", "molecule"])
    return table[table["biotype"] == "miRNA"].groupby("name")["molecule"].nunique()


def exomir_mirna_counts(directory):
    table = pd.read_csv(directory / EXOMIR_COUNTS, sep="\t")
    return table.groupby("mirna")["count"].sum()


def nfcore_mirna_counts(directory):
    """Per-mature counts as nf-core's idxstats-based path gives them (mature alignment only:
    reads that reach only hairpins are counted per hairpin, not per miRNA)."""
    columns = ["ref", "length", "mapped", "unmapped"]
    idxstats = pd.read_csv(directory / "mature.idxstats", sep="\t", header=None, names=columns)
    idxstats = idxstats[idxstats["ref"] != "*"]
    return idxstats.set_index("ref")["mapped"]


def accuracy(estimated, truth):
    """(recall, precision, Pearson r of log2 CPM) of per-miRNA counts against the truth.

    recall: true miRNA reads counted on their own miRNA, sum(min(estimated, true)) / sum(true);
    precision: the same over all miRNA counts, sum(min(estimated, true)) / sum(estimated);
    Pearson of log2(CPM + 1) over miRNAs with at least MIN_TRUE_READS true reads, CPM taken
    over each side's miRNA total.
    """
    names = truth.index.union(estimated.index)
    true = truth.reindex(names, fill_value=0).astype(float)
    counted = estimated.reindex(names, fill_value=0).astype(float)
    agreeing = np.minimum(true, counted).sum()
    kept = true >= MIN_TRUE_READS
    log_cpm_true = np.log2(true[kept] / true.sum() * 1e6 + 1)
    log_cpm_counted = np.log2(counted[kept] / max(counted.sum(), 1) * 1e6 + 1)
    pearson = float(np.corrcoef(log_cpm_true, log_cpm_counted)[0, 1]) if kept.sum() > 1 else float("nan")
    return agreeing / true.sum(), agreeing / max(counted.sum(), 1), pearson


def collapsed_unique_sequences(directory):
    """Unique inserts of the sample, from the collapse step's stats (None if absent)."""
    stats = directory / "results" / "inserts" / f"{SAMPLE}.stats.json"
    return json.loads(stats.read_text()).get("unique_sequences") if stats.exists() else None


def run_benchmark(fastq, truth, reads, work, checkout, repeats, threads, kit, nfcore=True):
    """Measure every step `repeats` times (interleaved, so load spikes spread over steps);
    without `nfcore`, decompression and exomir only.

    Returns ({step: [Measurement per repeat]}, {step: (recall, precision, pearson)}, extras).
    """
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    nfcore_dir = work / "nfcore"
    nfcore_dir.mkdir(exist_ok=True)
    steps = (
        nfcore_steps(fastq, nfcore_dir, nfcore_indexes(work / "nfcore_index", threads), threads, kit) if nfcore else []
    )
    exomir_dir = exomir_workdir(fastq, work / "exomir", checkout, kit)
    env = tool_environment()
    clear_sample_outputs(exomir_dir)  # a previous run may have used another FASTQ
    # Warm-up: builds exomir's references (shared by all samples, so not per-sample cost)
    # and brings the FASTQ into the page cache for every contender alike.
    measure(exomir_command(exomir_dir, checkout, threads), logs / "exomir_warmup.log", env=env)

    measurements = {}
    for repeat in range(repeats):
        decompression = measure(f"pigz -dc {fastq}", logs / "pigz.log", stdout=subprocess.DEVNULL)
        measurements.setdefault("decompression: pigz -dc", []).append(decompression)
        chain = []
        for step, command in steps:
            chain.append(measure(command, logs / f"{log_name(step)}.log", env=env))
            measurements.setdefault(step, []).append(chain[-1])
        if chain:
            measurements.setdefault("nf-core chain (total)", []).append(combined(chain))
        clear_sample_outputs(exomir_dir)
        end_to_end = measure(exomir_command(exomir_dir, checkout, threads), logs / f"exomir_{repeat}.log", env=env)
        rules = rule_benchmarks(exomir_dir, end_to_end.load_1min)
        for name, rule in rules.items():
            measurements.setdefault(f"exomir rule: {name}", []).append(rule)
        rules_total = combined(list(rules.values()))
        measurements.setdefault("exomir rules (sum)", []).append(rules_total)
        # The same command again, with every output up to date: Snakemake's start-up (parsing the
        # workflow and the sheet, the DAG), which a run pays once whatever its number of samples.
        start_up = measure(exomir_command(exomir_dir, checkout, threads), logs / f"exomir_noop_{repeat}.log", env=env)
        measurements.setdefault(f"exomir end to end (snakemake --cores {threads})", []).append(end_to_end)
        measurements.setdefault(SNAKEMAKE_START_UP, []).append(start_up)
        # Kernel-measured, unlike the rules' own figures, which Snakemake samples and undercounts;
        # Snakemake's scheduling of the jobs is in it, so it is an upper bound of the rules' sum.
        path = Measurement(
            end_to_end.wall_s - start_up.wall_s,
            end_to_end.cpu_s - start_up.cpu_s,
            end_to_end.peak_rss_mb,
            end_to_end.load_1min,
        )
        measurements.setdefault(PER_SAMPLE_PATH, []).append(path)
        for name, stage in staged_measurements(exomir_dir, checkout, threads, logs, env, repeat, start_up).items():
            measurements.setdefault(name, []).append(stage)

    truth_per_mirna = truth_counts(truth)
    scores = {
        f"exomir end to end (snakemake --cores {threads})": accuracy(exomir_mirna_counts(exomir_dir), truth_per_mirna)
    }
    if steps:
        scores["nf-core chain (total)"] = accuracy(nfcore_mirna_counts(nfcore_dir), truth_per_mirna)
    extras = {"unique_sequences": collapsed_unique_sequences(exomir_dir)}
    return measurements, scores, extras


def combined(parts):
    """Steps run one after another: times add up, memory peaks at the largest step."""
    return Measurement(
        sum(part.wall_s for part in parts),
        sum(part.cpu_s for part in parts),
        max(part.peak_rss_mb for part in parts),
        statistics.median(part.load_1min for part in parts),
    )


def summary_table(measurements, scores, reads, shares):
    """One row per step: medians over repeats and the ratios the README explains, each with
    the input's distinct share (whole file, first reads)."""
    fields = Measurement.__dataclass_fields__
    medians = {
        step: {field: statistics.median(getattr(item, field) for item in items) for field in fields}
        for step, items in measurements.items()
    }
    decompression = medians["decompression: pigz -dc"]["wall_s"]
    decompression_cpu = medians["decompression: pigz -dc"]["cpu_s"]
    nfcore = medians.get("nf-core chain (total)", {"wall_s": np.nan})["wall_s"]
    rows = []
    for step, median in medians.items():
        recall, precision, pearson = scores.get(step, (np.nan, np.nan, np.nan))
        rows.append(
            {
                "step": step,
                "distinct_share": shares[0],
                "distinct_share_first": shares[1],
                **median,
                "reads_per_s": reads / median["wall_s"] if median["wall_s"] > 0 else np.nan,
                "x_decompression": median["wall_s"] / decompression,
                # CPU seconds barely move with the machine's load; wall seconds do.
                "x_decompression_cpu": median["cpu_s"] / decompression_cpu,
                "x_nfcore": median["wall_s"] / nfcore,
                "recall": recall,
                "precision": precision,
                "pearson_log2cpm": pearson,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def raw_table(measurements):
    """Every repeat of every step, with its load average, for anyone who distrusts medians."""
    return pd.DataFrame(
        [
            {"step": step, "repeat": repeat, **vars(item)}
            for step, items in measurements.items()
            for repeat, item in enumerate(items)
        ]
    )


def tool_versions():
    def first_line(command):
        result = subprocess.run(
            command, shell=True, capture_output=True, text=True, errors="replace", env=tool_environment()
        )
        return (result.stdout or result.stderr).strip().splitlines()[0]

    return {
        "pigz": first_line("pigz --version"),
        "fastp": first_line("fastp --version"),
        "bowtie": first_line("bowtie --version").split()[-1],
        "samtools": first_line("samtools --version"),
        "cutadapt": first_line("cutadapt --version"),
        "snakemake": first_line(f"{sys.executable} -m snakemake --version"),
    }


def markdown(table, reads, repeats, extras, label):
    """The summary as a markdown table with the conditions it was measured under."""
    formats = {
        "distinct_share": "{:.0%}",
        "distinct_share_first": "{:.0%}",
        "wall_s": "{:.2f}",
        "cpu_s": "{:.2f}",
        "reads_per_s": "{:,.0f}",
        "peak_rss_mb": "{:.0f}",
        "x_decompression": "{:.1f}×",
        "x_decompression_cpu": "{:.1f}×",
        "x_nfcore": "{:.2f}×",
        "load_1min": "{:.2f}",
        "recall": "{:.3f}",
        "precision": "{:.3f}",
        "pearson_log2cpm": "{:.3f}",
    }
    header = [
        "step",
        "distinct",
        f"distinct (first {DISTINCT_FIRST_READS:,})",
        "wall s",
        "CPU s",
        "reads/s",
        "peak RSS MB",
        "× decompression",
        "× decompression (CPU)",
    ]
    header += ["× nf-core", "load", "recall", "precision", "Pearson log2 CPM"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.itertuples(index=False):
        cells = [row.step]
        for column, form in formats.items():
            value = getattr(row, column)
            cells.append("" if pd.isna(value) else form.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    versions = ", ".join(f"{tool} {version}" for tool, version in tool_versions().items())
    cpu = platform.processor() or platform.machine()
    context = [
        f"{reads:,} {label} reads; median of {repeats} repeats; "
        f"{os.cpu_count()} CPUs ({cpu}); {datetime.datetime.now():%Y-%m-%d %H:%M}.",
        f"Unique inserts after collapsing: {extras['unique_sequences']:,}." if extras.get("unique_sequences") else "",
        f"Tools: {versions}.",
    ]
    return "\n".join(line for line in context if line) + "\n\n" + "\n".join(lines) + "\n"


def scaling_table(results):
    """Per-read cost and peak memory of the main contenders at each size."""
    rows = []
    for reads, (table, extras) in results.items():
        for row in table.itertuples(index=False):
            if row.step.startswith(("decompression", "nf-core chain", "exomir")):
                rows.append(
                    {
                        "reads": reads,
                        "step": row.step,
                        "wall_s": row.wall_s,
                        "us_per_read": row.wall_s / reads * 1e6,
                        "cpu_s": row.cpu_s,
                        "cpu_us_per_read": row.cpu_s / reads * 1e6,
                        "peak_rss_mb": row.peak_rss_mb,
                        "x_decompression": row.x_decompression,
                        "x_decompression_cpu": row.x_decompression_cpu,
                        "distinct_share": row.distinct_share,
                        "unique_sequences": extras.get("unique_sequences"),
                    }
                )
    return pd.DataFrame(rows)


def scaling_markdown(table):
    header = (
        "| reads | distinct | step | wall s | µs/read | CPU s | CPU µs/read | peak RSS MB | × decompression "
        "| × decompression (CPU) | unique inserts |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.reads:,} | {row.distinct_share:.0%} | {row.step} | {row.wall_s:.2f} | {row.us_per_read:.2f} | "
            f"{row.cpu_s:.2f} | {row.cpu_us_per_read:.2f} | "
            f"{row.peak_rss_mb:.0f} | {row.x_decompression:.1f}× | {row.x_decompression_cpu:.1f}× | "
            f"{row.unique_sequences or ''} |"
        )
    return "\n".join(lines) + "\n"


def benchmark_one_size(arguments, reads, output):
    """Run the benchmark on one file; write its tables; return (summary table, extras)."""
    if arguments.fastq:
        fastq, truth = Path(arguments.fastq).resolve(), Path(arguments.truth).resolve()
    else:
        fastq, truth = simulated_reads(reads, arguments.seed, output / "reads", arguments.kit, arguments.diversity)
    work = output / f"work_{reads}"
    measurements, scores, extras = run_benchmark(
        fastq,
        truth,
        reads,
        work,
        Path(arguments.repo).resolve(),
        arguments.repeats,
        arguments.threads,
        arguments.kit,
        nfcore=not arguments.skip_nfcore,
    )
    table = summary_table(measurements, scores, reads, distinct_share(fastq))
    name = arguments.name or f"benchmark_{arguments.kit}_{arguments.diversity}_{reads}"
    table.to_csv(output / f"{name}.tsv", sep="\t", index=False, float_format="%.4g")
    repeats_path = output / f"{name}.repeats.tsv"
    raw_table(measurements).to_csv(repeats_path, sep="\t", index=False, float_format="%.4g")
    (output / f"{name}.md").write_text(markdown(table, reads, arguments.repeats, extras, label(arguments)))
    print((output / f"{name}.md").read_text())
    return table, extras


def label(arguments):
    """What the reads are, for the table's caption."""
    if arguments.fastq:
        return f"{arguments.kit} reads of {Path(arguments.fastq).name}"
    return f"simulated 75-nt {arguments.kit} ({arguments.diversity} diversity)"


def count_reads(fastq):
    """Reads in a FASTQ.gz (4 lines each), for a file given with --fastq."""
    lines = subprocess.run(f"pigz -dc {fastq} | wc -l", shell=True, check=True, capture_output=True, text=True)
    return int(lines.stdout) // 4


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=2_000_000, help="reads to simulate (default: %(default)s)")
    parser.add_argument("--kit", choices=KITS, default="truseq", help="library kit (default: %(default)s)")
    parser.add_argument(
        "--diversity",
        choices=("low", "high"),
        default="low",
        help="simulated library (exomir.devtools.reads --diversity; default: %(default)s)",
    )
    parser.add_argument("--fastq", help="benchmark this FASTQ.gz of --kit reads instead of simulating one")
    parser.add_argument("--truth", help="the simulator's truth TSV of --fastq (required with --fastq)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="measurements per step; the median is quoted (default: %(default)s)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads/cores every contender may use (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="simulator seed (default: %(default)s)")
    parser.add_argument(
        "--scaling",
        help="comma-separated read numbers (e.g. 500000,2000000,8000000): benchmark each and report per-read cost",
    )
    parser.add_argument(
        "--repo",
        default=str(REPO),
        help="exomir checkout whose workflow is timed, e.g. a `git worktree` of another commit "
        "to compare before and after a change (default: this repository)",
    )
    parser.add_argument("--output", default=str(REPO / "bench" / "output"), help="output folder (default: %(default)s)")
    parser.add_argument(
        "--skip-nfcore",
        action="store_true",
        help="time decompression and exomir only (for comparing exomir checkouts with --repo)",
    )
    parser.add_argument("--name", help="name of the output tables (default: benchmark_<kit>_<diversity>_<reads>)")
    arguments = parser.parse_args(argv)
    if bool(arguments.fastq) != bool(arguments.truth):
        parser.error("--fastq and --truth go together")
    if arguments.fastq and arguments.scaling:
        parser.error("--scaling simulates its own reads; it does not take --fastq")
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv)
    output = Path(arguments.output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    if arguments.scaling:
        sizes = [int(size) for size in arguments.scaling.split(",")]
        results = {reads: benchmark_one_size(arguments, reads, output) for reads in sizes}
        table = scaling_table(results)
        name = f"scaling_{arguments.kit}_{arguments.diversity}"
        table.to_csv(output / f"{name}.tsv", sep="\t", index=False, float_format="%.4g")
        (output / f"{name}.md").write_text(scaling_markdown(table))
        print(scaling_markdown(table))
    else:
        reads = count_reads(arguments.fastq) if arguments.fastq else arguments.reads
        benchmark_one_size(arguments, reads, output)


if __name__ == "__main__":
    main()
