"""A draft is seen on its own page and nowhere a reader can reach from another.

``tests/roots/test-dates``, where D (``papers/d.md``, on 3012.00104) is a draft; here D
also names A's paper and a word no other page has, and A names D's paper. Each
channel is read from the real output of a real ``sphinx-build`` with ``-W``; then D
is published and the same build, incremental, must show it everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import copy_root, epubcheck_messages, search_index, sphinx_build
from sphinx.util.inventory import InventoryFile

#: A word only the draft has.
WORD = "quokkas"


def _build(srcdir: Path, outdir: Path, *options: str, builder: str = "html") -> Path:
    result = sphinx_build(srcdir, outdir, *options, builder=builder)
    assert result.returncode == 0, result.stderr
    return outdir


def _page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def _discussed_in(outdir: Path, name: str) -> list[str]:
    """The pages the card of ``name`` lists under "Discussed in", by address."""
    card = _page(outdir, name).find("div", class_="paper-card")
    label = card.find(string="Discussed in")
    if label is None:
        return []
    return [a["href"] for a in label.find_parent("dt").find_next_sibling("dd").find_all("a")]


def _link_to(outdir: Path, name: str, arxiv_id: str) -> str:
    """Where page ``name``'s prose link to paper ``arxiv_id`` leads."""
    links = [a["href"] for a in _page(outdir, name).select("a.paper-ref")
             if a.get("title", "").startswith(f"arXiv:{arxiv_id}")]
    assert links, f"no link to {arxiv_id} on {name}"
    return links[-1]


def _search_terms(outdir: Path) -> str:
    """What Sphinx's search page loads to search: its index and the entries it adds."""
    return "".join(path.read_text(encoding="utf-8") for path in (
        outdir / "searchindex.js", outdir / "_static" / "search-entries-data.js"))


def _inventory(outdir: Path) -> set[str]:
    with open(outdir / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {name for objects in inventory.values() for name in objects}


def _site(tmp_path: Path) -> tuple[Path, Path]:
    srcdir = copy_root("dates", tmp_path)
    draft = srcdir / "papers" / "d.md"
    draft.write_text(draft.read_text(encoding="utf-8") + (
        f"\nIt builds on {{paper}}`3012.00101`, with {WORD}.\n"), encoding="utf-8")
    page = srcdir / "papers" / "a.md"
    page.write_text(page.read_text(encoding="utf-8") + (
        "\nThe fourth paper is {paper}`3012.00104`.\n"), encoding="utf-8")
    return srcdir, _build(srcdir, tmp_path / "html")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The site with the draft, built once for the tests that only read it."""
    return _site(tmp_path_factory.mktemp("drafts"))


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """The same, for a test that changes it."""
    return _site(tmp_path)


def test_its_own_page_shows_it(built: tuple[Path, Path]) -> None:
    _srcdir, outdir = built
    draft = _page(outdir, "papers/d")
    assert draft.find("div", class_="paper-card") is not None
    assert draft.find("p", class_="paper-draft") is not None
    assert _link_to(outdir, "papers/d", "3012.00101") == "a.html#paper-3012-00101"


def _links_to(outdir: Path, name: str, href: str) -> list:
    """Links and ``<link>`` elements on page ``name`` to ``href``, its theme's sidebar
    (alabaster's, Sphinx's whole-site toctree) included."""
    return _page(outdir, name).find_all(["a", "link"], href=href)


def test_not_in_toctrees(built: tuple[Path, Path]) -> None:
    """The home page's toctree (not hidden here), the theme's sidebar on every page,
    and the previous and next links of the pages beside it in the toctree's order."""
    assert _links_to(built[1], "index", "papers/d.html") == []
    assert _links_to(built[1], "papers/c", "d.html") == []
    assert _page(built[1], "papers/c").find("link", rel="next")["href"] == "../tags/index.html"
    assert _links_to(built[1], "papers/a", "d.html") == []
    assert _links_to(built[1], "papers/a", "c.html") != []


def test_not_in_discussed_in(built: tuple[Path, Path]) -> None:
    """Published cards do not say that the draft discusses their paper."""
    assert _discussed_in(built[1], "papers/a") == []


def test_not_linked_from_other_pages(built: tuple[Path, Path]) -> None:
    """A published page's link to the draft's paper goes to arXiv, as with no
    commentary."""
    assert _link_to(built[1], "papers/a", "3012.00104") == "https://arxiv.org/abs/3012.00104"


def test_not_in_the_search_index(built: tuple[Path, Path]) -> None:
    """Neither its text nor its paper's card: its paper's ID leads to where a published
    page mentions it, as for a paper without a commentary."""
    terms = _search_terms(built[1])
    assert WORD[:-1] not in terms and "paper d" not in terms.lower()
    index = search_index(built[1])
    places = {(index["docnames"][doc], anchor)
              for entry, found in index["indexentries"].items()
              if entry.startswith("arxiv:3012.00104") for doc, anchor, _main in found}
    assert places == {("papers/a", "mention-paper-3012-00104")}


def test_not_in_objects_inv(built: tuple[Path, Path]) -> None:
    assert "3012.00104" not in _inventory(built[1])
    assert "3012.00101" in _inventory(built[1])


def test_a_published_draft_is_seen_everywhere(site: tuple[Path, Path]) -> None:
    """Publishing rewrites the pages that hide it, though they did not change."""
    srcdir, outdir = site
    draft = srcdir / "papers" / "d.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("draft: true\n", ""),
                     encoding="utf-8")
    _build(srcdir, outdir)
    assert _discussed_in(outdir, "papers/a") == ["d.html"]
    assert _link_to(outdir, "papers/a", "3012.00104") == "d.html#paper-3012-00104"
    terms = _search_terms(outdir)
    assert re.search(rf'"{WORD[:-1]}\w*"', terms) and "Paper D" in terms
    assert "3012.00104" in _inventory(outdir)
    assert _links_to(outdir, "index", "papers/d.html") != []
    assert _page(outdir, "papers/c").find("link", rel="next")["href"] == "d.html"


