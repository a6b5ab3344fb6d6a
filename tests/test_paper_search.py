"""The paper search: Pagefind's index of the site's papers, its page, its facets, the
``file://`` fallback to Sphinx's search, and an index made again only when it must be.

Built with a real ``sphinx-build``; searched in Chromium over a loopback HTTP server
and from disk, as readers do.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from helpers import copy_root, http_server, sphinx_build
from test_browser import browser  # noqa: F401 (a fixture)

COMMENTARY = "papers/lattice.html"
MENTION = "notes.html#mention-paper-3012-00022"


def build(tmp: Path, settings: str = "") -> tuple[Path, Path]:
    srcdir = copy_root("search", tmp)
    with (srcdir / "conf.py").open("a") as conf:
        conf.write(settings)
    outdir = tmp / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    return srcdir, outdir


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("paper-search"))[1]


@pytest.fixture(scope="module")
def reader(browser, site):  # noqa: F811 (the fixture)
    """Chromium, and the site's address over HTTP."""
    with http_server(site) as base:
        yield browser, base


def results(page) -> list[str]:
    """The results' links, once the search page says what it found."""
    page.wait_for_function("document.querySelector('.paper-search-status')?.textContent")
    return page.locator(".paper-search-results li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').replace(/^.*?:\\/\\/[^/]+\\//, ''))")


@pytest.mark.parametrize(("query", "first"), [
    ("3012.00021", COMMENTARY), ("3012.00021v2", COMMENTARY), ("arXiv:3012.00021", COMMENTARY),
    ("Zyxwomir", COMMENTARY), ("Laurens van der Plaatsvervanger", COMMENTARY),
    ("quasicrystal lattices synthetic", COMMENTARY),
    # A tag's and a year's own page come before the commentaries they list.
    ("lattices", "tags/lattices.html"), ("3012", "years/3012.html"),
    # No commentary: the page that discusses it, at the mention.
    ("3012.00022", MENTION), ("Quorvelt", MENTION), ("tilings nobody", MENTION),
])
def test_the_paper_search_finds_what_readers_type(reader, query, first):
    browser, base = reader
    page = browser.new_page()
    page.goto(f"{base}paper-search.html?q={quote(query)}")
    found = results(page)
    page.close()
    assert found[:1] == [first], found


def test_a_result_shows_title_authors_identifier_and_the_words_that_matched(reader):
    browser, base = reader
    page = browser.new_page()
    page.goto(f"{base}paper-search.html?q=quasicrystal")
    results(page)
    item = page.locator(".paper-search-results li").first
    assert item.locator("a").inner_text() == "Quasicrystal Lattices for Synthetic Search"
    byline = item.locator(".paper-search-byline").inner_text()
    assert byline.startswith("arXiv:3012.00021 · Ada Zyxwomir, ") and "et al." in byline
    assert item.locator(".paper-search-excerpt mark").first.inner_text() == "Quasicrystal"
    # The commentary's date as the listings write it; results counted, not "papers": a
    # tag's page is one.
    assert "commentary of 9\u00a0Mar\u00a03031" in byline, byline
    assert re.fullmatch(r"\d+ results?", page.locator(".paper-search-status").inner_text())
    page.close()


def test_every_search_form_goes_to_the_paper_search_over_http(reader):
    browser, base = reader
    page = browser.new_page()
    page.goto(f"{base}index.html")
    page.fill("input.sidebar-search", "Zyxwomir")
    page.press("input.sidebar-search", "Enter")
    page.wait_for_url("**/paper-search.html?q=Zyxwomir")
    assert results(page)[:1] == [COMMENTARY]
    # And on to the full text, for words that are no paper's.
    assert page.locator(".paper-search-fulltext").get_attribute("href") == "search.html?q=Zyxwomir"
    page.close()


def test_from_disk_the_search_form_goes_to_sphinx_search(reader, site):
    """A browser refuses Pagefind's fetches from ``file://``; Sphinx's search, which
    loads its index with a script tag, still finds the paper by its ID."""
    browser, _ = reader
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.fill("input.sidebar-search", "3012.00021")
    page.press("input.sidebar-search", "Enter")
    page.wait_for_url("**/search.html?q=3012.00021*")
    page.wait_for_selector("#search-results ul.search li a")
    first = page.locator("#search-results ul.search li a").first.get_attribute("href")
    assert first.split("/")[-1] == "lattice.html#paper-3012-00021"
    # The paper search page itself, opened from disk, sends the reader there too.
    page.goto((site / "paper-search.html").as_uri() + "?q=3012.00021", wait_until="commit")
    page.wait_for_url("**/search.html?q=3012.00021")
    page.close()


def test_facets_narrow_the_results_from_the_keyboard(reader):
    browser, base = reader
    page = browser.new_page()
    page.goto(f"{base}paper-search.html?q=synthetic")
    assert sorted(results(page)) == sorted([COMMENTARY, MENTION])
    facets = page.locator(".paper-search-facet")
    facets.first.wait_for()
    legends = facets.locator("legend").all_inner_texts()
    assert legends[:3] == ["Tag", "Year", "Source"] and "Author" in legends
    tag = page.get_by_label("lattices")
    assert tag.locator("xpath=..").inner_text().strip() == "lattices (1)"
    tag.focus()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelectorAll('.paper-search-results li').length === 1")
    assert results(page) == [COMMENTARY]
    assert "tag=lattices" in page.url
    # The boxes are drawn anew with the results; the keyboard stays where it was.
    assert page.evaluate("document.activeElement.value") == "lattices"
    page.close()


