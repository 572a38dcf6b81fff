"""Test layout: tests/unit/ tests the package's functions and never starts a workflow (marker
`unit`); tests/workflow/ runs the workflow (marker `workflow`, and `slurm` for the SLURM run).
Shared data is read in place from ../shared/data beside the repository."""

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = Path(item.path).relative_to(TESTS).parts[0]
        if kind in ("unit", "workflow"):
            item.add_marker(kind)
        if Path(item.path).name == "test_slurm.py":
            item.add_marker("slurm")
