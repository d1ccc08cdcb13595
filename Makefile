# Two commands on a fresh clone: `make serve` and `make test`. Each sets up .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "claimgraph needs Python >= 3.11 (set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	touch $@

# Loads the curated data into var/store when it is empty, then serves on http://127.0.0.1:8000.
serve: $(VENV)/.installed
	$(BIN)/claimgraph load --if-empty
	$(BIN)/claimgraph serve

# The slowest tests are listed after each run, so that a test that slows the suite shows at once.
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=10

# claimgraph side by side with `oxigraph serve`: data and stores in var/bench/, the report in docs/performance.md.
BENCH_SIZES ?= 100000 1000000
BENCH_DURATION ?= 10
$(VENV)/.bench: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet --editable '.[test,bench]'
	touch $@

bench: $(VENV)/.bench
	$(BIN)/python bench/harness.py --sizes $(BENCH_SIZES) --duration $(BENCH_DURATION)
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) var
