# Two commands: `make dev` runs the pipelines (Dagster UI + daemon), `make test` runs every test
# (`make bench` runs the benchmarks and rewrites BENCHMARKS.md).
# Both create the virtualenv in .venv/ and install the project first when needed.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: setup dev test lint bench clean screenshots

$(STAMP): pyproject.toml mysetlist_sandbox/pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	# The sandbox is a package of its own (never in the production wheel): installed for development.
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]' -e ./mysetlist_sandbox
	touch $(STAMP)

setup: $(STAMP)

dev: setup
	$(VENV)/bin/mysetlist dev --port 3000

test: setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python -m benchmarks.run

# The README's screenshots (docs/*.png); needs Debian's `chromium` package, so not part of `make test`.
screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