def test_a_site_whose_index_is_in_parts_finds_as_one_index_does(reader, tmp_path):
    """Pagefind's indexer holds every document: at 10,000 commentaries, 1.3 GB. In parts
    of at most two documents here, merged by the page, the search finds what one index
    finds, with the facets of all; an edit makes again only the part it changed."""
    browser, _ = reader
    srcdir, outdir = build(tmp_path, "paper_search_shard_size = 2\n")
    parts = json.loads((outdir / "pagefind" / "shards.json").read_text())
    assert len(parts) >= 2
    with http_server(outdir) as base:
        # Found in whichever part they are. Ranked as by one index where the parts are
        # alike, as parts of thousands of documents shared out by name are (the search
        # benchmark's 10,000 commentaries): here, parts of two documents are not.
        for query, wanted in [("3012.00021", COMMENTARY), ("Quorvelt", MENTION),
                              ("lattices", "tags/lattices.html"), ("3012", "years/3012.html")]:
            page = browser.new_page()
            page.goto(f"{base}paper-search.html?q={quote(query)}")
            assert wanted in results(page), query
            page.close()
        page = browser.new_page()
        page.goto(f"{base}paper-search.html?q=synthetic")
        assert sorted(results(page)) == sorted([COMMENTARY, MENTION])
        page.locator(".paper-search-facet").first.wait_for()
        assert page.get_by_label("lattices").locator("xpath=..").inner_text().strip() == (
            "lattices (1)")
        page.close()
    entries = {part: (outdir / "pagefind" / part / "pagefind-entry.json").stat().st_mtime_ns
               for part in parts}
    page = srcdir / "papers" / "lattice.md"
    page.write_text(page.read_text().replace("gets right", "gets wonderfully right"))
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    remade = int(re.search(rf"(\d+) of its {len(parts)} parts", again.stdout)[1])
    assert 1 <= remade < len(parts)
    assert sum((outdir / "pagefind" / part / "pagefind-entry.json").stat().st_mtime_ns
               != made for part, made in entries.items()) == remade


def test_the_index_is_made_again_only_when_what_it_finds_changes(tmp_path):
    srcdir, outdir = build(tmp_path, 'myst_enable_extensions = ["dollarmath"]\n')
    entry = outdir / "pagefind" / "all" / "pagefind-entry.json"
    made = entry.stat().st_mtime_ns
    page = srcdir / "papers" / "lattice.md"
    page.write_text(page.read_text() + "\nA second paragraph of prose.\n")
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    assert "paper search" not in again.stdout
    assert entry.stat().st_mtime_ns == made
    # A commentary's title is in the index, its math as a reader types it.
    page.write_text(page.read_text().replace("gets right", r"gets $\mu$P right"))
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    assert "made the paper search's index" in again.stdout
    documents = outdir.with_name("html.doctrees") / "mlcommentary-search"
    text = "".join(p.read_text() for p in documents.rglob("*.html"))
    assert "What the lattice paper gets μP right" in text and r"\mu" not in text


def test_an_index_that_cannot_be_made_is_a_warning_and_the_last_one_stays(tmp_path):
    srcdir, outdir = build(tmp_path)
    entry = outdir / "pagefind" / "all" / "pagefind-entry.json"
    last = entry.read_bytes()
    # Where Pagefind writes its new index, a file: it cannot.
    (outdir / "pagefind.new").write_text("in the way")
    page = srcdir / "papers" / "lattice.md"
    page.write_text(page.read_text().replace("gets right", "gets wonderfully right"))
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 1
    assert "the paper search's index was not made" in again.stderr
    assert "[paper.search]" in again.stderr
    assert entry.read_bytes() == last
    # Once it can, the next build makes it (the failed one was not remembered as made).
    (outdir / "pagefind.new").unlink()
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    assert "made the paper search's index" in again.stdout


#: A Pagefind that says when it starts (its process's ID, in ``$PAGEFIND_STARTED``),
#: then runs ``{then}``: the real one, or a command that waits.
FAKE_PAGEFIND = """#!/bin/sh
echo $$ > "$PAGEFIND_STARTED"
exec {then} "$@"
"""
#: Run as a page is written: whether Pagefind has started by then (within 10 s).
WATCH_THE_WRITING = """
import os, time
from pathlib import Path

def watch(app, pagename, templatename, context, doctree):
    if pagename != "notes":
        return
    started = Path(os.environ["PAGEFIND_STARTED"])
    for _ in range(200):
        if started.exists():
            break
        time.sleep(0.05)
    Path(os.environ["PAGEFIND_SEEN"]).write_text(str(started.exists()))
    if os.environ.get("PAGE_FAILS"):
        raise RuntimeError("notes.html cannot be written")

def setup(app):
    app.connect("html-page-context", watch)
"""


