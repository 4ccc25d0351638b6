# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-test browser lint bench bench-full sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

test: install-test browser
	$(BIN)/ruff check planner tests benchmarks app.py sample_data
	$(BIN)/mypy planner
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check planner tests benchmarks app.py sample_data
	$(BIN)/ruff format --check planner tests benchmarks app.py sample_data
	$(BIN)/mypy planner

# Benchmarks against published optima (../shared/benchdata); `make bench-full` takes hours.
bench: install-test
	$(BIN)/python -m benchmarks --tier quick --out benchmarks/results-quick.csv

bench-full: install-test
	$(BIN)/python -m benchmarks --tier full --out benchmarks/results-full.csv

sample: install
	$(BIN)/python sample_data/make_estate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
