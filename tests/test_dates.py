"""A commentary's date, authors and draft status, from its front matter.

``tests/roots/test-dates``: A (dated 20 Jan 2031, updated, two authors), B (5 Jan
2031, one author as a string), C (no front matter: dated by its paper, 20 Dec 2030)
and D (a draft of 1 Mar 2031). By paper date the order is C, B, A; by commentary
date A, B, C. Every build is a real ``sphinx-build`` with ``-W``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import copy_root, sphinx_build

from mlcommentary.sphinx_ext import byline

BYLINE_A = "Commentary by Jane Roe and John Doe, 20 Jan 2031; updated 1 Feb 2031."
BYLINE_B = "Commentary by Solo Writer, 5 Jan 2031."


def _built(srcdir: Path, outdir: Path, *options: str, builder: str = "html",
           **environ: str) -> Path:
    result = sphinx_build(srcdir, outdir, *options, builder=builder, **environ)
    assert result.returncode == 0, result.stderr
    return outdir


def _page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def _warnings(result) -> list[str]:  # noqa: ANN001
    """The warnings of a ``-W --keep-going`` build that went on to its end: it wrote
    every page, as a build without ``-W`` would, and failed (1, not a crash's 2)."""
    assert result.returncode == 1, result.stderr
    return [line for line in result.stderr.splitlines() if "WARNING" in line]


def _index_titles(index) -> list[str]:  # noqa: ANN001
    return [item.find("a").get_text() for item in index.find_all("li")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Built once, with an address, and so a sitemap."""
    root = tmp_path_factory.mktemp("dates")
    return _built(copy_root("dates", root), root / "html",
                  TEST_BASEURL="https://example.org/site/")


def test_byline_under_the_card(site: Path) -> None:
    for name, expected in (("a", BYLINE_A), ("b", BYLINE_B)):
        card = _page(site, f"papers/{name}").find("div", class_="paper-card")
        shown = card.find_next_sibling("p")
        assert shown["class"] == ["paper-byline"] and shown.get_text() == expected
    # Undated and anonymous: nothing is shown, and nothing is said about it.
    assert _page(site, "papers/c").find(class_="paper-byline") is None


@pytest.mark.parametrize("builder", ["text", "latex"])
def test_byline_in_other_builders(tmp_path: Path, builder: str) -> None:
    outdir = _built(copy_root("dates", tmp_path), tmp_path / builder, builder=builder)
    text = (outdir / "papers" / "a.txt").read_text(encoding="utf-8") if builder == "text" \
        else next(outdir.glob("*.tex")).read_text(encoding="utf-8")
    # Plain text is wrapped.
    assert BYLINE_A in " ".join(text.split())


def test_a_restructuredtext_page_states_them_in_its_first_fields(tmp_path: Path) -> None:
    """The same keys, as the field list that opens the page (Sphinx's file-wide
    metadata): authors split at semicolons, a draft by ``true``."""
    srcdir = copy_root("dates", tmp_path)
    (srcdir / "papers" / "a.md").unlink()
    (srcdir / "papers" / "a.rst").write_text(
        ":date: 2031-01-20\n:updated: 2031-02-01\n:authors: Jane Roe; John Doe\n\n"
        "Paper A\n=======\n\n.. paper:: 3012.00101\n   :tags: scaling, vision\n\n"
        "Paper A improves on :paper:`3012.00102`.\n")
    (srcdir / "papers" / "d.md").unlink()
    (srcdir / "papers" / "d.rst").write_text(
        ":date: 2031-03-01\n:authors: Drafty Writer\n:draft: true\n\nPaper D\n=======\n\n"
        ".. paper:: 3012.00104\n   :tags: scaling, unfinished\n")
    outdir = _built(srcdir, tmp_path / "html")
    card = _page(outdir, "papers/a").find("div", class_="paper-card")
    assert card.find_next_sibling("p").get_text() == BYLINE_A
    # The fields are the byline's, not text of the page.
    assert "Jane Roe; John Doe" not in _page(outdir, "papers/a").get_text()
    assert _page(outdir, "papers/d").find("p", class_="paper-draft") is not None
    assert not (outdir / "tags" / "unfinished.html").exists()
    (srcdir / "papers" / "a.rst").write_text(
        (srcdir / "papers" / "a.rst").read_text().replace("2031-02-01", "1 Feb 2031"))
    [warning] = _warnings(sphinx_build(srcdir, tmp_path / "html"))
    assert "papers/a.rst:2: WARNING: updated '1 Feb 2031' is not a date" in warning


@pytest.mark.parametrize("written", ["Jane Roe; John Doe;", "Jane Roe, John Doe",
                                     "Jane Roe;\n   John Doe"])
def test_restructuredtext_authors_are_split_as_docutils_splits_them(written: str) -> None:
    text = f":date: 2031-01-20\n:authors: {written}\n\nPaper A\n=======\n"
    assert byline.read_byline(text, restructuredtext=True) == (
        byline.Byline("2031-01-20", None, ("Jane Roe", "John Doe")), [])


def test_indexes_sort_by_either_date_and_limit(site: Path) -> None:
    latest, full = _page(site, "index").find_all("ul", class_="paper-index")
    assert _index_titles(latest) == ["Synthetic Paper A", "Synthetic Paper B"]
    # Listed by when they were written, they say when; by the paper's date, they need not.
    assert "(2030); commentary of 20 Jan 2031 scaling" in latest.find("li").get_text()
    assert "commentary of" not in full.get_text()
    assert _index_titles(full) == ["Synthetic Paper C", "Synthetic Paper B",
                                   "Synthetic Paper A"]


def test_a_draft_is_marked_and_listed_nowhere(site: Path) -> None:
    draft = _page(site, "papers/d")
    assert draft.find("div", class_="paper-card") is not None
    mark = draft.find("p", class_="paper-draft")
    assert mark is not None and mark.get_text().startswith("Draft")
    for index in _page(site, "index").find_all("ul", class_="paper-index"):
        assert "Synthetic Paper D" not in _index_titles(index)
    assert "Synthetic Paper D" not in _index_titles(
        _page(site, "tags/scaling").find("ul", class_="paper-index"))
    # A tag only a draft has gets no page.
    assert not (site / "tags" / "unfinished.html").exists()
    assert "unfinished" not in _page(site, "tags/index").get_text()


def test_a_draft_is_not_in_the_sitemap(site: Path) -> None:
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    links = [loc.text for loc in ElementTree.parse(site / "sitemap.xml").iterfind(
        "s:url/s:loc", namespace)]
    assert "https://example.org/site/papers/a.html" in links
    assert "https://example.org/site/papers/d.html" not in links


def test_front_matter_changes_rewrite_the_pages_that_list(tmp_path: Path) -> None:
    """Pages that list a commentary are rewritten when its front matter changes, though
    they did not: a tag's page is no toctree parent that Sphinx would rewrite anyway."""
    srcdir = copy_root("dates", tmp_path)
    outdir = _built(srcdir, tmp_path / "html")
    page = srcdir / "papers" / "c.md"
    page.write_text("---\ndate: 2031-05-01\ndraft: true\n---\n"
                    + page.read_text(encoding="utf-8"), encoding="utf-8")
    _built(srcdir, outdir)
    assert _index_titles(_page(outdir, "tags/scaling").find("ul", class_="paper-index")) \
        == ["Synthetic Paper B", "Synthetic Paper A"]
    page.write_text(page.read_text(encoding="utf-8").replace("draft: true\n", ""),
                    encoding="utf-8")
    _built(srcdir, outdir)
    latest, _full = _page(outdir, "index").find_all("ul", class_="paper-index")
    assert _index_titles(latest) == ["Synthetic Paper C", "Synthetic Paper A"]


@pytest.mark.parametrize("written", ["28 November 2031", "2031-13-45", "[2031]"])
def test_a_malformed_date_is_a_located_warning(tmp_path: Path, written: str) -> None:
    srcdir = copy_root("dates", tmp_path)
    page = srcdir / "papers" / "b.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2031-01-05", written),
                    encoding="utf-8")
    result = sphinx_build(srcdir, tmp_path / "html")
    # MyST's too, where YAML cannot read the date (month 13).
    assert any(warning.startswith(f"{page}:2: WARNING: date")
               and warning.endswith("[paper.date]") for warning in _warnings(result)), \
        result.stderr
    shown = _page(tmp_path / "html", "papers/b").find(class_="paper-byline")
    assert shown.get_text() == "Commentary by Solo Writer."


