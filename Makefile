# exomir set-up and entry points. `make demo` and `make test` are all a new user needs.
VENV := .venv
PYTHON := $(VENV)/bin/python
SNAKEMAKE := $(VENV)/bin/snakemake
CORES ?= 2
# Debian tools the workflow calls on PATH (versions in README, "Software").
APT_PACKAGES := bowtie samtools pigz
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: demo test lint format system-deps clean

demo: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SNAKEMAKE) --workflow-profile workflow/profiles/default --cores $(CORES)

# CI (CI=true) also installs SLURM so that tests/test_slurm.py runs there (about 5 minutes);
# elsewhere that test is skipped until `make slurm-deps` has been run once.
test: lint browser-deps $(if $(CI),slurm-deps)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PYTHON) -m pytest -q tests

# ruff (lint and format) and snakefmt must be clean; `make format` applies their changes.
SNAKE_FILES := Snakefile workflow/Snakefile workflow/rules
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/snakefmt --check $(SNAKE_FILES)

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/snakefmt $(SNAKE_FILES)

system-deps:
	@missing=""; for tool in bowtie samtools pigz; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

# Headless Chromium for tests/workflow/test_report.py, which opens the demo report as a reader would.
.PHONY: browser-deps
browser-deps:
	@command -v chromium >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

$(VENV)/.installed: requirements.lock pyproject.toml | system-deps
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r requirements.lock
	# The exomir package (workflow/scripts/exomir), editable, for tests/ and bench/.
	$(PYTHON) -m pip install -q --no-deps -e .
	touch $@

clean:
	rm -rf results logs benchmarks .snakemake

# SLURM controller, node daemon and munge for tests/test_slurm.py, which starts them on localhost.
SLURM_APT_PACKAGES := slurm-wlm munge

.PHONY: slurm-deps
slurm-deps:
	@missing=""; for tool in slurmctld slurmd sbatch munged; do command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SLURM_APT_PACKAGES); \
	fi

# fastp (the nf-core/smrnaseq trimmer) and GNU time (peak memory) for bench/run_benchmark.py.
BENCH_APT_PACKAGES := fastp time

.PHONY: bench-deps
bench-deps: system-deps
	@missing=""; for tool in fastp /usr/bin/time; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BENCH_APT_PACKAGES); \
	fi

# The reference bundle (resources/bundle/), rebuilt from its primary sources in ../shared
# (config/bundle-sources.yaml), with its MANIFEST.tsv; tests/workflow/test_bundle.py checks it.
.PHONY: bundle
bundle: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SNAKEMAKE) --cores $(CORES) bundle --configfile config/config.yaml config/bundle-sources.yaml
	$(PYTHON) -m exomir.devtools.bundle results/bundle resources/bundle

# The shipped classifiers (resources/models/), trained from GSE71008 in ../shared (config/model-sources.yaml),
# with their MANIFEST.tsv; tests/workflow/test_models.py checks them.
.PHONY: models
models: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SNAKEMAKE) --cores $(CORES) shipped_models --configfile config/config.yaml config/model-sources.yaml
	$(PYTHON) -m exomir.devtools.models results/classify/shipped resources/models
