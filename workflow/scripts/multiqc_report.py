"""Rule multiqc: the record of the run (software versions, the config as run, methods; exomir.report.run_record),
then MultiQC over the workflow's tables, the tools' logs and that record."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from exomir.common.atomic import atomic_path
from exomir.report.run_record import methods_text, record_html, software_versions


def write_text(path, text):
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write(text)


def html_section(section_id, name, description, body):
    """MultiQC HTML custom content: its config in the leading comment."""
    header = {"id": section_id, "section_name": name, "description": description}
    return "<!--\n" + yaml.safe_dump(header, sort_keys=False) + "-->\n" + body + "\n"


def write_record(snakemake):
    config, output = snakemake.config, snakemake.output
    kits = dict(snakemake.params.sheet_kits)
    for path in snakemake.input.kits:  # from reads: the kit each sample was processed as
        with open(path) as handle:
            decision = json.load(handle)
        kits[decision["sample"]] = decision["kit"]
    versions = software_versions()
    methods, parameters = record_html(config, methods_text(config, kits, versions))
    write_text(output.versions, yaml.safe_dump(versions, sort_keys=False))
    write_text(output.config, yaml.safe_dump(config, sort_keys=False))
    write_text(
        output.methods,
        html_section("exomir_methods", "exomir: methods", "Generated from the config as run, with citations.", methods),
    )
    write_text(output.parameters, html_section("exomir_run_parameters", "exomir: parameters as run", "", parameters))


def paths(files):
    """A rule input as a list of paths: a single file is one path, not its characters."""
    return [files] if isinstance(files, str) else list(files)


def main(snakemake):
    inputs, output = snakemake.input, snakemake.output
    with open(snakemake.log[0], "w") as log:
        sys.stderr = log  # tracebacks and warnings land in the log
        write_record(snakemake)
        command = [
            "multiqc",
            "--force",
            "--data-dir",
            "--config",
            inputs.config,
            "--custom-css-file",
            inputs.css,
            "--outdir",
            str(Path(output.report).parent),
            "--filename",
            Path(output.report).name,
            *paths(inputs.bowtie),
            *paths(inputs.tables),
            *paths(inputs.mirtop),
            output.versions,
            output.methods,
            output.parameters,
            *paths(inputs.extras),
        ]
        log.flush()
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=True)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