def test_an_author_without_a_name_is_a_located_warning(tmp_path: Path) -> None:
    srcdir = copy_root("dates", tmp_path)
    page = srcdir / "papers" / "a.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "  - name: John Doe\n", "  - affiliation: Nowhere\n"), encoding="utf-8")
    result = sphinx_build(srcdir, tmp_path / "html", strict=False)
    assert result.returncode == 0, result.stderr
    assert f"{page}:6: WARNING: author" in result.stderr and "[paper.authors]" in result.stderr
    shown = _page(tmp_path / "html", "papers/a").find(class_="paper-byline")
    assert shown.get_text().startswith("Commentary by Jane Roe, 20 Jan 2031")


def test_an_update_before_the_date_is_a_located_warning(tmp_path: Path) -> None:
    """Updated 10 Jan, written 20 Jan: a slip in one of them. The date orders the site,
    so it stays, and the update is left out, on the page and in the feed."""
    srcdir = copy_root("dates", tmp_path)
    page = srcdir / "papers" / "a.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2031-02-01", "2031-01-10"),
                    encoding="utf-8")
    result = sphinx_build(srcdir, tmp_path / "html")
    [warning] = _warnings(result)
    assert warning.startswith(
        f"{page}:3: WARNING: updated 2031-01-10 is earlier than date 2031-01-20")
    assert warning.endswith("[paper.date]")
    shown = _page(tmp_path / "html", "papers/a").find(class_="paper-byline")
    assert shown.get_text() == "Commentary by Jane Roe and John Doe, 20 Jan 2031."
    feed = feedparser.parse((tmp_path / "html" / "atom.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Synthetic Paper A")
    assert entry.updated.startswith("2031-01-20")


def test_an_impossible_date_is_not_the_description(tmp_path: Path,
                                                   monkeypatch) -> None:  # noqa: ANN001
    """30 Feb makes the front matter YAML that MyST cannot load: MyST says so, and its
    message must not become what the page, its Open Graph card and feed say of it."""
    monkeypatch.setenv("TEST_BASEURL", "https://example.org/site/")
    srcdir = copy_root("dates", tmp_path)
    page = srcdir / "papers" / "b.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2031-01-05", "2031-02-30"),
                    encoding="utf-8")
    warnings = _warnings(sphinx_build(srcdir, tmp_path / "html"))
    assert any(warning.startswith(f"{page}:2: WARNING: date '2031-02-30' is not a date")
               for warning in warnings), warnings
    html = _page(tmp_path / "html", "papers/b")
    said = "A commentary on the second paper."
    assert html.find("meta", attrs={"name": "description"})["content"] == said
    assert html.find("meta", property="og:description")["content"] == said
    feed = feedparser.parse((tmp_path / "html" / "atom.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Synthetic Paper B")
    assert entry.summary == said
    assert "Malformed" not in (tmp_path / "html" / "papers" / "b.html").read_text(
        encoding="utf-8")


#: Front matter with a control character (pasted from a PDF), which YAML cannot read.
REFUSED_BY_YAML = "---\ndate: 2031-01-05\nauthors: Solo \x07Writer\n---\n# B\n"


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_front_matter_yaml_refuses_gives_no_byline(loader: str, monkeypatch) -> None:  # noqa: ANN001
    """Whichever parser PyYAML has: no byline, and nothing raised."""
    monkeypatch.setattr(byline, "_LOADER", getattr(yaml, loader))
    assert byline.read_byline(REFUSED_BY_YAML) == (byline.Byline(), [])


def test_front_matter_yaml_refuses_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    """MyST says so at the page, and the build goes on."""
    srcdir = copy_root("dates", tmp_path)
    (srcdir / "papers" / "b.md").write_text(
        (srcdir / "papers" / "b.md").read_text(encoding="utf-8").replace(
            "Solo Writer", "Solo \x07Writer"), encoding="utf-8")
    result = sphinx_build(srcdir, tmp_path / "html", strict=False)
    assert result.returncode == 0, result.stderr
    assert "Malformed YAML [myst.topmatter]" in result.stderr
    assert "Traceback" not in result.stderr and "open an issue" not in result.stderr
