# The front door. `make help` lists the targets.
# Needs only Python 3.11 on PATH (as python3, or set PYTHON=...); everything else goes into .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format bench docs lab models eval-sentiment clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,snscrape,dask]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the package with its dev tools

demo: $(STAMP) ## build the demo brief from the bundled demo world (offline) and print its path
	$(BIN)/research demo

test: $(STAMP) ## run the whole test suite (notebooks, importers, browser check if chromium is installed)
	$(BIN)/python -m pytest

lab: $(STAMP) ## install JupyterLab (the lab extra) and open the interactive explorer
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks/explore.ipynb

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check research tests benchmarks
	$(BIN)/ruff format --check research tests benchmarks

format: $(STAMP) ## apply ruff formatting
	$(BIN)/ruff format research tests benchmarks

bench: $(STAMP) ## measure every stage on a market world of 10k, 100k and 1M posts (SIZES="10000" for one size)
	$(BIN)/python -m benchmarks.run $(if $(SIZES),--sizes $(SIZES),)

models: $(STAMP) ## retrain the shipped sentiment models from ../shared/corpus (about 20 min) and their card
	$(BIN)/research train-sentiment

eval-sentiment: $(STAMP) ## sentiment models vs baselines on held-out sets, corrected shares, speed
	$(BIN)/python benchmarks/sentiment.py

docs: $(STAMP) ## regenerate docs/schema.md from research/schema/
	$(BIN)/research schema > docs/schema.md

clean: ## remove .venv, caches and generated data/reports
	rm -rf $(VENV) .pytest_cache .ruff_cache data reports/*/ benchmarks/results.json
