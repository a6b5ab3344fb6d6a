"""The Atom feeds: the site's and one per tag, read by feedparser and validated by jing
against RFC 4287's RELAX NG schema (``tests/data/atom.rnc``).

``tests/roots/test-dates`` (see ``test_dates``): newest commentary first is A, B, C;
D is a draft. Every build is a real ``sphinx-build`` with ``-W``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from helpers import REPO, copy_root, sphinx_build

from mlcommentary.data.settings import DEFAULTS

LENGTH = DEFAULTS["arxiv_feed_length"]

SCHEMA = REPO / "tests" / "data" / "atom.rnc"
BASE = "https://example.org/site/"
ATOM = "application/atom+xml"


def _built(srcdir: Path, outdir: Path, builder: str = "html") -> Path:
    result = sphinx_build(srcdir, outdir, builder=builder)
    assert result.returncode == 0, result.stderr
    return outdir


def _feed(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> Path:
    """Built as ``make html`` builds it: no base URL."""
    root = tmp_path_factory.mktemp("local")
    return _built(copy_root("dates", root), root / "html")


@pytest.fixture(scope="module")
def hosted(tmp_path_factory) -> Path:
    """Built as Read the Docs builds it: with the site's address."""
    root = tmp_path_factory.mktemp("hosted")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEST_BASEURL", BASE)
        return _built(copy_root("dates", root), root / "html")


def test_site_feed_entries(hosted: Path) -> None:
    feed = _feed(hosted / "atom.xml")
    assert feed.feed.title == "Dates test"
    assert [entry.title for entry in feed.entries] == [
        "Synthetic Paper A", "Synthetic Paper B", "Synthetic Paper C"]
    a, b, c = feed.entries
    assert a.link == BASE + "papers/a.html" and a.id == a.link
    assert a.published == "2031-01-20T00:00:00+00:00"
    assert a.updated == "2031-02-01T00:00:00+00:00"
    assert [author.name for author in a.authors] == ["Jane Roe", "John Doe"]
    assert [tag.term for tag in a.tags] == ["scaling", "vision"]
    # The first paragraph, its paper reference by title and its math as Unicode.
    assert a.summary == "Paper A improves on Synthetic Paper B with μP."
    assert [author.name for author in b.authors] == ["Solo Writer"]
    # Undated: no published date; updated is its paper's date, as the indexes sort it.
    assert "published" not in c and c.updated == "2030-12-20T00:00:00+00:00"
    assert feed.feed.updated == "2031-02-01T00:00:00+00:00"


def test_tag_feeds(hosted: Path) -> None:
    assert [e.title for e in _feed(hosted / "tags" / "scaling.xml").entries] == [
        "Synthetic Paper A", "Synthetic Paper B", "Synthetic Paper C"]
    vision = _feed(hosted / "tags" / "vision.xml")
    assert vision.feed.title == "Dates test: vision"
    assert [e.title for e in vision.entries] == ["Synthetic Paper A"]
    # The draft's own tag has no page, so no feed.
    assert not (hosted / "tags" / "unfinished.xml").exists()


def test_every_page_advertises_the_site_feed(hosted: Path) -> None:
    for name in ("index", "papers/a", "papers/d", "tags/index", "search"):
        page = BeautifulSoup((hosted / f"{name}.html").read_text(encoding="utf-8"),
                             "html.parser")
        feeds = [link["href"] for link in page.find_all("link", rel="alternate", type=ATOM)]
        assert feeds == ["../atom.xml" if "/" in name else "atom.xml"], name
    tag_page = BeautifulSoup((hosted / "tags" / "vision.html").read_text(encoding="utf-8"),
                             "html.parser")
    assert [link["href"] for link in tag_page.find_all("link", type=ATOM)] == [
        "../atom.xml", "vision.xml"]


@pytest.mark.skipif(shutil.which("jing") is None,
                    reason="needs jing (Debian package jing) to validate against RELAX NG")
