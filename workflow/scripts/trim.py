"""Trim a sample's reads with cutadapt as its kit says.

The kit is only known once kit detection has run, so the cutadapt command is built here, at
run time, from the sample's kit-detection JSON. Lanes are concatenated by pigz and read by
cutadapt as one stream; cutadapt's text report goes to stdout, its log to the rule's log.
"""

import json
import subprocess

from kits import cutadapt_arguments


def cutadapt_command(kit, trim_config, threads, json_report, output):
    """The cutadapt command line (reading stdin) for `kit` and the config's `trim` section."""
    arguments = cutadapt_arguments(
        kit,
        quality_cutoff=trim_config["quality_cutoff"],
        error_rate=trim_config["error_rate"],
        min_overlap=trim_config["min_adapter_overlap"],
        discard_untrimmed=trim_config["discard_untrimmed"],
    )
    return ["cutadapt", "--cores", str(threads), *arguments, "--json", str(json_report), "-o", str(output), "-"]


def run_trimming(lanes, command, report_path, log_path):
    """Run `pigz -dcf lanes | command`, the report on stdout, both tools' stderr in the log."""
    with open(report_path, "w") as report, open(log_path, "w") as log:
        log.write(" ".join(command) + "\n")
        log.flush()
        decompress = subprocess.Popen(["pigz", "-dcf", *map(str, lanes)], stdout=subprocess.PIPE, stderr=log)
        trimming = subprocess.run(command, stdin=decompress.stdout, stdout=report, stderr=log)
        decompress.stdout.close()
        decompress.wait()
    for tool, returncode in (("pigz", decompress.returncode), ("cutadapt", trimming.returncode)):
        if returncode != 0:
            raise RuntimeError(f"{tool} failed with exit code {returncode}; see {log_path}")


def main(snakemake):
    with open(snakemake.input.kit) as handle:
        kit = json.load(handle)["preset"]
    command = cutadapt_command(
        kit, snakemake.params.trim, snakemake.threads, snakemake.output.json, snakemake.output.trimmed
    )
    run_trimming(snakemake.input.fastq, command, snakemake.output.report, snakemake.log[0])


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
