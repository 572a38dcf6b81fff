"""The rules of the workflow as written: each rule's directives, read from its source."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULE_FILES = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]


def rule_directives(rule_files=RULE_FILES):
    """{rule: {directive: its text, "file": its .smk}} for every rule in `rule_files`."""
    found = {}
    for path in rule_files:
        rule = directive = None
        for line in path.read_text().splitlines():
            header = re.match(r"(?:rule|checkpoint) (\w+):", line)
            if header:
                rule, directive = header.group(1), None
                found[rule] = {"file": path}
            elif rule and line.strip() and not line.startswith(" "):
                rule = None  # top-level code ends the rule
            elif rule:
                entry = re.match(r" {4}(\w+):\s*(.*)", line)
                if entry:
                    directive = entry.group(1)
                    found[rule][directive] = entry.group(2)
                elif directive and line.startswith(" " * 8):
                    found[rule][directive] += " " + line.strip()
    return found


def quoted(text):
    """The double-quoted strings in a directive's text."""
    return re.findall(r'"([^"]*)"', text)
