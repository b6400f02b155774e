# ConvLab — the repository's verbs. `make lab` and `make test` are the front door; each builds
# .venv first (again whenever the requirements or the lock change).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet
LOCK := locks/main.txt
# The exact versions of $(LOCK) apply when .venv's Python is the one the lock was made with (what CI
# runs); on another Python the lower bounds of requirements*.txt apply and `make` says so.
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
LOCK_VERSION := $(shell sed -n '1s/^\# python \([0-9.]*\).*/\1/p' $(LOCK))
CONSTRAINTS := $(if $(filter $(LOCK_VERSION),$(PY_VERSION)),-c $(LOCK),)
# TORCH_INDEX=cpu: torch and torchvision from PyTorch's CPU-only wheel index (about 1 GB instead of
# PyPI's CUDA build on Linux). Build a fresh venv with it: `make clean lab TORCH_INDEX=cpu`.
TORCH_INDEX ?=
CPU_INDEX := https://download.pytorch.org/whl/cpu
# JupyterLab refuses to start as root without this flag (containers, Binder-like setups).
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# d2l 1.0.3 hard-pins numpy==1.23.5, matplotlib==3.7.2, ...: those pins do not build on Python >= 3.12
# and break IPython 9 on 3.11, so it goes in without them; requirements.txt lists what it imports.
D2L := d2l==1.0.3
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb)) $(sort $(wildcard notebooks/zh/[0-9]*.ipynb))
UNIT := -n auto -m "not browser and not hub and not book"

.PHONY: help venv venv-test lab test lint test-unit test-notebooks test-browser test-hub test-book \
        test-compat lock execute bench sync hub-link book clean

help:
	@echo "make lab          open the course in JupyterLab (127.0.0.1, token auth on)"
	@echo "make test         everything, in steps: lint, unit, notebooks (strict nbval), browser, hub, book"
	@echo "make test-unit    the unit tests alone (no browser, no hub): the quick loop while editing"
	@echo "make test-compat  the tests in throwaway venvs on Colab's stack and at the declared minimums"
	@echo "make lock         re-resolve locks/*.txt from the newest releases, then re-execute the notebooks"
	@echo "make execute      re-run every notebook in place (commit them executed); NB=... for one"
	@echo "make bench        speed and memory benchmarks (memory: per chapter, for sizing a hub)"
	@echo "make sync         rewrite setup cells and badges; REPO_URL=... BRANCH=... re-points the course"
	@echo "make hub-link HUB=https://hub.example.edu [NB=notebooks/05_pooling.ipynb]   nbgitpuller link"
	@echo "make book         the offline HTML book of both editions in _build/book/ (HUB=... adds hub links)"
	@echo "make clean        remove the venv and caches"

venv: $(VENV)/.stamp-lab
venv-test: $(VENV)/.stamp-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
ifneq ($(LOCK_VERSION),$(PY_VERSION))
	@echo "note: $(LOCK) was made with Python $(LOCK_VERSION); with Python $(PY_VERSION) pip resolves the lower bounds instead"
endif

# What a student needs.
$(VENV)/.stamp-lab: requirements.txt $(LOCK) | $(VENV)/bin/python
ifeq ($(TORCH_INDEX),cpu)
	$(PIP) $(CONSTRAINTS) --index-url $(CPU_INDEX) torch torchvision
endif
	$(PIP) -r requirements.txt $(CONSTRAINTS)
	$(PIP) --no-deps $(D2L)
	@touch $@

# ... and what the tests need on top.
$(VENV)/.stamp-test: $(VENV)/.stamp-lab requirements-dev.txt
	$(PIP) -r requirements.txt -r requirements-dev.txt $(CONSTRAINTS)
	@touch $@

lab: venv
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks --ip=127.0.0.1 $(ROOT_FLAG)

test: lint test-unit test-notebooks test-browser test-hub test-book

lint: venv-test
	$(PY) -m ruff check utils tests notebooks benchmarks tools

test-unit: venv-test
	$(PY) -m pytest tests $(UNIT)

test-notebooks: venv-test
	$(PY) -m pytest --nbval -p no:cacheprovider $(NOTEBOOKS)

test-browser: venv-test
	$(PY) -m pytest tests/browser

# configurable-http-proxy for tests/hub, and the book's widget renderer, MathJax and require.js, as
# package-lock.json pins them.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# A real JupyterHub + nbgitpuller class in Chromium; screenshots in artifacts/hub/.
test-hub: venv-test node_modules/.package-lock.json
	$(PY) -m pytest tests/hub

# Throwaway venvs with pyenv's (or PATH's) Python 3.12, 3.13 and 3.10; STACKS="colab" for one.
STACKS ?=
test-compat: venv-test
	$(PY) tools/stacks.py test $(STACKS)

# Re-resolve every stack, rebuild .venv from the new main lock, re-execute the notebooks.
lock: venv-test
	$(PY) tools/stacks.py lock
	$(PIP) -r requirements.txt -r requirements-dev.txt -c $(LOCK)
	$(MAKE) execute

# Re-execute notebooks in place so strict nbval compares against fresh outputs.
# `make execute NB=notebooks/02_corr2d.ipynb` runs just one. CONVLAB_FRAMES=off: the saved widget
# state holds each widget's one picture, not every pre-rendered frame (the book keeps those).
NB ?= $(NOTEBOOKS)
NB_GIVEN := $(if $(filter command line environment,$(origin NB)),$(NB))
execute: venv-test
	CONVLAB_FRAMES=off $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=900 $(NB)

bench: venv-test
	$(PY) benchmarks/bench_corr2d.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_lenet.py
	$(PY) benchmarks/bench_memory.py

# The setup cell and badges come from tools/notebook_cells.py and course.json. With REPO_URL and/or
# BRANCH, course.json is rewritten first, then every notebook (both editions) and the README.
REPO_URL ?=
BRANCH ?=
sync: venv
	$(PY) tools/sync_notebooks.py $(if $(REPO_URL),--repo-url $(REPO_URL)) $(if $(BRANCH),--branch $(BRANCH)) \
		$(NB_GIVEN)

# The nbgitpuller link for a class on JupyterHub; standard library only, so no venv is needed.
HUB ?=
hub-link:
	@test -n "$(HUB)" || { echo "usage: make hub-link HUB=https://hub.example.edu [NB=notebooks/05_pooling.ipynb]" >&2; exit 2; }
	@$(PYTHON) tools/hub_link.py --hub "$(HUB)" $(if $(NB_GIVEN),--nb "$(NB_GIVEN)")

# The offline HTML book: executes copies of every chapter (both editions; the notebooks stay as they
# are), exports them with their widget state, copies MathJax and the widget renderer beside them.
# Open _build/book/index.html, or copy _build/book to any static web host.
book: venv-test node_modules/.package-lock.json
	$(PY) tools/book.py $(if $(HUB),--hub "$(HUB)")

# Every page of the book from file:// in Chromium with the network blocked.
test-book: book
	CONVLAB_BOOK=_build/book $(PY) -m pytest tests/book

clean:
	rm -rf $(VENV) node_modules _build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
