# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-test browser lint architecture wheel-check bench bench-full sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dashboard,cluster]"

install-test: $(BIN)/python
	$(BIN)/pip uninstall --quiet --yes planner 2>/dev/null || true  # the distribution's name before 0.2
	$(BIN)/pip install --quiet -e ".[dashboard,cluster,test]"

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
	$(MAKE) --no-print-directory architecture
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory wheel-check

# Import contracts (imports point down; only ui imports Streamlit; the solver reads no files) and
# declared dependencies (deptry): the layout is the architecture.
architecture: install-test
	$(BIN)/lint-imports
	$(BIN)/deptry .

# The built wheel, alone in a fresh virtual environment outside the checkout, plans the sample and
# starts the dashboard.
wheel-check: install-test
	bash .ci/wheel-check

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
