"""Checks of the config that its JSON schema cannot express, and path resolution.

workflow/schemas/config.schema.yaml validates types and ranges and fills in defaults; this
module resolves the config's relative paths and checks what involves several keys or the
filesystem. Every problem is reported at once, each naming its key.
"""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# Keys that hold a file path (section, key); annotation sets hold lists of paths.
FILE_KEYS = (
    (None, "samples"),
    (None, "counts_table"),
    (None, "kits"),
    ("references", "mature"),
    ("references", "hairpin"),
    ("references", "gff3"),
    ("qc", "markers"),
    ("qc", "blood_reference"),
    ("score", "signatures"),
    ("score", "tcga_renames"),
    ("score", "healthy_baseline"),
    ("score", "tissue_reference"),
    ("score", "healthy_baseline_libraries"),
    ("score", "tcga_rpm"),
    ("score", "tcga_samples"),
    ("annotation", "genome_fasta"),
    ("bundle", "tissue_reference"),
    ("bundle", "healthy_counts"),
    ("bundle", "healthy_annotation"),
    ("bundle", "all_species_mature"),
)
ATLAS_FILES = ("tcga_profiles.tsv", "tcga_profile_info.tsv", "tcga_tumour_vs_normal.tsv", "tcga_holdout.tsv.gz")
GENOME_INDEX_SUFFIXES = (".1.ebwt", ".2.ebwt", ".3.ebwt", ".4.ebwt", ".rev.1.ebwt", ".rev.2.ebwt")
FILE_LIST_KEYS = tuple(
    (section, key)
    for section in ("annotation", "bundle")
    for key in ("spike_ins", "artifacts", "trna", "rrna", "ncrna")
)


class ConfigError(ValueError):
    """The config has one or more problems; the message lists them all."""


def resolve(path: str, workflow_root: str | os.PathLike, workdir: str | os.PathLike = ".") -> str:
    """A config path as the workflow reads it: absolute paths and paths that exist relative to
    the working directory stay as they are; any other relative path is taken from the
    workflow's repository (the resources it ships) when it exists there. Empty stays empty."""
    if not path or os.path.isabs(path) or Path(workdir, path).exists():
        return path
    shipped = Path(workflow_root, path)
    return str(shipped) if shipped.exists() else path


def resolve_paths(config: Mapping[str, Any], workflow_root: str | os.PathLike) -> dict[str, Any]:
    """The config's top-level entries whose paths `resolve` changes, with those paths resolved."""
    updated: dict[str, Any] = {}
    for section, key in (*FILE_KEYS, ("score", "tcga_atlas")):
        if section is None:
            updated[key] = resolve(config[key], workflow_root)
        else:
            updated.setdefault(section, dict(config[section]))[key] = resolve(config[section][key], workflow_root)
    for section, key in FILE_LIST_KEYS:
        paths = [resolve(path, workflow_root) for path in config[section][key]]
        updated.setdefault(section, dict(config[section]))[key] = paths
    return updated


def _ordered(config: Mapping[str, Any]) -> Iterator[str]:
    for name, lower in (("hemolysis", "moderate"), ("hematuria", "possible")):
        classes = config["qc"][name]
        if not classes[lower] < classes["high"]:
            yield f"qc.{name}: {lower} ({classes[lower]}) must be below high ({classes['high']})"
    for name, limits in config["qc"].items():
        if not isinstance(limits, Mapping):
            continue
        fail_below, warn_below = limits.get("fail_below"), limits.get("warn_below")
        if fail_below is not None and warn_below is not None and fail_below > warn_below:
            yield f"qc.{name}: fail_below ({fail_below}) must not exceed warn_below ({warn_below})"
        fail_above, warn_above = limits.get("fail_above"), limits.get("warn_above")
        if fail_above is not None and warn_above is not None and fail_above < warn_above:
            yield f"qc.{name}: fail_above ({fail_above}) must not be below warn_above ({warn_above})"
    origin = config["tumour_origin"]
    if not origin["min_fraction"] < origin["max_fraction"]:
        yield (
            f"tumour_origin: min_fraction ({origin['min_fraction']}) must be below max_fraction "
            f"({origin['max_fraction']})"
        )
    annotation = config["annotation"]
    if annotation["genome_fasta"] and annotation["genome_index"]:
        yield "annotation: give genome_fasta (the workflow builds its index) or genome_index, not both"
    trim = config["trim"]
    if trim["min_length"] is not None and trim["max_length"] is not None and trim["min_length"] > trim["max_length"]:
        yield f"trim: min_length ({trim['min_length']}) must not exceed max_length ({trim['max_length']})"


def _missing_files(config: Mapping[str, Any]) -> Iterator[str]:
    for section, key in FILE_KEYS:
        path = config[key] if section is None else config[section][key]
        name = key if section is None else f"{section}.{key}"
        if path and not Path(path).is_file():
            yield f"{name}: file not found: {path}"
    for section, key in FILE_LIST_KEYS:
        for path in config[section][key]:
            if not Path(path).is_file():
                yield f"{section}.{key}: file not found: {path}"
    atlas = config["score"]["tcga_atlas"]
    missing_atlas = [name for name in ATLAS_FILES if atlas and not Path(atlas, name).is_file()]
    if missing_atlas:
        yield f"score.tcga_atlas: {atlas} lacks {', '.join(missing_atlas)}"
    prefix = config["annotation"]["genome_index"]
    missing = [suffix for suffix in GENOME_INDEX_SUFFIXES if prefix and not Path(prefix + suffix).is_file()]
    if missing:
        yield f"annotation.genome_index: no bowtie index at {prefix} (missing {prefix}{missing[0]})"


def check_config(config: Mapping[str, Any]) -> None:
    """Raise ConfigError listing every ordering problem and every configured file that is missing."""
    problems = [*_ordered(config), *_missing_files(config)]
    if problems:
        raise ConfigError("invalid config:\n  " + "\n  ".join(problems))