@pytest.mark.parametrize("which", ["local", "hosted"])
def test_feeds_are_valid_atom(request, which: str) -> None:  # noqa: ANN001
    outdir = request.getfixturevalue(which)
    feeds = [outdir / "atom.xml", *sorted((outdir / "tags").glob("*.xml"))]
    assert len(feeds) == 3
    result = subprocess.run(["jing", "-c", str(SCHEMA), *map(str, feeds)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_schema_rejects_what_is_not_atom(tmp_path: Path) -> None:
    """The validation can fail: a feed with no id and a bare date is not Atom."""
    if shutil.which("jing") is None:
        pytest.skip("needs jing (Debian package jing) to validate against RELAX NG")
    wrong = tmp_path / "wrong.xml"
    wrong.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                     "<updated>2031-01-01</updated></feed>", encoding="utf-8")
    result = subprocess.run(["jing", "-c", str(SCHEMA), str(wrong)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0


def test_without_a_base_url_links_are_relative_to_the_feed(local: Path) -> None:
    """``make html`` has no address and builds with -W: the feeds are written, with
    links a reader resolves against the feed's own address, and no warning."""
    site = _feed(local / "atom.xml")
    assert site.entries[0].link == "papers/a.html"
    assert site.entries[0].id.startswith("urn:uuid:")
    tagged = _feed(local / "tags" / "scaling.xml")
    assert tagged.entries[0].link == "../papers/a.html"
    assert tagged.entries[0].id == site.entries[0].id
    # feedparser resolves them against where it read the feed from.
    online = feedparser.parse((local / "tags" / "scaling.xml").read_bytes(),
                              response_headers={"content-location": BASE + "tags/scaling.xml"})
    assert online.entries[0].link == BASE + "papers/a.html"


def test_feeds_are_written_only_when_they_change(tmp_path: Path) -> None:
    srcdir = copy_root("dates", tmp_path)
    outdir = _built(srcdir, tmp_path / "html")
    feeds = [outdir / "atom.xml", outdir / "tags" / "scaling.xml", outdir / "tags" / "vision.xml"]
    before = [feed.stat().st_mtime_ns for feed in feeds]
    _built(srcdir, outdir)
    assert [feed.stat().st_mtime_ns for feed in feeds] == before
    page = srcdir / "papers" / "b.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2031-01-05", "2031-06-01"),
                    encoding="utf-8")
    _built(srcdir, outdir)
    assert [e.title for e in _feed(outdir / "atom.xml").entries][0] == "Synthetic Paper B"
    # vision's feed does not have B: unchanged.
    assert (outdir / "tags" / "vision.xml").stat().st_mtime_ns == before[2]


def test_directory_builder_links(tmp_path: Path) -> None:
    outdir = _built(copy_root("dates", tmp_path), tmp_path / "dirhtml", builder="dirhtml")
    assert _feed(outdir / "tags" / "scaling.xml").entries[0].link == "../papers/a/"


@pytest.mark.parametrize("builder", ["singlehtml", "epub"])
def test_no_feed_where_there_is_no_site(tmp_path: Path, builder: str) -> None:
    outdir = _built(copy_root("dates", tmp_path), tmp_path / builder, builder=builder)
    assert not (outdir / "atom.xml").exists()


def test_a_feed_holds_the_newest(tmp_path: Path) -> None:
    """Past ``LENGTH`` commentaries, a feed keeps the newest: the benchmark's site of 55,
    dated one day apart."""
    srcdir = tmp_path / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "sites.py"), str(srcdir), "55"],
                   check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO / "_ext")})
    pages = sorted((srcdir / "papers").glob("*.md"))
    for day, page in enumerate(pages, start=1):
        page.write_text(f"---\ndate: {_day(day)}\n---\n" + page.read_text(encoding="utf-8"),
                        encoding="utf-8")
    entries = _feed(_built(srcdir, tmp_path / "html") / "atom.xml").entries
    assert len(entries) == LENGTH
    assert [entry.published[:10] for entry in entries] == [
        _day(day) for day in range(len(pages), len(pages) - LENGTH, -1)]


def test_feed_length_is_a_setting(tmp_path: Path) -> None:
    srcdir = copy_root("dates", tmp_path)
    result = sphinx_build(srcdir, tmp_path / "html", "-D", "arxiv_feed_length=2")
    assert result.returncode == 0, result.stderr
    assert [e.title for e in _feed(tmp_path / "html" / "atom.xml").entries] == [
        "Synthetic Paper A", "Synthetic Paper B"]
    for value in ("0", "-3"):
        result = sphinx_build(srcdir, tmp_path / f"bad{value}", "-D", f"arxiv_feed_length={value}")
        assert result.returncode != 0
        assert (f"arxiv_feed_length must be a whole number of entries, 1 or more, not {value}"
                in result.stderr), result.stderr
    (srcdir / "conf.py").write_text((srcdir / "conf.py").read_text()
                                    + 'arxiv_feed_length = "ten"\n')
    result = sphinx_build(srcdir, tmp_path / "text")
    assert "arxiv_feed_length must be a whole number of entries, 1 or more, not 'ten'" in (
        result.stderr), result.stderr


def test_feeds_are_named_as_the_site(tmp_path: Path) -> None:
    """By ``html_title``, as every page's <title> names the site, not by ``project``."""
    outdir = tmp_path / "html"
    result = sphinx_build(copy_root("dates", tmp_path), outdir, "-D", "html_title=Dated Notes")
    assert result.returncode == 0, result.stderr
    assert _feed(outdir / "atom.xml").feed.title == "Dated Notes"
    assert _feed(outdir / "tags" / "vision.xml").feed.title == "Dated Notes: vision"
    head = BeautifulSoup((outdir / "tags" / "vision.html").read_text(), "html.parser").head
    assert [link["title"] for link in head.find_all("link", type=ATOM)] == [
        "Dated Notes", "Dated Notes: vision"]


def _day(n: int) -> str:
    return (date(2031, 1, 1) + timedelta(days=n)).isoformat()


def test_a_parallel_build_writes_the_same_feeds(local: Path, tmp_path: Path) -> None:
    """Front matter is read in the worker processes and merged into the main one."""
    result = sphinx_build(copy_root("dates", tmp_path), tmp_path / "html", "-j", "2")
    assert result.returncode == 0, result.stderr
    for feed in ("atom.xml", "tags/scaling.xml", "tags/vision.xml"):
        assert (tmp_path / "html" / feed).read_bytes() == (local / feed).read_bytes()


def test_feeds_are_linked_where_readers_see_them(local: Path, built_site) -> None:  # noqa: ANN001
    """Not only in <head>: on the home page (the site's feed) and on each tag's page."""
    site = Path(built_site[0].outdir)
    pages = [(site / "index.html", "atom.xml")] + [
        (page, page.with_suffix(".xml").name) for page in (local / "tags").glob("*.html")
        if page.name != "index.html"]
    assert len(pages) == 3
    for page, feed in pages:
        body = BeautifulSoup(page.read_text(), "html.parser").select_one("[role=main]")
        links = [a["href"] for a in body.select("a.paper-feed")]
        assert links == [feed], page
        _feed(page.parent / feed)
