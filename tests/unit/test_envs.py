"""Per-rule conda environments: well-formed, pinned, complete, and the versions the tests run.

Snakemake ignores `conda:` unless run with `--sdm conda`; the tests run the tools on PATH and
the Python packages of the project venv. So each env pins the major.minor that runs here, or
says on the dependency's line what runs here instead: `# tests run X.Y: <why>`.
"""

import ast
import importlib.metadata
import re
import subprocess
import sys

import pytest
import yaml

from exomir.devtools.runs import REPO, quoted, rule_directives

ENV_FILES = sorted((REPO / "envs").glob("*.yaml"))
SCRIPTS = REPO / "workflow" / "scripts"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+) =(?P<version>\d+\.\d+(\.\d+)?)$")
DOCUMENTED_DIFFERENCE = re.compile(r"#\s*tests run (?P<version>\d+\.\d+)\b")
# Import names that differ from the conda package name.
PACKAGE_OF_MODULE = {"yaml": "pyyaml", "sklearn": "scikit-learn", "Bio": "biopython"}
# Programs that differ from the conda package name that provides them.
PACKAGE_OF_PROGRAM = {"bowtie-build": "bowtie"}
# Conda packages whose PyPI distribution has another name.
DISTRIBUTION_OF_PACKAGE = {"python-isal": "isal"}
ACTION_DIRECTIVES = {"shell", "script", "run", "wrapper", "notebook"}
REQUIRED_DIRECTIVES = ("conda", "log", "benchmark", "threads", "resources")


def load_env(path):
    return yaml.safe_load(path.read_text())


def pinned_dependencies(path):
    """{package: (pinned version, the dependency's line)} of an env file."""
    lines = {line.strip().removeprefix("- ").split("#")[0].strip(): line for line in path.read_text().splitlines()}
    pins = {}
    for dependency in load_env(path)["dependencies"]:
        match = PIN.match(str(dependency))
        assert match, f"{path.name}: '{dependency}' is not pinned as `name =X.Y[.Z]`"
        pins[match["name"]] = (match["version"], lines[str(dependency)])
    return pins


def major_minor(version):
    return ".".join(version.split(".")[:2])


def version_here(package):
    """The version of `package` the tests run: the interpreter, a venv distribution or a program."""
    if package == "python":
        return ".".join(map(str, sys.version_info[:3]))
    try:
        return importlib.metadata.version(DISTRIBUTION_OF_PACKAGE.get(package, package))
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        result = subprocess.run([package, "--version"], capture_output=True, text=True, errors="replace")
    except FileNotFoundError:
        return None
    match = re.search(r"\d+\.\d+(\.\d+)?", result.stdout + result.stderr)
    return match.group(0) if match else None


RULES = rule_directives()
ACTING_RULES = {name: body for name, body in RULES.items() if ACTION_DIRECTIVES & set(body)}


def package_file(module):
    """The source file of an exomir module (`exomir.x.y`: exomir/x/y.py or exomir/x/y/__init__.py)."""
    path = SCRIPTS.joinpath(*module.split("."))
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"


def run_time_nodes(tree):
    """Every node of a module but those under `if TYPE_CHECKING:`, which never run."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                stack.extend(child.orelse)
            else:
                stack.append(child)


def script_modules(script):
    """Top-level third-party modules imported by a script and by the exomir modules it imports,
    with the source files read."""
    modules, seen, queue = set(), set(), [script]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in run_time_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
                # `from exomir.report import tables` imports the module exomir.report.tables
                names += [f"{node.module}.{alias.name}" for alias in node.names if node.module.startswith("exomir")]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "exomir":
                    if package_file(name).exists():
                        queue.append(package_file(name))
                else:
                    modules.add(name.split(".")[0])
    return modules, seen


def programs_started(paths, known_programs):
    """Programs a script starts: lists whose first item names a known program, e.g. ["bowtie", ...]."""
    programs = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            first = node.elts[0] if isinstance(node, ast.List) and node.elts else None
            if isinstance(first, ast.Constant) and first.value in known_programs:
                programs.add(first.value)
    return programs


def needed_packages(body, known_programs):
    """Conda packages a rule's command or script needs."""
    needed = set()
    if "shell" in body:
        command = " ".join(quoted(body["shell"]))
        needed |= {program for program in re.findall(r"[\w.-]+", command) if program in known_programs}
    if "script" in body:
        script = (body["file"].parent / quoted(body["script"])[0]).resolve()
        modules, sources = script_modules(script)
        needed.add("python")
        third_party = {module for module in modules if module not in sys.stdlib_module_names and module != "snakemake"}
        needed |= {PACKAGE_OF_MODULE.get(module, module) for module in third_party}
        needed |= programs_started(sources, known_programs)
    return {PACKAGE_OF_PROGRAM.get(name, name) for name in needed}


def test_every_env_file_is_used_and_every_rule_file_read():
    assert ENV_FILES and ACTING_RULES
    used = {quoted(body["conda"])[0].split("/")[-1] for body in ACTING_RULES.values() if "conda" in body}
    assert used == {path.name for path in ENV_FILES}


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda path: path.name)
def test_env_channels_and_pins(path):
    env = load_env(path)
    assert set(env) == {"channels", "dependencies"}, f"{path.name}: keys {sorted(env)}"
    assert env["channels"] == ["conda-forge", "bioconda", "nodefaults"], path.name
    assert pinned_dependencies(path)


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda path: path.name)
def test_env_pins_what_the_tests_run(path):
    for package, (pinned, line) in pinned_dependencies(path).items():
        here = version_here(package)
        assert here is not None, f"{path.name}: {package} is neither on PATH nor in the venv"
        documented = DOCUMENTED_DIFFERENCE.search(line)
        if documented:
            assert documented["version"] == major_minor(here), f"{path.name}: {line.strip()!r}, but {here} runs"
        else:
            assert major_minor(pinned) == major_minor(here), (
                f"{path.name}: {package} ={pinned} but the tests run {here}; "
                f"pin it or say why on its line: `# tests run {major_minor(here)}: <why>`"
            )


@pytest.mark.parametrize("rule", sorted(ACTING_RULES))
def test_rule_declares_env_log_benchmark_threads_resources(rule):
    body = ACTING_RULES[rule]
    missing = [directive for directive in REQUIRED_DIRECTIVES if directive not in body]
    assert not missing, f"rule {rule} ({body['file'].name}) lacks {', '.join(missing)}"
    # Memory grows on each retry through the one helper (workflow/rules/common.smk).
    assert "mem_mb=grow_with_attempt(" in body["resources"], f"rule {rule}: {body['resources']}"
    assert "runtime=" in body["resources"], f"rule {rule}: {body['resources']}"


@pytest.mark.parametrize("rule", sorted(ACTING_RULES))
def test_rule_env_provides_what_the_rule_uses(rule):
    body = ACTING_RULES[rule]
    env_path = (body["file"].parent / quoted(body["conda"])[0]).resolve()
    known_programs = {name for path in ENV_FILES for name in pinned_dependencies(path)} | set(PACKAGE_OF_PROGRAM)
    missing = needed_packages(body, known_programs) - set(pinned_dependencies(env_path))
    assert not missing, f"rule {rule} uses {sorted(missing)}, which {env_path.name} does not provide"
