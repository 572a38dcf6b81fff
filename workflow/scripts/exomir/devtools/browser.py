"""A report opened in headless Chromium (Debian's `chromium`, installed by `make system-deps`), as a
reader first sees it: the page after its scripts ran, its JavaScript errors and a full-page screenshot.

`python -m exomir.devtools.browser REPORT.html SCREENSHOT.png` prints the errors and writes the
screenshot.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from PIL import Image

WIDTH = 1400
# Tall enough for the whole report; the blank rows below the page are cut off the screenshot.
HEIGHT = 16000
# Width of MultiQC's toolbox at the right edge.
TOOLBOX = 80
# Rendering of MultiQC's plots and tables: virtual time lets every timer of the page run.
BUDGET_MS = 15000
# Console messages Chromium logs with --enable-logging=stderr:
# `[...:INFO:CONSOLE:6265] "message", source: url (6265)` (older releases: `CONSOLE(6265)]`).
CONSOLE = re.compile(r':CONSOLE[:(]\d+\)?\] "(?P<message>.*)", source: (?P<source>\S*)')
ERROR_WORDS = re.compile(r"Uncaught|Error|Exception|Failed")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise FileNotFoundError("chromium is not on PATH (make system-deps installs Debian's chromium)")
    return found


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="exomir-chromium-") as profile:
        command = [
            chromium(),
            "--headless",
            "--no-sandbox",  # the tests may run as root
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={BUDGET_MS}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={WIDTH},{HEIGHT}",
            *arguments,
        ]
        return subprocess.run(command, capture_output=True, text=True, check=True, timeout=180)


def console_errors(stderr: str) -> list[str]:
    """The console messages in Chromium's log that are errors (uncaught exceptions, failed loads)."""
    return [
        f"{match['message']} ({match['source']})"
        for match in CONSOLE.finditer(stderr)
        if ERROR_WORDS.search(match["message"])
    ]


@dataclass
class Page:
    dom: str  # the document after its scripts ran
    errors: list[str]  # JavaScript errors of the console


def open_page(html: str | os.PathLike) -> Page:
    """`html` loaded in headless Chromium: its DOM after the scripts ran and its console errors."""
    result = _run(["--dump-dom", Path(html).resolve().as_uri()])
    return Page(dom=result.stdout, errors=console_errors(result.stderr))


def screenshot(html: str | os.PathLike, path: str | os.PathLike) -> list[str]:
    """A full-page screenshot of `html` at WIDTH px written to `path` (the blank rows below the page cut
    off); returns the console errors."""
    result = _run([f"--screenshot={Path(path).resolve()}", Path(html).resolve().as_uri()])
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
    # Rows between the navigation bar and the toolbox (whose buttons stay at the window's bottom) that
    # differ from the page's background, as at the bottom row's centre.
    content = (pixels[:, WIDTH // 4 : WIDTH - TOOLBOX] != pixels[-1, WIDTH // 2]).any(axis=(1, 2))
    bottom = min(len(content), int(np.flatnonzero(content).max(initial=0)) + 40)
    Image.fromarray(pixels[:bottom]).save(path)
    return console_errors(result.stderr)


class _Tables(HTMLParser):
    """Every <table> of a page with an id: {id: [rows of cell texts]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._stack: list[str | None] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table_id = dict(attrs).get("id")
            self._stack.append(table_id)
            if table_id:
                self.tables.setdefault(table_id, [])
        elif tag == "tr" and self._stack and self._stack[-1]:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._stack:
            self._stack.pop()
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack and self._stack[-1]:
            self.tables[self._stack[-1]].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(dom: str) -> dict[str, list[list[str]]]:
    """{table id: rows of cell texts} of every table with an id in `dom`."""
    parser = _Tables()
    parser.feed(dom)
    return parser.tables


if __name__ == "__main__":
    found = screenshot(sys.argv[1], sys.argv[2])
    print("\n".join(found) or "no JavaScript errors")
