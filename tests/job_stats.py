"""Snakemake's own summary of the jobs it runs: the "Job stats:" table of a run or dry run."""


def job_stats(output):
    """Jobs per rule from Snakemake's output; {} when it had nothing to do."""
    lines = [line.strip() for line in output.splitlines()]
    if "Job stats:" not in lines:
        return {}
    counts = {}
    # The table: a "job count" header, a dashed rule, one row per rule, then "total".
    for row in lines[lines.index("Job stats:") + 3 :]:
        rule, count = row.split()
        if rule == "total":
            return counts
        counts[rule] = int(count)
    raise ValueError(f"Job stats table without a total row in:\n{output}")
