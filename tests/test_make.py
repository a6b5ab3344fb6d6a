"""The Makefile as an author runs it: options for Sphinx add to -W and never drop it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from conftest import REPO
from helpers import MAKE, ROOTS, copy_root, make, process_environment, python_m

from mlcommentary.data.testing import synthetic_entry

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
    """-rs: a skip for missing recorded responses names the variable to set, and so do
    the tests that compare the site with the user's content and Read the Docs' schema
    without ../shared; the README says so. One run of `make test` for both (JOBS=0: a
    test session of its own is a few seconds of imports, more in every process)."""
    result = make("test", "JOBS=0", "TESTS=tests/test_fetch.py tests/test_project.py -k "
                  "'real_responses_become_records or public_record or word_for_word "
                  "or read_the_docs'",
                  ARXIV_RESPONSES_DIR=str(tmp_path / "nowhere"),
                  ML_COMMENTARY_SHARED=str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED" in result.stdout
    assert "set ARXIV_RESPONSES_DIR to the folder that holds them" in result.stdout
    assert result.stdout.count("set ML_COMMENTARY_SHARED to the folder that holds") == 3, \
        result.stdout
    assert "ML_COMMENTARY_SHARED" in (REPO / "README.md").read_text()


def test_fresh_clone_sets_up_its_environment(tmp_path):
    """Without .venv, `make html` first creates it and installs the requirements."""
    for name in ("Makefile", "requirements.txt", "requirements-test.txt",
                 "_ext/pyproject.toml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    recipe = subprocess.run(["make", "--no-print-directory", "-n", "html"], cwd=tmp_path,
                            capture_output=True, text=True, check=True,
                            env=process_environment()).stdout.splitlines()
    assert recipe[:4] == ["python3 -m venv .venv",
                          ".venv/bin/python -m pip install --quiet -r requirements.txt",
                          ".venv/bin/python -m compileall -q _ext",
                          "touch .venv/.installed"]
    assert recipe[4].startswith(".venv/bin/sphinx-build -M html ")


@pytest.mark.slow  # a server, and waits for its rebuilds
def test_livehtml_rebuilds_once_for_an_edit_that_fetches(tmp_path, fake_arxiv):
    """The build writes the metadata file when it fetches; that is not a change for
    sphinx-autobuild to build again for."""
    fake_arxiv.add(synthetic_entry("2705.00001", "Synthetic One", ["Ada Example"]))
    fake_arxiv.add(synthetic_entry("2705.00002", "Synthetic Two", ["Ada Example"]))
    site = tmp_path / "site"
    site.mkdir()
    (site / "conf.py").write_text('extensions = ["myst_parser", "mlcommentary"]\n'
                                  'exclude_patterns = ["_*"]\n')
    (site / "index.md").write_text("# Home\n\n{paper}`2705.00001`\n")
    output = tmp_path / "livehtml.log"
    with output.open("w") as log:
        server = subprocess.Popen(
            [*MAKE, "livehtml", f"SOURCEDIR={site}", f"BUILDDIR={tmp_path / 'build'}",
             "SPHINXOPTS=-j 1", f"O=--port 0 -D arxiv_api_url={fake_arxiv.url} "
             "-D arxiv_request_delay=0"],
            stdout=log, stderr=subprocess.STDOUT, env=process_environment(),
            start_new_session=True)
    try:
        assert _wait_for(output, "Serving on", 120), output.read_text()
        assert len(fake_arxiv.requests) == 1
        # "Serving on" can come before the watcher watches: edit until it sees the edit.
        for _ in range(6):
            (site / "index.md").write_text(
                "# Home\n\n{paper}`2705.00001`, {paper}`2705.00002`\n")
            if _wait_for(output, "Rebuilding", 15):
                break
        assert _wait_for(output, "build succeeded", 120, after="Rebuilding"), output.read_text()
        time.sleep(8)  # sphinx-autobuild would have seen the file's change by now
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    log = output.read_text()
    assert len(fake_arxiv.requests) == 2
    assert log.count("Rebuilding") == 1, log


def _wait_for(path, text: str, seconds: float, after: str = "") -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        log = path.read_text()
        if text in log[log.find(after):] and (not after or after in log):
            return True
        time.sleep(0.5)
    return False


def test_the_readmes_livehtml_example_does_not_take_sphinx_autobuilds_port():
    """sphinx-autobuild serves the site on its default port: an arXiv stand-in on the
    same port would never be reached."""
    from sphinx_autobuild.__main__ import _get_parser

    default = _get_parser().get_default("port")
    readme = (REPO / "README.md").read_text()
    [example] = re.findall(r"make livehtml O=\"-D arxiv_api_url=([^\"]+)\"", readme)
    assert urlsplit(example).port not in (default, None), example


@pytest.mark.parametrize("arguments", [
    ("--version",),
    # Sphinx's own refusal, on stderr, with its status.
    ("-b", "html", "no-such-folder", "out"),
    # The extension's: a setting that stops the build before it starts.
    ("-N", "-b", "html", "-D", "arxiv_timeout=-1", str(ROOTS / "test-tags"), "out"),
])
def test_the_tests_sphinx_processes_are_what_python_m_starts(arguments, tmp_path, monkeypatch):
    """``python_m``'s forked process answers as a new interpreter does, word for word
    but for the folder each ran in and the name of Sphinx's crash log."""

    def said(result: subprocess.CompletedProcess, cwd: Path) -> tuple[int, str, str]:
        return result.returncode, *(re.sub(r"sphinx-err-\w+\.log", "sphinx-err.log",
                                           output.replace(str(cwd), "."))
                                    for output in (result.stdout, result.stderr))

    fresh_cwd, forked_cwd = tmp_path / "fresh", tmp_path / "forked"
    fresh_cwd.mkdir()
    forked_cwd.mkdir()
    fresh = subprocess.run([sys.executable, "-m", "sphinx", *arguments], capture_output=True,
                           text=True, timeout=120, cwd=fresh_cwd, env=process_environment())
    assert fresh.returncode == (0 if arguments == ("--version",) else 2), fresh.stderr
    monkeypatch.chdir(forked_cwd)
    assert said(python_m("sphinx", *arguments), forked_cwd) == said(fresh, fresh_cwd)
