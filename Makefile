# Two commands on a fresh machine with Python 3.11 and make: `make run`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/township.duckdb
HOST ?= 127.0.0.1
PORT ?= 8050
SIZE ?= 100000
MACHINE_TZ ?= UTC

.PHONY: run test test-at venv demo serve bench clean

# requirements-dev.txt includes requirements.txt; constraints.txt fixes every version.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed

# Builds the demo database when missing, tops it up to now when older than a day, serves it.
run: venv
	$(PY) -m dashboard demo --db $(DB) --if-missing-or-stale
	$(PY) -m dashboard serve --db $(DB) --host $(HOST) --port $(PORT)

# ruff first (seconds), then the whole suite.
test: venv
	$(PY) -m ruff check .
	$(PY) -m pytest -q tests

# The whole suite with the machine's clock at AT, read in the machine's zone MACHINE_TZ
# (default UTC), by Debian faketime.
test-at: venv
	TZ=$(MACHINE_TZ) faketime -f '@$(AT)' $(PY) -m pytest -q tests

bench: venv
	$(PY) -m benchmarks.run --size $(SIZE)

clean:
	rm -rf $(VENV) .pytest_cache
