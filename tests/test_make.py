"""The Makefile as an author runs it: options for Sphinx add to -W and never drop it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import REPO
from helpers import copy_root, make

OFFLINE = "-D arxiv_offline=1"


@pytest.mark.parametrize("variable", ["O", "SPHINXOPTS"])
def test_options_given_to_make_keep_warnings_fatal(tmp_path, variable):
    site = copy_root("warnings", tmp_path)  # pages with a bad arXiv ID, among others
    build = tmp_path / "build"
    result = make("html", f"SOURCEDIR={site}", f"BUILDDIR={build}", f"{variable}={OFFLINE}")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "WARNING" in result.stderr
    assert (build / "html" / "index.html").exists()  # --keep-going: every page written
    assert (build / "doctrees" / "environment.pickle").exists()
    assert not (build / "html" / ".doctrees").exists()


@pytest.mark.parametrize("target", ["livehtml", "refresh-metadata", "epub", "latexpdf"])
def test_every_build_target_takes_the_same_options(target):
    recipe = make("-n", target, f"O={OFFLINE}", "SPHINXOPTS=-j 1").stdout
    assert "-W --keep-going -j 1 -D arxiv_offline=1" in recipe
    # Doctrees beside the outputs, never in them (an EPUB would carry them in the book).
    assert "-M" in recipe.split() or '-d "_build/doctrees"' in recipe


def test_make_test_says_why_tests_skip(tmp_path):
    """-rs, and a skip for missing recorded responses names the variable to set."""
    result = make("test", "TESTS=tests/test_fetch.py -k real_responses_become_records",
                  ARXIV_RESPONSES_DIR=str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED" in result.stdout
    assert "set ARXIV_RESPONSES_DIR to the folder that holds them" in result.stdout


def test_fresh_clone_sets_up_its_environment(tmp_path):
    """Without .venv, `make html` first creates it and installs the requirements."""
    for name in ("Makefile", "requirements.txt", "requirements-test.txt"):
        shutil.copy(REPO / name, tmp_path)
    recipe = subprocess.run(["make", "--no-print-directory", "-n", "html"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert recipe[:3] == ["python3 -m venv .venv",
                          ".venv/bin/python -m pip install --quiet -r requirements.txt",
                          "touch .venv/.installed"]
    assert recipe[3].startswith(".venv/bin/sphinx-build -M html ")
