"""The record of a run for the report: the software versions that touched the data, the config as run
and a methods paragraph generated from it, with citations.

Versions are those of the environment rule `run_record` runs in: the Python packages as installed and
the command-line tools on PATH. With `--use-conda` that is envs/record.yaml, pinned as the stages' own.
"""

import html
import importlib.metadata
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

import exomir

# Python packages of the workflow's stages, by what they do with the data.
PACKAGES = {
    "workflow": ["snakemake"],
    "trimming and collapsing": ["cutadapt", "dnaio"],
    "quantification": ["mirtop", "biopython"],
    "counts, QC and scores": ["pandas", "numpy", "scipy", "anndata", "rnanorm", "scikit-learn"],
    "report": ["multiqc", "matplotlib"],
}
# Command-line tools: (name, version command).
TOOLS = {"bowtie": ["bowtie", "--version"], "bowtie-build": ["bowtie-build", "--version"]}
VERSION_PATTERN = re.compile(r"\b(\d+\.\d+(?:\.\d+)?)\b")

CITATIONS = {
    "snakemake": "Mölder et al., F1000Research 2021;10:33",
    "cutadapt": "Martin, EMBnet.journal 2011;17:10-12",
    "umi": "Smith et al., Genome Res 2017;27:491-499 (UMI-tools, directional method)",
    "bowtie": "Langmead et al., Genome Biol 2009;10:R25",
    "mirbase": "Kozomara et al., Nucleic Acids Res 2019;47:D155-D162",
    "mirtop": "Desvignes et al., Bioinformatics 2020;36:698-703 (mirGFF3)",
    "tmm": "Robinson & Oshlack, Genome Biol 2010;11:R25",
    "hemolysis": "Blondal et al., Methods 2013;59:S1-S6",
    "outliers": "Iglewicz & Hoaglin, How to Detect and Handle Outliers, ASQC 1993",
    "exrna": "ERCC exRNA Atlas criteria as coded in exceRpt",
    "tissues": "miRTS from miRNATissueAtlas2, Keller et al., Nucleic Acids Res 2022",
    "singscore": "Foroutan et al., BMC Bioinformatics 2018;19:404",
    "multiqc": "Ewels et al., Bioinformatics 2016;32:3047-3048",
}


def tool_version(command: Sequence[str]) -> str | None:
    """The first version number `command` prints, or None when the tool is not on PATH."""
    if shutil.which(command[0]) is None:
        return None
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = VERSION_PATTERN.search(result.stdout + result.stderr)
    return found.group(1) if found else None


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def software_versions() -> dict[str, dict[str, str]]:
    """{group: {software: version}} of exomir, its Python packages and its command-line tools (those
    installed here), in MultiQC's `*_mqc_versions.yml` layout."""
    versions = {"exomir": {"exomir": exomir.__version__}}
    for group, names in PACKAGES.items():
        found = {name: package_version(name) for name in names}
        versions[group] = {name: version for name, version in found.items() if version}
    tools = {name: tool_version(command) for name, command in TOOLS.items()}
    versions["command-line tools"] = {name: version for name, version in tools.items() if version}
    return {group: found for group, found in versions.items() if found}


def _limits(config: Mapping[str, Any]) -> str:
    low, high = config["trim"]["min_length"], config["trim"]["max_length"]
    if low is None and high is None:
        return "the kit's insert length range"
    low_text = low if low is not None else "the kit minimum"
    high_text = high if high is not None else "the kit maximum"
    return f"inserts of {low_text}-{high_text} nt"


def methods_text(
    config: Mapping[str, Any], kits: Mapping[str, str], versions: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Paragraphs of methods for the run's `config`, the kit of each sample (`kits`) and the `versions`."""

    def version(name: str) -> str:
        for found in versions.values():
            if name in found:
                return f" {found[name]}"
        return ""

    kit_names = sorted(set(kits.values()))
    trim, quantify, qc = config["trim"], config["quantify"], config["qc"]
    return [
        f"Reads were processed with exomir {exomir.__version__}, a Snakemake{version('snakemake')} workflow "
        f"({CITATIONS['snakemake']}). Library kits ({', '.join(kit_names)}) were declared in the sample sheet or "
        f"detected from the first {config['kit_detection']['reads']:,} reads. 3' adapters were trimmed with "
        f"cutadapt's aligner{version('cutadapt')} ({CITATIONS['cutadapt']}) at an error rate of "
        f"{trim['error_rate']} and a minimum overlap of {trim['min_adapter_overlap']} nt"
        + (", reads without an adapter discarded" if trim["discard_untrimmed"] else "")
        + f"; {_limits(config)} were kept, collapsed into unique inserts and, for UMI kits, deduplicated by UMI "
        f"({CITATIONS['umi']}).",
        f"Unique inserts were aligned with bowtie{version('bowtie')} ({CITATIONS['bowtie']}) to the hairpins of "
        f"{config['references']['database']} ({CITATIONS['mirbase']}) with up to {quantify['mismatches']} "
        f"mismatch(es); a read counts on a mature miRNA when its 5' end lies within "
        f"{quantify['five_prime_tolerance']} nt and its 3' end within {quantify['three_prime_tolerance']} nt of "
        f"the annotated arm, allowing up to {quantify['max_nontemplated']} non-templated 3' A/T. Other reads were "
        "assigned by an annotation cascade (spike-ins, artefacts, tRNA, rRNA, Y RNA, other ncRNA). isomiRs were "
        f"written as mirGFF3 and checked with mirtop{version('mirtop')} ({CITATIONS['mirtop']}). Counts were "
        f"normalised to counts per million and TMM ({CITATIONS['tmm']}).",
        f"Sample QC: hemolysis of plasma and serum as modified z-scores of the log2 miR-451a / miR-23a-3p ratio "
        f"({CITATIONS['hemolysis']}) and of the red-cell miRNA share against healthy libraries of the sample's "
        f"protocol (moderate above {qc['hemolysis']['moderate']}, hemolysed above {qc['hemolysis']['high']}; "
        f"{CITATIONS['outliers']}); hematuria of urine from the red-cell miRNA share (possible above "
        f"{qc['hematuria']['possible']} %, hematuria above {qc['hematuria']['high']} %); red-cell, myeloid/platelet "
        f"and lymphoid marker indices with cohort outliers by modified z-score above {qc['outliers']['modified_z']}; "
        f"and at least {qc['transcriptome_reads']['warn_below']:,} transcriptome reads "
        f"({CITATIONS['exrna']}). Tissue and blood-cell shares by non-negative least squares ({CITATIONS['tissues']});"
        f" literature signatures by single-sample rank scores ({CITATIONS['singscore']}) and z-scores. Tumour-origin "
        "evidence (research use only) is a likelihood ratio against a healthy baseline of the sample's protocol "
        f"(false-call rate {config['tumour_origin']['false_call_rate']} on healthy libraries). Report: "
        f"MultiQC{version('multiqc')} ({CITATIONS['multiqc']}).",
    ]


def record_html(config: Mapping[str, Any], paragraphs: Sequence[str]) -> tuple[str, str]:
    """(methods section, parameters section) as MultiQC HTML custom content."""
    methods = "\n".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    config_text = yaml.safe_dump(dict(config), sort_keys=False, default_flow_style=False)
    parameters = (
        "<p>Every setting of the run, defaults included (also in results/report/config_as_run.yaml).</p>\n"
        f'<pre style="max-height: 30em; overflow: auto">{html.escape(config_text)}</pre>'
    )
    return methods, parameters
