"""Time and peak memory of the cohort rules (every rule after the per-sample ones) at N samples.

    python bench/cohort_scale.py [--samples 50 150 500] [--seed 15]

Runs the demo once in bench/output/cohort/seed (four simulated samples of four kits and
biofluids: every per-sample output from reads). For each N it then writes a sheet of N samples
in bench/output/cohort/N<N>, each one of the four demo samples under a new name (its FASTQ:
the demo sample's first reads under read names that carry the new name), and writes
that sample's per-sample files (results/inserts/<s>.*, results/quantify/<s>.*) from the demo
sample's: the sample name replaced, and every count of the miRNA, isomiR and feature tables
multiplied by a per-row, per-sample gamma factor (mean 1, coefficient of variation 0.3, from
`--seed` and the sample's number), so that no two samples have the same counts. The read
statistics (stats.json) stay the demo sample's. `snakemake --touch --until check_reads` marks
the input checks complete, input_check runs, `snakemake --touch --until` each other per-sample
rule marks their files complete, and the workflow runs with `--cores 2`: only the cohort rules
run (input_check and the rest). Prints, per N, each rule's wall and CPU seconds and
max RSS from its benchmark file, their sums, and the whole run's wall time and load average.
"""

import argparse
import gzip
import os
import shutil
import time

import numpy as np
import pandas as pd
from peak_memory import measured_rules

from exomir.devtools.runs import REPO, job_stats, renamed_fastq, run_snakemake, write_config, write_sample_sheet

OUTPUT = REPO / "bench" / "output" / "cohort"
DEMO_SHEET = REPO / "config" / "samples.tsv"
PER_SAMPLE_RULES = ("check_reads", "inserts", "quantify", "mirtop_gff")
# The count columns of the per-sample tables that the cohort rules sum (their other columns
# describe the row).
COUNT_COLUMNS = {
    "mirna.tsv": ("canonical", "isomir", "count", "reads"),
    "isomirs.tsv": ("molecules", "reads", "count"),
    "features.tsv": ("count", "reads"),
}
VARIATION = 0.3  # coefficient of variation of a row's count between samples (project choice)


def seed_run(workdir):
    """The demo run in `workdir` (kept between calls): its sheet."""
    sheet = pd.read_csv(DEMO_SHEET, sep="\t")
    sheet["fastq"] = [str(REPO / path) for path in sheet["fastq"]]
    if not (workdir / "results" / "report" / "multiqc_report.html").exists():
        workdir.mkdir(parents=True, exist_ok=True)
        sheet.to_csv(workdir / "samples.tsv", sep="\t", index=False)
        run_snakemake(workdir, "--configfile", write_config(workdir, workdir / "samples.tsv"))
    return sheet


def cohort_sheet(template, number):
    """N samples S0001..: the template's rows in turn, each row's `template` column its source."""
    rows = template.iloc[np.arange(number) % len(template)].reset_index(drop=True)
    return rows.assign(template=rows["sample"], sample=[f"S{index + 1:04d}" for index in range(number)])


def vary_counts(table, columns, rng):
    """`table` with its `columns` multiplied by one gamma factor per row (mean 1, CV VARIATION);
    integer columns rounded."""
    factor = rng.gamma(1 / VARIATION**2, VARIATION**2, size=len(table))
    varied = table.copy()
    for column in columns:
        scaled = table[column] * factor
        varied[column] = np.rint(scaled).astype(table[column].dtype) if table[column].dtype.kind == "i" else scaled
    return varied


