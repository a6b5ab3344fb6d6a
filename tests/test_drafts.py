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
from helpers import copy_root, sphinx_build
from sphinx.util.inventory import InventoryFile

#: A word only the draft has.
WORD = "quokkas"


def _build(srcdir: Path, outdir: Path, *options: str) -> Path:
    result = sphinx_build(srcdir, outdir, *options)
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
    return (outdir / "searchindex.js").read_text(encoding="utf-8")


def _inventory(outdir: Path) -> set[str]:
    with open(outdir / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {name for objects in inventory.values() for name in objects}


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    srcdir = copy_root("dates", tmp_path)
    draft = srcdir / "papers" / "d.md"
    draft.write_text(draft.read_text(encoding="utf-8") + (
        f"\nIt builds on {{paper}}`3012.00101`, with {WORD}.\n"), encoding="utf-8")
    page = srcdir / "papers" / "a.md"
    page.write_text(page.read_text(encoding="utf-8") + (
        "\nThe fourth paper is {paper}`3012.00104`.\n"), encoding="utf-8")
    return srcdir, _build(srcdir, tmp_path / "html")


def test_its_own_page_shows_it(site: tuple[Path, Path]) -> None:
    _srcdir, outdir = site
    draft = _page(outdir, "papers/d")
    assert draft.find("div", class_="paper-card") is not None
    assert draft.find("p", class_="paper-draft") is not None
    assert _link_to(outdir, "papers/d", "3012.00101") == "a.html#paper-3012-00101"


def _links_outside_theme_sidebar(outdir: Path, name: str, href: str) -> list:
    """Links and ``<link>`` elements to ``href``, but in this theme's sidebar, which is
    Sphinx's whole-site toctree (the site's, furo_sidebar, is tested below)."""
    page = _page(outdir, name)
    for sidebar in page.find_all("div", class_="sphinxsidebar"):
        sidebar.decompose()
    return page.find_all(["a", "link"], href=href)


def test_not_in_toctrees(site: tuple[Path, Path]) -> None:
    """The home page's toctree (not hidden here), and the previous and next links of
    the pages beside it in the toctree's order."""
    assert _links_outside_theme_sidebar(site[1], "index", "papers/d.html") == []
    assert _links_outside_theme_sidebar(site[1], "papers/c", "d.html") == []
    assert _page(site[1], "papers/c").find("link", rel="next")["href"] == "../tags/index.html"


def test_not_in_discussed_in(site: tuple[Path, Path]) -> None:
    """Published cards do not say that the draft discusses their paper."""
    assert _discussed_in(site[1], "papers/a") == []


def test_not_linked_from_other_pages(site: tuple[Path, Path]) -> None:
    """A published page's link to the draft's paper goes to arXiv, as with no
    commentary."""
    assert _link_to(site[1], "papers/a", "3012.00104") == "https://arxiv.org/abs/3012.00104"


def test_not_in_the_search_index(site: tuple[Path, Path]) -> None:
    """Neither its text nor its paper."""
    terms = _search_terms(site[1])
    assert WORD[:-1] not in terms and "Paper D" not in terms
    assert "3012.00104" not in terms


def test_not_in_objects_inv(site: tuple[Path, Path]) -> None:
    assert "3012.00104" not in _inventory(site[1])
    assert "3012.00101" in _inventory(site[1])


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
    assert _links_outside_theme_sidebar(outdir, "index", "papers/d.html") != []
    assert _page(outdir, "papers/c").find("link", rel="next")["href"] == "d.html"


def test_papers_bib_has_no_paper_only_a_draft_uses(site: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    """papers.bib is what the published site comments on or mentions: the draft's paper
    is in it while a published page mentions it (here A does), not because of the draft."""
    assert "3012.00104" in (site[1] / "papers.bib").read_text(encoding="utf-8")
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
    leaks = [str(path.relative_to(outdir)) for path in outdir.rglob("*.html")
             if path.name != "beta.html" and "beta.html" in path.read_text(encoding="utf-8")]
    assert leaks == []
    assert _page(outdir, "index").find("a", href="pages/alpha.html") is not None
    assert WORD[:-1] not in _search_terms(outdir)
