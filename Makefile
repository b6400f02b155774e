# ConvLab — the repository's verbs. `make lab` and `make test` are the front door;
# each builds .venv first if it is missing or older than requirements.txt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.convlab-stamp
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# JupyterLab refuses to start as root without this flag (containers, Binder-like setups).
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: venv lab test test-unit test-notebooks lint execute bench clean help sync

help:
	@echo "make lab      open the course in JupyterLab (127.0.0.1, token auth on)"
	@echo "make test     lint + unit tests + strict nbval of every notebook"
	@echo "make execute  re-run every notebook in place (commit them executed)"
	@echo "make bench    speed benchmarks"
	@echo "make sync     rewrite every notebook's setup cell and badges from tools/notebook_cells.py"
	@echo "make clean    remove the venv and caches"

venv: $(STAMP)

# d2l 1.0.3 hard-pins numpy==1.23.5, matplotlib==3.7.2, ...: those pins do not build on
# Python >= 3.12 and break IPython 9 on 3.11, so it goes in without its pins;
# requirements.txt lists what `from d2l import torch` really imports.
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps d2l==1.0.3
	@touch $(STAMP)

lab: venv
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks --ip=127.0.0.1 $(ROOT_FLAG)

lint: venv
	$(PY) -m ruff check utils tests notebooks benchmarks tools

test-unit: venv
	$(PY) -m pytest tests

test-notebooks: venv
	$(PY) -m pytest --nbval $(NOTEBOOKS)

test: lint test-unit test-notebooks

# Re-execute notebooks in place so strict nbval compares against fresh outputs.
# `make execute NB=notebooks/02_corr2d.ipynb` runs just one.
NB ?= $(NOTEBOOKS)
execute: venv
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=900 $(NB)

bench: venv
	$(PY) benchmarks/bench_corr2d.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_lenet.py

# The setup cell and Colab/Binder badges live in tools/notebook_cells.py (REPO_URL); write them into
# every notebook. Outputs are kept: the setup cell prints nothing locally, so nbval is unaffected.
sync: venv
	$(PY) tools/sync_notebooks.py $(filter notebooks/%,$(NB))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