def write_sample(seed_results, results, source, sample, rng):
    """Sample `sample`'s per-sample files in `results`, from `source`'s in `seed_results`."""
    for stage in ("inserts", "quantify"):
        (results / stage).mkdir(parents=True, exist_ok=True)
        for path in sorted((seed_results / stage).glob(f"{source}.*")):
            suffix = path.name[len(source) + 1 :]
            target = results / stage / f"{sample}.{suffix}"
            if stage == "quantify" and suffix in COUNT_COLUMNS:
                table = pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""])
                vary_counts(table, COUNT_COLUMNS[suffix], rng).to_csv(target, sep="\t", index=False)
            elif suffix.endswith(".gz"):
                with gzip.open(path, "rt") as handle, gzip.open(target, "wt", compresslevel=1) as out:
                    out.write(handle.read().replace(source, sample))
            else:
                target.write_text(path.read_text().replace(source, sample))


def prepare_cohort(workdir, seed, template, number, seed_number):
    """The N-sample run directory: sheet, config, references and per-sample files; its config path."""
    if workdir.exists():
        shutil.rmtree(workdir)
    results = workdir / "results"
    shutil.copytree(seed / "results" / "references", results / "references")
    sheet = cohort_sheet(template, number)
    for index, row in sheet.iterrows():
        write_sample(
            seed / "results", results, row["template"], row["sample"], np.random.default_rng([seed_number, index])
        )
    (workdir / "reads").mkdir()
    for index, row in sheet.iterrows():
        sheet.loc[index, "fastq"] = str(renamed_fastq(row["fastq"], workdir / "reads", row["sample"]))
    columns = [column for column in template.columns if column != "template"]
    write_sample_sheet(workdir / "samples.tsv", sheet[columns].itertuples(index=False), columns)
    config = write_config(workdir, workdir / "samples.tsv")
    return config


def timed_run(workdir, config, *arguments):
    """Wall seconds of a workflow run in `workdir`."""
    started = time.monotonic()
    run_snakemake(workdir, "--configfile", config, *arguments)
    return time.monotonic() - started


def cohort_table(workdir):
    """One row per rule that ran: jobs, wall s, CPU s, max RSS (MB), summed over its jobs (RSS: max)."""
    rows = []
    for rule, (_, measured) in measured_rules(workdir).items():
        if rule in PER_SAMPLE_RULES:  # touched, not run (inserts' pattern also matches input_check's file)
            continue
        rss = pd.to_numeric(measured["max_rss"], errors="coerce")
        rows.append(
            {
                "rule": rule,
                "jobs": len(measured),
                "wall s": round(measured["s"].sum(), 1),
                "CPU s": round(pd.to_numeric(measured["cpu_time"], errors="coerce").sum(), 1),
                "max RSS (MB)": round(rss.max(), 1),
            }
        )
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[50, 150, 500])
    parser.add_argument("--seed", type=int, default=15)
    arguments = parser.parse_args()
    seed = OUTPUT / "seed"
    template = seed_run(seed)
    for number in arguments.samples:
        workdir = OUTPUT / f"N{number}"
        config = prepare_cohort(workdir, seed, template, number, arguments.seed)
        # input_check, a cohort rule, reads check_reads' reports and comes before the trimming.
        run_snakemake(workdir, "--configfile", config, "--touch", "--until", "check_reads")
        seconds = timed_run(workdir, config, "--until", "input_check")
        for rule in PER_SAMPLE_RULES[1:]:  # one rule at a time: Snakemake 9.27 stops after the first
            run_snakemake(workdir, "--configfile", config, "--touch", "--until", rule)
        planned = job_stats(run_snakemake(workdir, "--configfile", config, "--dry-run", "--quiet", "rules").stdout)
        if set(planned) & set(PER_SAMPLE_RULES):
            raise SystemExit(f"N={number}: per-sample rules would run: {planned}")
        seconds += timed_run(workdir, config)
        table = cohort_table(workdir)
        print(f"\n## N = {number}: run wall {seconds:.1f} s, load average {os.getloadavg()[0]:.2f}\n")
        print(table.to_markdown(index=False))
        print(f"\nsum of jobs: wall {table['wall s'].sum():.1f} s, CPU {table['CPU s'].sum():.1f} s", flush=True)


if __name__ == "__main__":
    main()
