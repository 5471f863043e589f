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
VENDOR := _vendor
CHROMIUM := /usr/bin/chromium
NB ?= $(wildcard chapters/*.ipynb)
NBVAL := pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: venv assets notebooks book test chromium bench clean

## venv: .venv with the project installed editable, extras book and test
venv: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[book,test]'
	touch $@

## assets: MathJax, require.js and the widget manager from npm, copied into _vendor/
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/mathjax/output $(VENDOR)/widgets
	cp node_modules/mathjax/es5/tex-mml-chtml.js $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/{input,ui,a11y,sre,adaptors} $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/output/chtml $(VENDOR)/mathjax/output/
	cp node_modules/requirejs/require.js $(VENDOR)/
	cp node_modules/@jupyter-widgets/html-manager/dist/{embed-amd.js,*.woff,*.woff2,*.ttf,*.eot,*.svg} $(VENDOR)/widgets/
	echo "$$REQUIRE_PATHS" > $(VENDOR)/widgets/require-paths.js
	touch $@

# Loaded before require.js, which takes a global `require` object as its configuration:
# the widget manager then finds its fonts next to embed-amd.js instead of next to the page.
define REQUIRE_PATHS
var require = {paths: {"@jupyter-widgets/html-manager/dist": document.currentScript.src.replace(/\/[^\/]*$$/, "")}};
endef
export REQUIRE_PATHS

## notebooks: re-execute chapters (or NB=chapters/xx.ipynb) in place, fresh kernel, LSTM_LIB_BOOK=1
notebooks: venv
	for nb in $(NB); do \
	  echo "executing $$nb"; \
	  LSTM_LIB_BOOK=1 jupyter execute --inplace "$$nb"; \
	done
	python -c "$$DROP_TIMESTAMPS" $(NB)

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
	jupyter-book build . --builder html --all --warningiserror --keep-going
	if grep -rlE 'cdn\.jsdelivr|cdnjs\.|unpkg\.com|googleapis|maxcdn|bootstrapcdn' _build/html --include='*.html'; then \
	  echo "error: the pages above reference a CDN; the book must serve every asset itself" >&2; exit 1; \
	fi

## test: library tests, strict nbval over the chapters, book build, browser test
test: venv chromium
	pytest tests/ --ignore=tests/browser
	LSTM_LIB_BOOK=1 $(NBVAL) chapters/
	$(MAKE) book
	BROWSER_TEST_REQUIRED=1 pytest tests/browser

chromium:
	if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "error: the browser test needs Debian's chromium at $(CHROMIUM);" \
	         "install it with 'sudo apt-get install -y chromium' and rerun" >&2; exit 1; \
	  fi; \
	fi

## bench: install the bench extra and run the benchmarks
bench: venv $(BENCH_STAMP)
	python benchmarks/run.py

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

## clean: remove build outputs and npm assets (never .venv)
clean:
	rm -rf _build $(VENDOR) node_modules .pytest_cache
