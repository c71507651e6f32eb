# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   installs into .venv and runs the nightly scan on the demo data
#   make test   installs into .venv and runs the whole test suite (what CI runs)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 is the CPU build on disk; anything else pulls CUDA wheels.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev,x]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/netra scan --demo

test: $(STAMP)
	$(VENV)/bin/ruff check pipeline tests benchmarks
	bash scripts/ensure-chromium.sh
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline tests benchmarks
	$(VENV)/bin/ruff format --check pipeline tests benchmarks

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b; done

clean:
	rm -rf $(VENV) data/netra.db* data/rejects data/reports var
