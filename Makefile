# The two commands of the README: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install system-deps bench soak lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Python packages, re-installed when setup.cfg changes. (setuptools announces every editable install
# with a notice that asks nothing of us; it is silenced, every real warning still shows.)
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Front-end assets (bpmn-js, htmx) from npm, copied into web/static/vendor.
web/static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m web.assets copy
	touch $@

install: $(VENV)/.installed web/static/vendor/.installed

# Debian packages the tests drive for real: Chromium (browser tests) and LibreOffice (PDF export).
system-deps:
	@bash tests/system_deps.sh

run: install
	$(BIN)/chithi db upgrade
	$(BIN)/chithi seed
	PORT=$(PORT) $(BIN)/chithi serve

test: install system-deps
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Long runs (many timers under several schedulers, whole directive lives on each database).
soak: install system-deps
	$(BIN)/python -m pytest -n 2 -m soak $(PYTEST_ARGS)

bench: install system-deps
	$(BIN)/python -m bench

# Style and errors (ruff), types (mypy, strict on the engine kernel), the layering (import-linter).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports setup.cfg

clean:
	rm -rf $(VENV) node_modules web/static/vendor instance
