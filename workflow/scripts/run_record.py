"""Rule run_record: software versions, the config as run and the methods for the report (exomir.report.run_record)."""

import json
import sys

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


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    config = snakemake.params.config
    kits = dict(snakemake.params.sheet_kits)
    for path in snakemake.input.kits:  # from reads: the kit each sample was processed as
        with open(path) as handle:
            decision = json.load(handle)
        kits[decision["sample"]] = decision["kit"]
    versions = software_versions()
    methods, parameters = record_html(config, methods_text(config, kits, versions))
    write_text(snakemake.output.versions, yaml.safe_dump(versions, sort_keys=False))
    write_text(snakemake.output.config, yaml.safe_dump(config, sort_keys=False))
    write_text(
        snakemake.output.methods,
        html_section("exomir_methods", "exomir: methods", "Generated from the config as run, with citations.", methods),
    )
    write_text(
        snakemake.output.parameters,
        html_section("exomir_run_parameters", "exomir: parameters as run", "", parameters),
    )
    print(json.dumps(versions), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
