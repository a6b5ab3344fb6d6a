# Two commands do everything: `make html` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILDDIR := _build
# -W: a warning fails the build, as on Read the Docs (fail_on_warning).
SPHINXOPTS ?= -W --keep-going -j auto

.PHONY: html test livehtml clean refresh-metadata bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

html: $(VENV)/.installed
	$(BIN)/sphinx-build -b html $(SPHINXOPTS) . $(BUILDDIR)/html

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests

# The metadata file's lock and temporary files change during a build: not a reason
# to build again. Neither are the tests, the benchmark or the virtual environment.
livehtml: $(VENV)/.installed
	$(BIN)/sphinx-autobuild -b html . $(BUILDDIR)/html \
		--re-ignore '(^|/)(\.venv|tests|bench|\.git)/' --re-ignore '_data/.*\.(lock|tmp)$$'

# Re-fetch every record in the metadata file from arXiv (needs the network).
refresh-metadata: $(VENV)/.installed
	$(BIN)/sphinx-build -b html $(SPHINXOPTS) -D arxiv_refresh=1 . $(BUILDDIR)/html

bench: $(VENV)/.installed-test
	$(BIN)/python bench/build_times.py $(BENCHOPTS)

clean:
	rm -rf $(BUILDDIR)
