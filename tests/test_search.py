"""Sphinx's own search finds papers: by arXiv ID, author's surname and title word.

Built with a real ``sphinx-build``; searched in Chromium on the built search page,
as a reader does, and read from ``searchindex.js``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import REPO, copy_root, http_server, sphinx_build
from test_browser import browser  # noqa: F401 (a fixture)

COMMENTARY = "papers/lattice.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("search")
    outdir = tmp / "html"
    result = sphinx_build(copy_root("search", tmp), outdir)
    assert result.returncode == 0, result.stderr
    return outdir


def search_index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text()
    return json.loads(re.fullmatch(r"Search\.setIndex\((.*)\)", text.strip(), re.S)[1])


def test_the_index_names_each_paper_by_id_version_and_surname(site):
    index = search_index(site)
    entries, docnames = index["indexentries"], index["docnames"]

    def places(entry: str) -> set[tuple[str, str, bool]]:
        return {(docnames[doc], anchor, main) for doc, anchor, main in entries[entry]}

    commentary = ("papers/lattice", "paper-3012-00021", True)
    for entry in ("arxiv:3012.00021v1", "arxiv:3012.00021v2", "arxiv:3012.00021v3",
                  "zyxwomir", "plaatsvervanger", "quasicrystal lattices for synthetic search"):
        assert commentary in places(entry), entry
    # The bare ID is found in the versioned entries: an entry of its own would only
    # make the index, read and written whole on every edit, larger.
    assert "arxiv:3012.00021" not in entries
    # With a commentary, found there alone: every mention would weigh on the index.
    assert len(entries["arxiv:3012.00021v1"]) == 1
    # No commentary: found by its ID where it is mentioned, at the mention, as a main
    # entry (the search lists the others after every full-text match of "arXiv").
    assert places("arxiv:3012.00022v2") == {("notes", "mention-paper-3012-00022", True)}
    assert "arxiv:3012.00022v3" not in entries
    # The mention's link is where the result leads.
    notes = (site / "notes.html").read_text()
    assert re.search(r'<a [^>]*id="mention-paper-3012-00022"', notes)


@pytest.fixture(scope="module")
def search_page(browser, site):  # noqa: F811 (the fixture)
    with http_server(site) as base:

        def results(query: str) -> list[str]:
            page = browser.new_page()
            page.goto(f"{base}search.html?"
                      + f"q={query.replace(':', '%3A')}")
            # The search says how many it found, or that it found nothing, when done.
            page.wait_for_function(
                "document.querySelector('#search-results p.search-summary')"
                " && !document.querySelector('#search-progress')?.textContent")
            links = page.locator("#search-results ul.search li > a")
            found = [re.sub(r"^.*?/(?=[^/]*$)|\?.*?(?=#|$)", "", href)
                     for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")]
            page.close()
            return found

        yield results


@pytest.mark.parametrize("query", ["3012.00021", "3012.00021v1", "3012.00021v3",
                                   "arXiv:3012.00021", "arxiv:3012.00021v2", "Zyxwomir",
                                   "plaatsvervanger", "quasicrystal"])
def test_search_brings_the_commentary_first(search_page, query):
    found = search_page(query)
    assert found, f"{query!r} found nothing"
    assert found[0] == "lattice.html#paper-3012-00021", found


def test_a_paper_without_commentary_is_found_where_it_is_mentioned(search_page):
    assert search_page("arXiv:3012.00022")[:1] == ["notes.html#mention-paper-3012-00022"]


def test_no_empty_general_index(tmp_path):
    """Readers look papers up by search, tag and year: an "Index" page with nothing in
    it, linked from every page's head, was a dead end. The site makes none."""
    outdir = tmp_path / "html"
    result = sphinx_build(REPO, outdir, "-D", "arxiv_offline=1")
    assert result.returncode == 0, result.stderr
    assert not (outdir / "genindex.html").exists()
    for page in outdir.rglob("*.html"):
        assert "genindex" not in page.read_text(), page
