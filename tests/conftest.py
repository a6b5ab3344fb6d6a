"""Shared fixtures: Sphinx's own test fixtures, test roots, and the loopback arXiv."""

from __future__ import annotations

import inspect
import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))
sys.path.insert(0, str(Path(__file__).parent))

from mlcommentary.buildscale.templates import SHARED_FOLDER_VARIABLE  # noqa: E402
from mlcommentary.data.testing import (  # noqa: E402
    FakeArxiv, FakeOpenReview, FakeRegistries, RealResponses, RealWorks, real_notes)
from helpers import ROOTS  # noqa: E402

pytest_plugins = ["sphinx.testing.fixtures"]

#: The real recorded arXiv responses, beside the checkout unless the variable says elsewhere.
RESPONSES_DIR = Path(os.environ.get("ARXIV_RESPONSES_DIR")
                     or REPO.parent / "shared" / "arxiv-responses")
#: The real recorded Crossref and DataCite responses, likewise.
DOI_RESPONSES_DIR = Path(os.environ.get("DOI_RESPONSES_DIR")
                         or REPO.parent / "shared" / "doi-responses")
#: The real recorded OpenReview response, likewise.
OPENREVIEW_RESPONSES_DIR = Path(os.environ.get("OPENREVIEW_RESPONSES_DIR")
                                or REPO.parent / "shared" / "openreview-responses")
#: A month that has not happened: synthetic records use its IDs, so they describe no paper.
FUTURE_MONTH = "3012"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(scope="session", autouse=True)
def templates_compiled_once_per_session(tmp_path_factory):
    """Every build here starts from an empty doctree folder, so each compiled the theme's
    templates again (0.24 s of a 0.89 s build of test-dates); they share one folder
    instead, subprocesses too. ``test_builders`` checks both folders."""
    os.environ[SHARED_FOLDER_VARIABLE] = str(tmp_path_factory.mktemp("jinja-bytecode"))
    yield
    del os.environ[SHARED_FOLDER_VARIABLE]


@pytest.fixture(scope="session")
def real_responses() -> RealResponses:
    if not (RESPONSES_DIR / "MANIFEST.md").exists():
        pytest.skip(f"the recorded arXiv responses are not at {RESPONSES_DIR}; "
                    "set ARXIV_RESPONSES_DIR to the folder that holds them")
    return RealResponses.load(RESPONSES_DIR)


@pytest.fixture(scope="session")
def real_works() -> RealWorks:
    if not (DOI_RESPONSES_DIR / "MANIFEST.md").exists():
        pytest.skip(f"the recorded DOI responses are not at {DOI_RESPONSES_DIR}; "
                    "set DOI_RESPONSES_DIR to the folder that holds them")
    return RealWorks.load(DOI_RESPONSES_DIR)


@pytest.fixture
def real_registries(real_works: RealWorks):
    """Loopback Crossref and DataCite answering from the real recorded responses."""
    with FakeRegistries(real_works) as server:
        yield server


@pytest.fixture(scope="session")
def recorded_notes() -> dict[str, dict]:
    if not (OPENREVIEW_RESPONSES_DIR / "MANIFEST.md").exists():
        pytest.skip(f"the recorded OpenReview response is not at {OPENREVIEW_RESPONSES_DIR}; "
                    "set OPENREVIEW_RESPONSES_DIR to the folder that holds it")
    return real_notes(OPENREVIEW_RESPONSES_DIR)


@pytest.fixture
def real_openreview(recorded_notes):
    """Loopback OpenReview answering with the real recorded notes."""
    with FakeOpenReview(recorded_notes) as server:
        yield server


@pytest.fixture
def fake_openreview():
    with FakeOpenReview() as server:
        yield server


@pytest.fixture
def fake_registries():
    """Loopback Crossref and DataCite with synthetic works only."""
    with FakeRegistries() as server:
        yield server


@pytest.fixture
def fake_arxiv():
    """The loopback arXiv with synthetic entries only."""
    with FakeArxiv() as server:
        yield server


@pytest.fixture
def real_arxiv(real_responses: RealResponses):
    """The loopback arXiv answering from the real recorded responses."""
    with FakeArxiv(real_responses) as server:
        yield server


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once with -W, with arXiv pointed at a loopback server."""
    from sphinx.testing.util import SphinxTestApp

    from mlcommentary.data.testing import FakeArxiv

    with FakeArxiv() as server:
        app = SphinxTestApp("html", srcdir=REPO, builddir=tmp_path_factory.mktemp("site"),
                            confoverrides={"arxiv_api_url": server.url},
                            warningiserror=True)
        try:
            app.build()
        finally:
            app.cleanup()
        yield app, server


#: The kinds of test ``make test-fast`` leaves out (``-m "not browser and not toolchain
#: and not slow"``); ``make test`` runs every one.
MARKERS = {
    "browser": "drives Chromium (Playwright), axe or what a reader sees",
    "toolchain": "needs LaTeX, Java (epubcheck, the Nu checker), jing or poppler",
    "slow": "long by design: property runs over many builds, timed faults, builds "
            "paced by sleeps, virtual environments, the benchmark",
}


#: Fixtures that start a reader's browser: a test that takes one is a browser test,
#: wherever it is defined.
BROWSER_FIXTURES = {"browser", "site_url"}
#: What a test's own code runs that marks it, so that a new test is marked without
#: anyone remembering to: Chromium, or a tool of the toolchain.
USES = {
    "browser": re.compile(r"\bCHROMIUM\b|playwright"),
    "toolchain": re.compile(r"latexmk|latexpdf|epubcheck|\bjing\b|pdftotext|VNU_JAR"),
}


def pytest_configure(config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        function = getattr(item, "function", None)
        # Its body: a parameter's name ("latexpdf") says nothing of what it runs.
        source = inspect.getsource(function).partition("def ")[2] if function else ""
        for marker, use in USES.items():
            if use.search(source):
                item.add_marker(marker)