def watched_build(tmp_path: Path, then: str, *, fails: bool = False,
                  srcdir: Path | None = None) -> tuple[subprocess.CompletedProcess, Path, bool]:
    """A build whose Pagefind is ``then`` and whose writing watches for it: the build's
    result, Pagefind's marker file, and whether Pagefind had started while a page was
    being written."""
    if srcdir is None:
        srcdir = copy_root("search", tmp_path)
        (srcdir / "watch.py").write_text(WATCH_THE_WRITING)
        with (srcdir / "conf.py").open("a") as conf:
            conf.write("import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"
                       "extensions.append('watch')\n")
    fake = tmp_path / "pagefind"
    fake.write_text(FAKE_PAGEFIND.format(then=then))
    fake.chmod(0o755)
    started, seen = tmp_path / "started", tmp_path / "seen"
    started.unlink(missing_ok=True)
    result = sphinx_build(srcdir, tmp_path / "html", PAGEFIND_BINARY_PATH=str(fake),
                          PAGEFIND_STARTED=str(started), PAGEFIND_SEEN=str(seen),
                          **({"PAGE_FAILS": "1"} if fails else {}))
    return result, started, seen.read_text() == "True"


def test_pagefind_indexes_while_the_pages_are_written(tmp_path):
    """What the index holds is known once the pages are read: Pagefind runs beside the
    writing, on a core a serial build leaves idle, not after it."""
    from pagefind.service import get_executable

    result, _, seen = watched_build(tmp_path, str(get_executable()))
    assert result.returncode == 0, result.stderr
    assert seen
    assert "made the paper search's index" in result.stdout
    assert (tmp_path / "html" / "pagefind" / "all" / "pagefind-entry.json").exists()
    assert not (tmp_path / "html" / "pagefind.new").exists()


def test_a_build_that_fails_while_pagefind_runs_stops_it_and_keeps_the_last_index(tmp_path):
    from pagefind.service import get_executable

    result, _, _ = watched_build(tmp_path, str(get_executable()))
    assert result.returncode == 0, result.stderr
    entry = tmp_path / "html" / "pagefind" / "all" / "pagefind-entry.json"
    last = entry.read_bytes()
    srcdir = tmp_path / "search"
    page = srcdir / "papers" / "lattice.md"
    page.write_text(page.read_text().replace("gets right", "gets wonderfully right"))
    # This time Pagefind takes a minute; a page fails to be written meanwhile.
    result, started, seen = watched_build(tmp_path, "sleep 60 #", fails=True, srcdir=srcdir)
    assert result.returncode != 0
    assert "notes.html cannot be written" in result.stderr
    assert seen
    pid = int(started.read_text())
    # Gone, not left running (a reaped process has no /proc entry).
    assert not Path(f"/proc/{pid}").exists()
    assert entry.read_bytes() == last
    assert not (tmp_path / "html" / "pagefind.new").exists()


def test_a_build_that_writes_no_page_still_makes_a_missing_index(tmp_path):
    """Sphinx starts writing (``write-started``) even when no page is out of date: a
    missing index is made again then."""
    srcdir, outdir = build(tmp_path)
    shutil.rmtree(outdir / "pagefind")
    again = sphinx_build(srcdir, outdir)
    assert again.returncode == 0, again.stderr
    assert "no targets are out of date" in again.stdout
    assert "made the paper search's index" in again.stdout
    assert (outdir / "pagefind" / "all" / "pagefind-entry.json").exists()


def test_pagefind_is_run_where_its_own_variable_says(tmp_path):
    """The binary ``python -m pagefind`` would run (its PAGEFIND_BINARY_PATH first), run
    without that interpreter; one that is not there is a warning, and the site is built."""
    missing = tmp_path / "no-pagefind-here"
    srcdir = copy_root("search", tmp_path)
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir, strict=False, PAGEFIND_BINARY_PATH=str(missing))
    assert result.returncode == 0, result.stderr
    assert "the paper search's index was not made" in result.stderr
    assert str(missing) in result.stderr and "[paper.search]" in result.stderr
    assert (outdir / "index.html").exists()
    assert not list((outdir / "pagefind").glob("*/pagefind-entry.json"))


def test_a_site_without_papers_has_no_index_and_its_search_is_sphinx_s(reader, tmp_path):
    """Pagefind makes no index of nothing: the build says nothing of it, and the search
    page sends its reader on to Sphinx's search."""
    browser, _ = reader
    srcdir = copy_root("navigation", tmp_path)
    (srcdir / "pages").mkdir()
    (srcdir / "pages" / "alpha.md").write_text("# Alpha\n\nNo paper here.\n", encoding="utf-8")
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    assert not (outdir / "pagefind").exists()
    with http_server(outdir) as base:
        page = browser.new_page()
        # Sent on as it loads: wait for the address, not for the first page's load.
        page.goto(f"{base}paper-search.html?q=alpha", wait_until="commit")
        page.wait_for_url("**/search.html?q=alpha")
        page.close()
