# rnn-lstm-book. Quick start: `make book` (build the HTML), `make test` (every check).
# Each target sets up what it needs: the virtual environment .venv (created only if
# missing, never deleted) and the npm assets the pages serve themselves (_vendor/).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)

STAMP := $(VENV)/.installed-book-test
BENCH_STAMP := $(VENV)/.installed-bench
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
VENDOR := _vendor
CHROMIUM := /usr/bin/chromium
NB ?= $(wildcard chapters/*.ipynb)

.PHONY: venv assets notebooks book lab test chromium bench clean

## venv: .venv with the project installed editable, extras book and test
venv: $(STAMP)

$(VENV)/bin/python:
	@echo "creating the virtual environment .venv"
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "installing the project and its book/test dependencies into .venv (a minute or two)"
	@$(PIP) -e '.[book,test]'
	@touch $@

## assets: MathJax from npm, copied into _vendor/
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	@echo "installing MathJax from npm into _vendor/ (about 10 s)"
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	@rm -rf $(VENDOR)
	@mkdir -p $(VENDOR)/mathjax/output
	@cp node_modules/mathjax/es5/tex-mml-chtml.js $(VENDOR)/mathjax/
	@cp -r node_modules/mathjax/es5/{input,ui,a11y,sre,adaptors} $(VENDOR)/mathjax/
	@cp -r node_modules/mathjax/es5/output/chtml $(VENDOR)/mathjax/output/
	@touch $@

## notebooks: re-execute chapters (or NB=chapters/xx.ipynb) in place, fresh kernel, LSTM_LIB_BOOK=1
notebooks: venv
	@LSTM_LIB_BOOK=1 jupyter execute --inplace $(NB)  # one fresh kernel per notebook; it names each
	@python -c "$$DROP_TIMESTAMPS" $(NB)

# nbclient stamps every cell with execution times; dropping them keeps re-executed
# notebooks byte-identical when their outputs did not change.
define DROP_TIMESTAMPS
import sys, nbformat
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
endef
export DROP_TIMESTAMPS

## book: HTML into _build/html from the stored outputs, Sphinx warnings are errors
book: venv assets
	@echo "building the book into _build/html (Sphinx warnings are errors)"
	@jupyter-book build . --builder html --all --warningiserror --keep-going --quiet >/dev/null || { \
	  echo "error: the book did not build; each warning above is an error" >&2; exit 1; }
	@if grep -rlE 'cdn\.jsdelivr|cdnjs\.|unpkg\.com|googleapis|maxcdn|bootstrapcdn' _build/html --include='*.html'; then \
	  echo "error: the pages above reference a CDN; the book must serve every asset itself" \
	       "(a notebook that stores ipywidgets state loads the widget manager from one)" >&2; exit 1; \
	fi
	@echo "built: open _build/html/index.html"

## lab: JupyterLab on chapters/ with the project's kernel; sliders redraw live (not LSTM_LIB_BOOK)
lab: venv
	@echo "starting JupyterLab on chapters/ (Ctrl-C to stop)"
	@env -u LSTM_LIB_BOOK jupyter lab --notebook-dir=chapters $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## test: library tests, strict nbval over the chapters, book build, browser test
test: venv $(BENCH_STAMP) chromium
	@echo "library tests (with PyTorch from the bench extra: the GRU is checked against torch.nn.GRU)"
	@pytest tests/ --ignore=tests/browser
	@echo "nbval: re-executing every chapter and comparing its outputs with the stored ones (about 2 minutes)"
	@pytest --nbval chapters/ -n 2 --dist loadfile  # two notebooks at a time; conftest.py sets LSTM_LIB_BOOK=1
	@$(MAKE) --no-print-directory book
	@echo "browser test of the built book (headless chromium)"
	@BROWSER_TEST_REQUIRED=1 pytest tests/browser

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser test (apt-get, about a minute)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "error: the browser test needs Debian's chromium at $(CHROMIUM);" \
	         "install it with 'sudo apt-get install -y chromium' and rerun" >&2; exit 1; \
	  fi; \
	fi

## bench: install the bench extra and run the benchmarks
bench: venv $(BENCH_STAMP)
	@python benchmarks/run.py

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	@echo "installing the bench extra (PyTorch CPU) into .venv (about 30 s)"
	@$(PIP) -e '.[bench]'
	@touch $@

## clean: remove build outputs and npm assets (never .venv)
clean:
	@rm -rf _build $(VENDOR) node_modules .pytest_cache
