# Two commands do everything: `make html` and `make test` (see README.md).
# Options for Sphinx go in O, as in Sphinx's own Makefile: make html O="-D arxiv_offline=1".
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Overridable so that the tests can run these targets on a test site.
SOURCEDIR ?= .
BUILDDIR ?= _build
# -W: a warning fails the build, as on Read the Docs (fail_on_warning). Apart from
# SPHINXOPTS and O so that options given to make add to it and never replace it.
STRICTOPTS := -W --keep-going
SPHINXOPTS ?= -j auto
O ?=
ALLSPHINXOPTS = $(STRICTOPTS) $(SPHINXOPTS) $(O)
TESTS ?= tests

.PHONY: html latexpdf epub test test-fast livehtml clean refresh-metadata paper bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# compileall: pip compiles what it installs but not an editable install's sources, and
# where PYTHONDONTWRITEBYTECODE is set (containers, CI) every build would compile _ext
# again (a third of a second of each build's start on this project's machines).
$(VENV)/.installed: requirements.txt _ext/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m compileall -q _ext
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# -M keeps the doctrees in $(BUILDDIR)/doctrees, outside every output (an EPUB would
# otherwise carry them inside the book); latexpdf runs latexmk on Sphinx's LaTeX.
html latexpdf epub: $(VENV)/.installed
	$(BIN)/sphinx-build -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(ALLSPHINXOPTS)

# The tests run in JOBS processes (pytest-xdist), each module in one of them, so that
# the builds a module's tests share are made once, not once in every process. One more
# than the cores: tests wait on loopback servers, timeouts, browsers and subprocesses,
# and the extra process fills those waits (`make test-fast` on two cores: 147 s against
# 163 s with two). JOBS=0 runs them in make's own process, one after another.
JOBS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1)" 2>/dev/null || echo auto)
# pytest keeps the test modules it rewrites for its assertions only where bytecode may
# be written (in tests/__pycache__, git-ignored). Where PYTHONDONTWRITEBYTECODE is set
# (containers, CI), every process rewrote and compiled them all again: collecting the
# suite took 6.6 s instead of 3.0 s, in each of the JOBS processes.
PYTEST = PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -rs -n $(JOBS) --dist loadscope

# -rs: every skipped test says why. --durations: the slowest tests, as CI's log shows
# them, for keeping CI under 15 minutes and `make test-fast` under one.
test: $(VENV)/.installed-test
	$(PYTEST) --durations=25 $(TESTS)

# The loop while developing: the data layer and the Sphinx builds, without the browser,
# LaTeX, Java and the other validators, or the long runs (tests/conftest.py's markers).
test-fast: $(VENV)/.installed-test
	$(PYTEST) -m "not browser and not toolchain and not slow" $(TESTS)

# The build writes the metadata file (_data/arxiv.json: records it fetched, and its
# lock and temporary files): not a reason to build again, which would only read back
# what it wrote. Neither are the tests, the benchmark or the virtual environment.
# A failing build keeps the server up, serving the last pages.
livehtml: $(VENV)/.installed
	$(BIN)/sphinx-autobuild -b html -d "$(BUILDDIR)/doctrees" "$(SOURCEDIR)" "$(BUILDDIR)/html" \
		$(ALLSPHINXOPTS) \
		--re-ignore '(^|/)(\.venv|tests|bench|\.git)/' --re-ignore '(^|/)_data/'

# Re-fetch every record in the metadata file from arXiv (needs the network), saying
# what changed; PRUNE=1 also removes the records no page uses.
PRUNE ?= 0
refresh-metadata: $(VENV)/.installed
	$(BIN)/sphinx-build -M html "$(SOURCEDIR)" "$(BUILDDIR)" $(ALLSPHINXOPTS) -D arxiv_refresh=1 \
		-D arxiv_prune=$(PRUNE)

# A new commentary: make paper ID=2303.00676 [SLUG=file-name] (see writing.md), by the
# extension package's own command (installed from _ext by requirements.txt). It takes
# O's -D settings as a build does; SPHINXOPTS and -W are the build's alone.
paper: $(VENV)/.installed
	@test -n "$(ID)" || { echo "usage: make paper ID=<arXiv ID or DOI> [SLUG=<file name>] [TAGS=\"a, b\"]" >&2; exit 2; }
	@$(BIN)/mlcommentary new --site "$(SOURCEDIR)" \
		--doctrees "$(BUILDDIR)/doctrees" $(if $(SLUG),--slug "$(SLUG)") \
		$(if $(TAGS),--tags "$(TAGS)") $(O) "$(ID)"

bench: $(VENV)/.installed-test
	$(BIN)/python bench/build_times.py $(BENCHOPTS)

clean:
	rm -rf $(BUILDDIR)
