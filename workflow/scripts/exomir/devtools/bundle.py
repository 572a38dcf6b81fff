"""Write resources/bundle/ from a rebuilt results/bundle/ and its manifest (`make bundle`).

Usage: python -m exomir.devtools.bundle RESULTS_BUNDLE RESOURCES_BUNDLE
"""

import shutil
import sys
from pathlib import Path

from exomir.devtools.runs import SHARED_DATA
from exomir.references.bundle import manifest


def main(argv: list[str] | None = None) -> None:
    built, committed = (Path(argument) for argument in (argv or sys.argv[1:]))
    if committed.exists():
        shutil.rmtree(committed)
    shutil.copytree(built, committed, ignore=shutil.ignore_patterns(".*"))
    table = manifest(committed, SHARED_DATA)
    table.to_csv(committed / "MANIFEST.tsv", sep="\t", index=False)
    print(f"{committed}: {len(table)} files, {table['bytes'].sum():,} bytes")


if __name__ == "__main__":
    main()
