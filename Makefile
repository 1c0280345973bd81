# Tessera: `make up` runs everything on this machine, `make test` proves it.
# Every step installs what it needs; nothing depends on a hand-made install.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PYTEST_ARGS ?=
# tests run on one worker per core, at most 4 (each worker may start browsers, brokers and chDB)
PYTEST_WORKERS ?= -n auto --maxprocesses 4

.PHONY: up test test-unit test-integration test-e2e bench build bootstrap clean screenshot lock

up: bootstrap
	$(PY) platform/up.py $(ARGS)

bootstrap: $(VENV)/.runtime build

test: $(VENV)/.test build chromium
	$(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-unit: $(VENV)/.test build
	$(PY) -m pytest -m "not integration and not e2e and not postgres" $(PYTEST_ARGS)

test-integration: $(VENV)/.test build
	$(PY) -m pytest $(PYTEST_WORKERS) -m "integration or postgres" $(PYTEST_ARGS)

test-e2e: $(VENV)/.test build chromium
	$(PY) -m pytest $(PYTEST_WORKERS) -m e2e $(PYTEST_ARGS)

bench: $(VENV)/.test build loadgen
	$(PY) bench/run.py $(ARGS)

screenshot: $(VENV)/.test build chromium
	$(PY) platform/screenshot.py

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tessera needs Python >= 3.11 (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.test: pyproject.toml constraints.txt $(VENV)/.runtime
	$(PIP) install -q -c constraints.txt -e '.[test]'
	@touch $@

# Pin what a fresh install resolves today (a new release of a dependency once broke CI).
lock: | $(VENV)/bin/python
	$(PIP) install -q -e '.[test]'
	{ sed -n '1,2p' constraints.txt; $(PIP) freeze --exclude-editable | grep -v '^-e'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: node_modules/.installed
	npm run --silent build

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's 'chromium' package (needs root)" >&2; exit 1; fi; }

# wrk drives the HTTP benchmarks from the other core.
loadgen:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: install Debian's 'wrk' package (needs root)" >&2; exit 1; fi; }

clean:
	rm -rf var dashboard/web/dist widgets/*/dist
