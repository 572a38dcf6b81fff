"""Write files so that a failure never leaves a half-written output behind."""

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        yield temporary
        # mkstemp makes the file private; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_json(value: Any, path: str | os.PathLike) -> None:
    """`value` as indented JSON at `path`, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        json.dump(value, handle, indent=2)


def write_lines(lines: Iterator[str] | list[str], path: str | os.PathLike) -> None:
    """Text lines (each with its newline) at `path`, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.writelines(lines)
