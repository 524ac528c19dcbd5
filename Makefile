# oncall-sim: set up, run the main what-if scenario, test, benchmark.
# Needs only python3 (3.11+), pip, gcc and make; everything else installs into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUNS   ?= 1000
JOBS   ?= 2

.PHONY: setup demo test test-slow lint format bench validation-report regression-check regression-update notebooks deck-images clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the main job: the telco what-if scenario, 1000 paired runs on 2 jobs
demo: setup
	$(BIN)/oncall-sim run scenarios/telco-weekend.yaml --runs $(RUNS) --jobs $(JOBS) --out results/telco-weekend

## test: lint, then the default (fast) test suite
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

## test-slow: the long statistical checks
test-slow: setup
	$(BIN)/python -m pytest -q -m slow; status=$$?; [ $$status -eq 0 ] || [ $$status -eq 5 ]

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .

## bench: performance benchmarks (ratios measured in one process), JSON in benchmarks/
bench: setup
	$(BIN)/python benchmarks/run_benchmarks.py --out benchmarks/results-latest.json

## validation-report: queueing-theory validation, writes docs/validation.md (about 2 min)
validation-report: setup
	$(BIN)/python -m sim.validation --out docs/validation.md --jobs $(JOBS)

## regression-check: do the headline answers of every scenario still hold? (golden JSON)
regression-check: setup
	$(BIN)/python benchmarks/statistical_regression.py check --jobs $(JOBS)

## regression-update: regenerate the golden answers deliberately, showing what moved
regression-update: setup
	$(BIN)/python benchmarks/statistical_regression.py update --jobs $(JOBS)

## notebooks: install JupyterLab (the notebooks extra) and open notebooks/ in the browser
notebooks: setup
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	$(BIN)/jupyter lab notebooks/

## deck-images: the README's slide images (docs/deck/) from 200 paired telco runs
DECK_RESULTS := results/telco-weekend-200
deck-images: setup
	$(BIN)/oncall-sim run scenarios/telco-weekend.yaml --runs 200 --jobs $(JOBS) --out $(DECK_RESULTS)
	$(BIN)/python -m sim.report.previews $(DECK_RESULTS) --out docs/deck

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
