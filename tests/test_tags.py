"""Tags and years: one page per tag and per year, real pages of the site (issue 8)."""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup
from helpers import ROOTS, build, copy_root, search_index, sphinx_build, warnings, written


def page(outdir, docname: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{docname}.html").read_text(), "html.parser")


def entries(outdir, docname: str) -> list[str]:
    """A page's paper index, one line of text per commentary."""
    return [" ".join(li.get_text().split()) for li in
            page(outdir, docname).select("article ul.paper-index > li")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The test root built once by sphinx-build, with -W."""
    outdir = tmp_path_factory.mktemp("tags") / "html"
    result = sphinx_build(ROOTS / "test-tags", outdir)
    assert result.returncode == 0, result.stderr
    return outdir


def test_a_tag_page_lists_its_commentaries_newest_first_as_the_index_does(site):
    assert entries(site, "tags/scaling") == [
        "Synthetic Paper C — Ada Example (2030) scaling",
        "Synthetic Paper B — Ada Example (2030) scaling transfer learning",
        "Synthetic Paper A — Ada Example (2030) scaling vision",
    ]
    # The same entries as the site's own paper-index, in its order.
    assert entries(site, "tags/scaling") == [e for e in entries(site, "index") if "scaling" in e]
    assert page(site, "tags/transfer-learning").h1.get_text().rstrip("¶#") == \
        "transfer learning"
    # Other tags link to their pages; this page's tag does not link to itself.
    links = page(site, "tags/scaling").select("article a.paper-tag-link")
    assert sorted({a["href"] for a in links}) == ["transfer-learning.html", "vision.html"]


def test_the_year_page_lists_every_commentary_of_that_year(site):
    assert [e.split(" —")[0] for e in entries(site, "years/2030")] == [
        "Synthetic Paper C", "Synthetic Paper B", "Synthetic Paper D", "Synthetic Paper A"]
    assert not page(site, "years/2030").select("article ul.paper-index a[href*='2030']")
    years = page(site, "years/index").select("article ul.paper-pages > li")
    assert [" ".join(li.get_text().split()) for li in years] == ["2030 — 4 commentaries"]


def test_the_tags_page_lists_every_tag_with_its_count(site):
    tags = page(site, "tags/index").select("article ul.paper-pages > li")
    assert [(" ".join(li.get_text().split()), li.a["href"]) for li in tags] == [
        ("scaling — 3 commentaries", "scaling.html"),
        ("transfer learning — 1 commentary", "transfer-learning.html"),
        ("vision — 1 commentary", "vision.html"),
    ]


def test_every_tag_on_a_card_and_in_an_index_links_to_its_page(site):
    card = page(site, "papers/b").select_one(".paper-card")
    assert [(a.get_text(), a["href"]) for a in card.select("a:has(> .paper-tag)")] == [
        ("scaling", "../tags/scaling.html"),
        ("transfer learning", "../tags/transfer-learning.html"),
    ]
    index = page(site, "index").select("article ul.paper-index a:has(> .paper-tag)")
    assert {a["href"] for a in index} == {
        "tags/scaling.html", "tags/transfer-learning.html", "tags/vision.html"}
    # Each entry's year links to the year's page.
    assert page(site, "index").select_one("ul.paper-index a[href='years/2030.html']")


def test_the_pages_are_in_search_and_in_the_sidebar(site):
    index = search_index(site)
    titles = dict(zip(index["docnames"], index["titles"], strict=True))
    assert {d: titles.get(d) for d in ["tags/index", "tags/scaling", "years/2030"]} == {
        "tags/index": "Tags", "tags/scaling": "scaling", "years/2030": "2030"}
    # A tag page is found by its name; the papers it lists, on their own pages only,
    # not on every page that lists them.
    assert "tags/scaling" in [index["docnames"][i]
                              for i in _pages_with(index, "scale", "titleterms")]
    assert sorted(index["docnames"][i] for i in _pages_with(index, "synthet")) == [
        "papers/a", "papers/b", "papers/c", "papers/d"]
    sidebar = page(site, "papers/a").select_one(".sidebar-tree")
    assert {a["href"] for a in sidebar.select("a")} >= {
        "../tags/index.html", "../tags/scaling.html", "../years/index.html",
        "../years/2030.html"}
    # furo's navigation on the tag page itself, marking where the reader is.
    current = page(site, "tags/scaling").select_one(".sidebar-tree li.current-page > a")
    assert current.get_text() == "scaling"


def _pages_with(index: dict, stem: str, terms: str = "terms") -> list[int]:
    found = index[terms].get(stem, [])
    return [found] if isinstance(found, int) else found


def test_parallel_build_writes_the_same_pages(site, tmp_path):
    parallel = tmp_path / "html"
    result = sphinx_build(ROOTS / "test-tags", parallel, "-j", "2")
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(site) for p in site.rglob("*")
                   if p.suffix in (".html", ".js") and p.is_file())
    assert "tags/scaling.html" in map(str, files)
    for path in files:
        assert (parallel / path).read_text() == (site / path).read_text(), path


def test_a_tag_change_rewrites_that_commentary_and_the_affected_pages(make_app, tmp_path):
    srcdir = copy_root("tags", tmp_path)
    build(make_app, srcdir)
    b = srcdir / "papers" / "b.md"
    b.write_text(b.read_text().replace("scaling, transfer learning", "scaling, robustness"))
    app = build(make_app, srcdir)
    assert warnings(app) == []
    # A tag's page came and another went, in the sidebar of every page: all are
    # written again, as a clean build would write them; transfer learning's is gone.
    assert written(app) == sorted(app.env.found_docs)
    assert "tags/transfer-learning" not in app.env.found_docs
    assert "tags/transfer-learning" not in search_index(app.outdir)["docnames"]
    assert "transfer-learning" not in (app.outdir / "tags" / "index.html").read_text()
    assert entries(app.outdir, "tags/robustness") == [
        "Synthetic Paper B — Ada Example (2030) scaling robustness"]


def test_a_prose_edit_rewrites_no_generated_page(make_app, tmp_path):
    srcdir = copy_root("tags", tmp_path)
    build(make_app, srcdir)
    a = srcdir / "papers" / "a.md"
    a.write_text(a.read_text() + "\nMore prose.\n")
    assert written(build(make_app, srcdir)) == ["papers/a"]


def _variant(tmp_path, edits: dict[str, tuple[str, str]]):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-tags", srcdir)
    for name, (old, new) in edits.items():
        path = srcdir / name
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    return srcdir


def _warnings(result, subtype: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.endswith(f"[paper.{subtype}]")]


def test_spellings_of_one_tag_make_one_page_and_one_warning_each(tmp_path):
    srcdir = _variant(tmp_path, {
        "papers/a.md": (":tags: scaling, vision", ":tags: Scaling, vision"),
        "papers/c.md": (":tags: scaling", ":tags: scaling, Transfer-Learning"),
    })
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode != 0  # -W
    found = _warnings(result, "tag")
    assert len(found) == 2, result.stderr
    # Most commentaries write "scaling"; the tie goes to the spelling that sorts first.
    scaling = next(w for w in found if "'Scaling'" in w)
    # At the :tags: lines, not the directives'.
    assert re.search(r"papers/a\.md:4: WARNING: tag 'Scaling' at papers/a\.md:4 and tag "
                     r"'scaling' at papers/[bc]\.md:4 are one tag, shown as 'scaling': "
                     r"write it the same way on both pages", scaling)
    transfer = next(w for w in found if "'transfer learning'" in w)
    assert re.search(r"papers/b\.md:4: WARNING: tag 'transfer learning' at papers/b\.md:4 "
                     r"and tag 'Transfer-Learning' at papers/c\.md:4", transfer)
    assert entries(outdir, "tags/scaling")[2] == \
        "Synthetic Paper A — Ada Example (2030) scaling vision"
    assert [e.split(" —")[0] for e in entries(outdir, "tags/transfer-learning")] == [
        "Synthetic Paper C", "Synthetic Paper B"]
    assert not (outdir / "tags" / "Scaling.html").exists()


def test_another_builds_generated_pages_in_the_source_folder_are_not_read(tmp_path):
    """A build into the source folder (``mlcommentary refresh``'s default, _build, in a
    project that builds elsewhere) leaves its generated pages' sources there: the
    project's own build reads none of them as the author's."""
    srcdir = copy_root("tags", tmp_path)
    inside = sphinx_build(srcdir, srcdir / "_build" / "html")
    assert inside.returncode == 0, inside.stderr
    assert list(srcdir.rglob("mlcommentary-pages/tags/*.rst"))
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    assert not (outdir / "_build").exists()
    assert (outdir / "tags" / "scaling.html").exists()


def test_a_tag_of_wide_characters_gets_its_page_without_a_warning(tmp_path):
    """A CJK character or an emoji takes two columns: the generated page's title
    underline is as wide, or docutils warns in a file the author never wrote."""
    srcdir = _variant(tmp_path, {"papers/a.md": (
        ":tags: scaling, vision", ":tags: scaling, vision, 強化学習 🚀")})
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    [page] = [path for path in (outdir / "tags").glob("*.html")
              if "<h1>強化学習 🚀" in path.read_text()]
    assert "Synthetic Paper A" in page.read_text()


def test_two_spellings_on_one_page_are_told_as_one_page(tmp_path):
    """Both spellings in one :tags: line (a page's own slip): the warning is at that
    line and speaks of one page; options before :tags: move it down."""
    srcdir = _variant(tmp_path, {"papers/a.md": (
        ":tags: scaling, vision", ":related: 3012.00102\n:tags: Vision, scaling, vision")})
    result = sphinx_build(srcdir, tmp_path / "html")
    assert result.returncode != 0  # -W
    [found] = _warnings(result, "tag")
    # No other page has the tag: the tie goes to the spelling that sorts first.
    assert re.search(r"papers/a\.md:5: WARNING: tag 'vision' at papers/a\.md:5 and tag "
                     r"'Vision' at papers/a\.md:5 are one tag, shown as 'Vision': write it "
                     r"the same way each time", found), found


def test_an_index_naming_an_unknown_tag_warns_with_the_tags_that_exist(tmp_path):
    srcdir = _variant(tmp_path, {"index.md": (
        "```{paper-index}\n```",
        "```{paper-index}\n:tags: Scaling, robotics\n```\n\n```{paper-index}\n:tags: robotic\n```",
    )})
    result = sphinx_build(srcdir, tmp_path / "html", strict=False)
    [unknown] = _warnings(result, "unknown_tag")
    assert "index.md:3: WARNING: paper-index names tags no commentary has: robotics; the " \
           "tags that exist: scaling, transfer learning, vision" in unknown
    [empty] = _warnings(result, "empty_index")
    assert "lists no commentaries tagged robotic; the tags that exist: scaling, " \
           "transfer learning, vision" in empty
    # The known tag still lists its commentaries, spelt any way.
    assert len(entries(tmp_path / "html", "index")) == 3


def test_tags_that_differ_by_a_symbol_are_different_tags(tmp_path):
    """C, C++ and C# are three languages, A* a search algorithm: the symbols that name
    them are kept (spelt out, as a page's name cannot hold "#"), not dropped as the
    separators between words are."""
    srcdir = _variant(tmp_path, {
        "papers/a.md": (":tags: scaling, vision", ":tags: C, A* search"),
        "papers/b.md": (":tags: scaling, transfer learning", ":tags: C++, A search"),
        "papers/c.md": (":tags: scaling", ":tags: C#"),
    })
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    pages = {path.stem: next(page(outdir, f"tags/{path.stem}").h1.stripped_strings)
             for path in (outdir / "tags").glob("*.html") if path.stem != "index"}
    assert pages == {"c": "C", "c-plus-plus": "C++", "c-sharp": "C#",
                     "a-star-search": "A* search", "a-search": "A search"}
    assert [e.split(" —")[0] for e in entries(outdir, "tags/c-plus-plus")] == [
        "Synthetic Paper B"]
