"""Each commentary's neighbourhood ("How it connects") and the sentences of its
backlinks ("Discussed in"), as readers get them: real ``sphinx-build`` processes on the
site test root (synthetic papers of December 2030), in HTML and as text. The picture
in Chromium, with axe and the Nu checker, is in test_browser and test_accessibility.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import copy_root, sphinx_build
from mlcommentary.data.sentences import sentence_at
from mlcommentary.sphinx_ext import maps


def test_the_sentence_around_a_position() -> None:
    text = "Scaling helps. Smith et al. show that 3012.00001 saturates. Nobody disagrees."
    assert sentence_at(text, text.index("3012"), 240) == (
        "Smith et al. show that 3012.00001 saturates.")
    assert sentence_at(text, 0, 240) == "Scaling helps."
    assert sentence_at(text, len(text) - 3, 240) == "Nobody disagrees."


def test_a_long_sentence_is_cut_around_the_position() -> None:
    text = " ".join(f"w{i}" for i in range(200)).replace("w100", "MENTION") + "."
    cut = sentence_at(text, text.index("MENTION"), 60)
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "MENTION" in cut and len(cut) <= 60 + 4
    # Words are kept whole.
    assert all(re.fullmatch(r"w\d+|MENTION", word) for word in cut.split()[1:-1])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, Path]:
    """The site test root built as HTML and as text."""
    base = tmp_path_factory.mktemp("maps")
    srcdir = copy_root("site", base)
    outdirs = {}
    for builder in ("html", "text"):
        outdirs[builder] = base / builder
        result = sphinx_build(srcdir, outdirs[builder], builder=builder)
        assert result.returncode == 0, result.stderr
    return outdirs


def _page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def test_the_card_quotes_the_sentence_of_each_page_that_discusses_it(site) -> None:
    items = _page(site["html"], "papers/alpha").select("ul.paper-discussions > li")
    # beta.md says "Beta answers {paper}`3012.00001`.": the ID reads as its title.
    assert [item.get_text(" ", strip=True) for item in items] == [
        "Beta : “Beta answers Synthetic Paper Alpha.”"]
    assert items[0].a["href"] == "beta.html"


def _groups(svg) -> dict[str, list[tuple[str, str]]]:
    return {group["aria-label"]: [(a["href"], a.title.string) for a in group.select("a")]
            for group in svg.select("g[role=list]")}


def test_the_map_links_every_neighbour_by_its_whole_title(site) -> None:
    page = _page(site["html"], "papers/alpha")
    section = page.select_one("section.paper-map-section")
    assert section.h2.get_text(strip=True).startswith("How it connects")
    svg = section.select_one("svg.paper-map-picture")
    assert svg["aria-label"] == "How it connects: Synthetic Paper Alpha"
    assert _groups(svg) == {
        "Discussed in": [("beta.html", "Discusses it: Beta")],
        "Related": [("https://arxiv.org/abs/3012.00003", "Related paper: Synthetic Paper Gamma")],
        # Mentioned in the prose, and not already among the related papers.
        "Mentions": [("https://arxiv.org/abs/3012.00004",
                      "Mentioned in the commentary: Synthetic Paper Delta")],
    }
    # The paper's own box names it and its authors; the picture is the whole map (no
    # second copy of its links as a list) and loads nothing.
    assert "Ada Example, Bo Placeholder (2030)" in svg.get_text(" ")
    assert section.select("ul") == [] and not svg.select("[src], image, script")


def test_a_page_without_a_commentary_of_its_own_has_no_map(site) -> None:
    assert _page(site["html"], "index").select("section.paper-map-section") == []


def test_the_search_does_not_index_the_maps_words(site) -> None:
    # Every commentary's map names other papers: searched, each title would find them all.
    text = (site["html"] / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    found = {kind: {word: {index["docnames"][n] for n in ([docs] if isinstance(docs, int)
                                                          else docs)}
                    for word, docs in index[kind].items()}
             for kind in ("terms", "titleterms")}
    # Only the map page's own words say how they connect, not any map's heading.
    assert found["terms"].get("connect", set()) <= {"map"}
    assert "connect" not in found["titleterms"]
    # The map page, which draws every commentary, is found by none of their titles.
    assert "map" not in found["terms"]["alpha"] | found["titleterms"]["alpha"]


def test_other_outputs_show_the_map_as_lists(site) -> None:
    text = (site["text"] / "papers" / "alpha.txt").read_text(encoding="utf-8")
    neighbourhood = text.partition("How it connects\n")[2]
    assert re.findall(r"\*\*(.+?)\*\*\n\n\* (.+)", neighbourhood) == [
        ("Discussed in", "Beta"), ("Related", "Synthetic Paper Gamma"),
        ("Mentions", "Synthetic Paper Delta")]


def test_a_crowded_neighbourhood_shows_its_first_boxes_and_counts_the_rest(tmp_path) -> None:
    srcdir = copy_root("site", tmp_path)
    # Thirty papers of a month that has not happened, with no records: the build warns
    # about each, so it is not strict.
    mentions = " ".join(f"{{paper}}`3012.{n:05d}`" for n in range(200, 230))
    alpha = srcdir / "papers" / "alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8") + f"\nMany more: {mentions}.\n",
                     encoding="utf-8")
    outdirs = {builder: tmp_path / builder for builder in ("html", "text")}
    for builder, outdir in outdirs.items():
        result = sphinx_build(srcdir, outdir, builder=builder, strict=False)
        assert result.returncode == 0, result.stderr
    svg = _page(outdirs["html"], "papers/alpha").select_one("svg.paper-map-picture")
    groups = _groups(svg)
    assert sum(len(links) for links in groups.values()) == maps.NEIGHBOURS
    # Shared out in turn: the lone discussing page and related paper keep their boxes.
    assert len(groups["Discussed in"]) == 1 and len(groups["Related"]) == 1
    assert len(groups["Mentions"]) == maps.NEIGHBOURS - 2
    hidden = 31 - (maps.NEIGHBOURS - 2)
    assert f"Mentions (and {hidden} more)" in svg.get_text(" ")
    # The text lists every one.
    text = (outdirs["text"] / "papers" / "alpha.txt").read_text(encoding="utf-8")
    assert text.partition("**Mentions**")[2].count("\n* ") == 31


# -- an index's map: a tag page's "How they connect" ----------------------------------

def test_linked_items_are_arranged_in_groups_breadth_first() -> None:
    # 0-1-2 and 1-3 in one group, 4-5 in another, 6 alone.
    links = [{1}, {0, 2, 3}, {1}, {1}, {5}, {4}, set()]
    assert maps.arrange(links) == [[1, 0, 2, 3], [4, 5]]


def test_each_box_is_joined_at_its_own_side_whatever_the_groups_before_it() -> None:
    """Boxes sit two to a row in each group: after a group of an odd number, the next
    group starts on the left again, and its lines must too (they ran to the right)."""
    def boxes(count: int) -> list[maps.Box]:
        return [maps.Box(f"Paper {i}", f"p{i}.html") for i in range(count)]

    svg = BeautifulSoup(maps.draw("The paper", "Ada Example (2030)", [
        (maps.DISCUSSED, boxes(1), 0), (maps.RELATED, boxes(3), 0),
        (maps.MENTIONED, boxes(3), 0)]), "html.parser")
    middle = f"{maps.WIDTH / 2:g}"
    lines = sorted((float(y), float(end)) for y, end in
                   re.findall(rf"M{middle} ([\d.]+)H([\d.]+)", svg.path["d"]))
    expected = []
    for rect in svg.select("g[role=listitem] rect"):
        x, y, height = float(rect["x"]), float(rect["y"]), float(rect["height"])
        # The line meets a left box at its right edge, a right box at its left edge.
        expected.append((y + height / 2, x + float(rect["width"]) if x == 0 else x))
    assert len(expected) == 7
    assert lines == sorted(expected)


def _mentioning(srcdir: Path, name: str, *papers: str) -> None:
    page = srcdir / "papers" / f"{name}.md"
    mentions = ", ".join(f"{{paper}}`{paper}`" for paper in papers)
    page.write_text(page.read_text(encoding="utf-8") + f"\nSee {mentions}.\n", encoding="utf-8")


def test_a_tag_page_draws_how_its_commentaries_connect(tmp_path) -> None:
    srcdir = copy_root("tags", tmp_path)
    # a, b and c are tagged scaling; d is not. a mentions b and d, c mentions a.
    _mentioning(srcdir, "a", "3012.00102", "3012.00104")
    _mentioning(srcdir, "c", "3012.00101")
    outdirs = {builder: tmp_path / builder for builder in ("html", "text")}
    for builder, outdir in outdirs.items():
        result = sphinx_build(srcdir, outdir, builder=builder)
        assert result.returncode == 0, result.stderr
    page = _page(outdirs["html"], "tags/scaling")
    svg = page.select_one("svg.paper-map-links")
    boxes = [(a["href"], a.title.string) for a in svg.select("a")]
    # Paper A first: it links to both others, which follow as the index lists them
    # (newest paper first). Paper D is not tagged scaling.
    assert [href for href, _ in boxes] == ["../papers/a.html#paper-3012-00101",
                                           "../papers/c.html#paper-3012-00103",
                                           "../papers/b.html#paper-3012-00102"]
    # Two arcs: a-b and a-c.
    assert svg.path["d"].count("M") == 2
    # vision has a alone of its linked papers: nothing to draw.
    assert _page(outdirs["html"], "tags/vision").select("svg.paper-map-links") == []
    text = (outdirs["text"] / "tags" / "scaling.txt").read_text(encoding="utf-8")
    assert "links to" in text.partition("How they connect")[2]


def test_a_large_index_draws_its_most_linked_commentaries(tmp_path) -> None:
    srcdir = copy_root("tags", tmp_path)
    # 45 more commentaries tagged "chain", each mentioning the next (papers of a month
    # that has not happened, without records: the build is not strict).
    for n in range(45):
        (srcdir / "papers" / f"chain-{n}.md").write_text(
            f"# Chain {n}\n\n```{{paper}} 3012.{300 + n:05d}\n:tags: chain\n```\n\n"
            f"Next: {{paper}}`3012.{300 + (n + 1) % 45:05d}`.\n", encoding="utf-8")
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir, "-D", "paper_map_size=40", strict=False)
    assert result.returncode == 0, result.stderr
    page = _page(outdir, "tags/chain")
    assert len(page.select("svg.paper-map-links a")) == 40
    assert page.select_one(".paper-map-note").get_text() == (
        "The 40 of these 45 commentaries that link most to the others.")
    # The site's 49 are too many for its map page, which leads to each tag's map instead.
    map_page = _page(outdir, "map")
    assert map_page.select("svg.paper-map-picture") == []
    assert "The site’s 49 commentaries are more than one map can show" in map_page.get_text()
    rows = {a.get_text(): a.parent.get_text() for a in map_page.select(".paper-pages a")}
    assert rows["chain"] == "chain — 45 commentaries"
    assert {a["href"] for a in map_page.select(".paper-pages a")} >= {"tags/chain.html"}


def test_the_map_page_draws_the_whole_site(tmp_path) -> None:
    srcdir = copy_root("tags", tmp_path)
    # a mentions b and d (d has no tags, so no tag's map shows a-d), c mentions a.
    _mentioning(srcdir, "a", "3012.00102", "3012.00104")
    _mentioning(srcdir, "c", "3012.00101")
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("years/index\n",
                                                               "years/index\nmap\n"))
    outdirs = {builder: tmp_path / builder for builder in ("html", "text")}
    for builder, outdir in outdirs.items():
        result = sphinx_build(srcdir, outdir, builder=builder)
        assert result.returncode == 0, result.stderr
    page = _page(outdirs["html"], "map")
    assert page.h1.get_text().rstrip("¶") == "Map"
    svg = page.select_one("svg.paper-map-links")
    # Paper A first, the most linked, then those it links to as the index lists them
    # (newest paper first), D too though no tag has it.
    assert [a["href"] for a in svg.select("a")] == [
        "papers/a.html#paper-3012-00101", "papers/c.html#paper-3012-00103",
        "papers/b.html#paper-3012-00102", "papers/d.html#paper-3012-00104"]
    assert svg.path["d"].count("M") == 3
    # Named in the author's toctree, the page is in every page's sidebar.
    assert _page(outdirs["html"], "papers/b").select_one('.sidebar-tree a[href="../map.html"]')
    text = (outdirs["text"] / "map.txt").read_text(encoding="utf-8")
    assert "Paper A — links to" in text
