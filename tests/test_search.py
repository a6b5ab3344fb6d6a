"""Sphinx's own search finds papers: by arXiv ID, author's surname and title word.

Built with a real ``sphinx-build``; searched in Chromium on the built search page,
as a reader does, and from disk; and read from ``searchindex.js`` and the entries the
search page adds to it (``helpers.search_index``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import copy_root, http_server, search_index, sphinx_build
from test_browser import browser  # noqa: F401 (a fixture)

COMMENTARY = "papers/lattice.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("search")
    outdir = tmp / "html"
    result = sphinx_build(copy_root("search", tmp), outdir)
    assert result.returncode == 0, result.stderr
    return outdir


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


def _found(browser, address: str) -> list[str]:  # noqa: F811 (the fixture)
    """The results Sphinx's search page at ``address`` lists, as the links it gives."""
    page = browser.new_page()
    page.goto(address)
    # The search says how many it found, or that it found nothing, when done.
    page.wait_for_function(
        "document.querySelector('#search-results p.search-summary')"
        " && !document.querySelector('#search-progress')?.textContent")
    links = page.locator("#search-results ul.search li > a")
    found = [re.sub(r"^.*?/(?=[^/]*$)|\?.*?(?=#|$)", "", href)
             for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")]
    page.close()
    return found


@pytest.fixture(scope="module")
def search_page(browser, site):  # noqa: F811 (the fixture)
    with http_server(site) as base:
        yield lambda query: _found(browser, f"{base}search.html?q={query.replace(':', '%3A')}")


@pytest.mark.parametrize("query", ["3012.00021", "3012.00021v1", "3012.00021v3",
                                   "arXiv:3012.00021", "arxiv:3012.00021v2", "Zyxwomir",
                                   "plaatsvervanger", "quasicrystal"])
def test_search_brings_the_commentary_first(search_page, query):
    found = search_page(query)
    assert found, f"{query!r} found nothing"
    assert found[0] == "lattice.html#paper-3012-00021", found


def test_an_author_by_whole_name_finds_the_commentary(search_page):
    """The surname, "Plaatsvervanger", is less than half the whole name: an index entry
    is found only by a query at least half its length."""
    assert search_page("Laurens van der Plaatsvervanger")[:1] == [
        "lattice.html#paper-3012-00021"]


@pytest.mark.parametrize("query", ["arXiv:3012.00022", "10.5555/3012.00022", "Quorvelt",
                                   "Bo Quorvelt", "Penrose Moats"])
def test_a_paper_without_commentary_is_found_where_it_is_mentioned(search_page, query):
    """By its ID, the journal's DOI arXiv gives it, its author, or what its title names
    before the colon."""
    assert search_page(query)[:1] == ["notes.html#mention-paper-3012-00022"]


@pytest.mark.parametrize("theme", ["furo", "alabaster"])
def test_from_disk_an_id_finds_its_commentary_on_either_themes_page(browser, site,  # noqa: F811
                                                                     theme, tmp_path):
    """Opened from disk, as a reader without a server does. furo's search page loads
    Sphinx's index before the entries' scripts run, Sphinx's own (alabaster's) after:
    the entries join it either way."""
    outdir = site
    if theme != "furo":
        outdir = tmp_path / "html"
        result = sphinx_build(copy_root("search", tmp_path), outdir, "-D", f"html_theme={theme}")
        assert result.returncode == 0, result.stderr
    found = _found(browser, (outdir / "search.html").as_uri() + "?q=arXiv%3A3012.00021v2")
    assert found[:1] == ["lattice.html#paper-3012-00021"], found


def test_entries_not_kept_are_made_again_for_every_page(tmp_path):
    """An incremental build writes only the pages that changed, and takes the others'
    entries from the doctree folder: when none are kept there (removed, or made by
    another version of the extension), every page is written once, and none is lost."""
    srcdir, outdir = copy_root("search", tmp_path), tmp_path / "html"
    assert sphinx_build(srcdir, outdir).returncode == 0
    everything = search_index(outdir)["indexentries"]
    (tmp_path / "html.doctrees" / "mlcommentary-search-entries.pickle").unlink()
    (srcdir / "notes.md").write_text((srcdir / "notes.md").read_text() + "\nMore prose.\n")
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    assert search_index(outdir)["indexentries"] == everything


def test_no_empty_general_index(built_site):
    """Readers look papers up by search, tag and year: an "Index" page with nothing in
    it, linked from every page's head, was a dead end. The site makes none."""
    outdir = Path(built_site[0].outdir)
    assert not (outdir / "genindex.html").exists()
    for page in outdir.rglob("*.html"):
        assert "genindex" not in page.read_text(), page
