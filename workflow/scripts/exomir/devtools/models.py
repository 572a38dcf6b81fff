"""Write resources/models/ from the rebuilt shipped classifiers (results/classify/shipped/) and its
manifest (`make models`).

Usage: python -m exomir.devtools.models RESULTS_SHIPPED RESOURCES_MODELS
"""

import shutil
import sys
from pathlib import Path

import pandas as pd

from exomir import __version__
from exomir.devtools.runs import SHARED_DATA
from exomir.references.bundle import sha256

# The cohort every shipped model is trained from, as read in place from ../shared/data.
SOURCES = "cohorts/GSE71008/precursor_counts.csv; cohorts/GSE71008/labels.csv; cohorts/GSE71008/batches.csv"
UPSTREAM = (
    "GEO GSE71008 (Yuan et al. 2016, Sci Rep 6:19413); counts: github.com/hechang22/exSEEK short/miR.count.csv"
    " @e787271; labels and batches: github.com/TianxiaoNYU/exRNA-Biomarker data/ @216f8a5"
)
LICENCE = "none stated (exSEEK counts); MIT (exRNA-Biomarker labels and batches); GEO data are public"
MANIFEST_COLUMNS = [
    "file",
    "bytes",
    "sha256",
    "source",
    "source_sha256",
    "upstream",
    "licence",
    "exomir_version",
    "rule",
]


def manifest(models: str | Path, shared_data: str | Path = SHARED_DATA) -> pd.DataFrame:
    """One row per file of the shipped models: size, checksum, the cohort's files with theirs, licence."""
    models = Path(models)
    source_sha = "; ".join(sha256(Path(shared_data, name.strip())) for name in SOURCES.split(";"))
    rows = [
        {
            "file": str(path.relative_to(models)),
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
            "source": SOURCES,
            "source_sha256": source_sha,
            "upstream": UPSTREAM,
            "licence": LICENCE,
            "exomir_version": __version__,
            "rule": "shipped_model",
        }
        for path in sorted(models.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.name != "MANIFEST.tsv"
    ]
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS)


def main(argv: list[str] | None = None) -> None:
    built, committed = (Path(argument) for argument in (argv or sys.argv[1:]))
    if committed.exists():
        shutil.rmtree(committed)
    shutil.copytree(built, committed, ignore=shutil.ignore_patterns(".*"))
    table = manifest(committed)
    table.to_csv(committed / "MANIFEST.tsv", sep="\t", index=False)
    print(f"{committed}: {len(table)} files, {table['bytes'].sum():,} bytes")


if __name__ == "__main__":
    main()
