"""Per-rule peak memory and run time of a finished run, from its benchmarks/ files.

    python bench/peak_memory.py RUN_DIRECTORY

Prints a markdown table: for each rule with a `benchmark:`, the number of benchmark files,
the largest max_rss (MB) and wall time (s) among them, and the memory the rule requests
on its first attempt (mem_mb=grow_with_attempt(N) in workflow/rules). Snakemake samples
max_rss every few seconds (psutil, the job's whole process tree), so for jobs of a second
or two it reads low or 0: size from long runs on real data.
"""

import argparse
import re
from pathlib import Path

import pandas as pd

from exomir.devtools.runs import quoted, rule_directives

REPO = Path(__file__).resolve().parents[1]


def benchmark_glob(pattern):
    """The benchmark path pattern with every {wildcard} (and its constraint) as *."""
    return re.sub(r"\{[^}]*\}", "*", pattern)


def measured_rules(run):
    """{rule: (its directives, one benchmark row per job)} for the rules with benchmark files in `run`."""
    found = {}
    for rule, directives in rule_directives().items():
        if "benchmark" not in directives:
            continue
        files = sorted(run.glob(benchmark_glob(quoted(directives["benchmark"])[0])))
        if files:
            found[rule] = directives, pd.concat(pd.read_csv(path, sep="\t") for path in files)
    return found


def peak_memory_table(run):
    rows = []
    for rule, (directives, measured) in measured_rules(run).items():
        requested = re.search(r"grow_with_attempt\((\d+)\)", directives.get("resources", ""))
        rows.append(
            {
                "rule": rule,
                "jobs": len(measured),
                "peak max_rss (MB)": round(pd.to_numeric(measured["max_rss"], errors="coerce").max(), 1),
                "longest (s)": round(measured["s"].max(), 1),
                "mem_mb requested": int(requested.group(1)) if requested else None,
            }
        )
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="directory the workflow ran in (holds benchmarks/)")
    table = peak_memory_table(parser.parse_args().run)
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