def test_not_in_the_pdf(built: tuple[Path, Path], tmp_path: Path) -> None:
    """The LaTeX that ``make latexpdf`` compiles: the book is what the home page's
    toctree holds, but the draft."""
    srcdir, _outdir = built
    latex = _build(srcdir, tmp_path / "latex", builder="latex")
    (tex,) = latex.glob("*.tex")
    text = tex.read_text(encoding="utf-8")
    assert r"\section{Paper C}" in text
    assert WORD not in text and r"\section{Paper D}" not in text
    assert "Drafty Writer" not in text


def test_not_in_the_epub(site: tuple[Path, Path], tmp_path: Path) -> None:
    """Neither a page of the book nor an entry of its contents, its spine or its
    manifest, after a build that had it as a published page."""
    srcdir, _outdir = site
    draft = srcdir / "papers" / "d.md"
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    epub = _build(srcdir, tmp_path / "epub", builder="epub")
    assert (epub / "papers" / "d.xhtml").exists()
    draft.write_text(text, encoding="utf-8")
    _build(srcdir, epub, builder="epub")
    leaks = [str(path.relative_to(epub)) for path in epub.rglob("*")
             if path.is_file() and path.suffix != ".epub"
             and ("papers/d.xhtml" in path.read_text(encoding="utf-8", errors="replace")
                  or path.name == "d.xhtml")]
    assert leaks == []
    assert (epub / "papers" / "c.xhtml").exists()
    (book,) = epub.glob("*.epub")
    assert epubcheck_messages(book) == []


def test_papers_bib_has_no_paper_only_a_draft_uses(built: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    """papers.bib is what the published built comments on or mentions: the draft's paper
    is in it while a published page mentions it (here A does), not because of the draft."""
    assert "3012.00104" in (built[1] / "papers.bib").read_text(encoding="utf-8")
    outdir = _build(copy_root("dates", tmp_path / "plain"), tmp_path / "plain" / "html")
    bib = (outdir / "papers.bib").read_text(encoding="utf-8")
    assert "3012.00103" in bib and "3012.00104" not in bib


@pytest.mark.parametrize("options", [(), ("-j", "2")], ids=["serial", "parallel"])
def test_no_other_page_links_to_it(tmp_path: Path, options: tuple[str, ...]) -> None:
    """On a furo site: no sidebar, previous or next link, or search result."""
    srcdir = copy_root("navigation", tmp_path)
    (srcdir / "pages").mkdir()
    (srcdir / "pages" / "alpha.md").write_text("# Alpha\n\nPublished.\n", encoding="utf-8")
    (srcdir / "pages" / "beta.md").write_text(
        f"---\ndraft: true\n---\n# Beta\n\nA draft about {WORD}.\n", encoding="utf-8")
    outdir = _build(srcdir, tmp_path / "html", *options)
    assert (outdir / "pages" / "beta.html").exists()
    mark = _page(outdir, "pages/beta").find("p", class_="paper-draft")
    assert mark is not None and "this page is in none" in mark.get_text()
    leaks = [str(path.relative_to(outdir)) for path in outdir.rglob("*.html")
             if path.name != "beta.html" and "beta.html" in path.read_text(encoding="utf-8")]
    assert leaks == []
    assert _page(outdir, "index").find("a", href="pages/alpha.html") is not None
    assert WORD[:-1] not in _search_terms(outdir)
