"""An index's lines in a browser's page, made as the page is written (``listings``)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes
from helpers import ROOTS, copy_root, sphinx_build
from sphinx.transforms.post_transforms import SphinxPostTransform


def index_lines(page: Path) -> list[str]:
    """The first index's lines on ``page``, as HTML without their links' addresses."""
    listing = BeautifulSoup(page.read_text(), "html.parser").select_one("ul.paper-index")
    for link in listing.select("a"):
        del link["href"]
    return [str(line) for line in listing.select(":scope > li")]


def test_the_lines_read_as_those_made_as_nodes(tmp_path: Path) -> None:
    """One-page HTML makes its indexes as nodes, which the post-transforms then finish:
    the lines made as the page is written are what those transforms leave."""
    html, single = tmp_path / "html", tmp_path / "singlehtml"
    assert sphinx_build(ROOTS / "test-tags", html).returncode == 0
    assert sphinx_build(ROOTS / "test-tags", single, builder="singlehtml").returncode == 0
    lines = index_lines(html / "index.html")
    assert len(lines) == 4
    # The home page comes first in the book, as its index does.
    assert index_lines(single / "index.html") == lines
    # Finished: pills without commas, and each paper's link described by its preview.
    assert ", " not in lines[1].partition(" (")[2]
    assert all('aria-describedby="paper-preview-' in line for line in lines)


class LinesSeen(SphinxPostTransform):
    """How many of the home page's index lines the last post-transform sees."""

    default_priority = 999
    seen: list[int] = []

    def run(self, **kwargs) -> None:  # noqa: ANN003
        if self.env.current_document.docname == "index":
            LinesSeen.seen.append(sum(1 for item in self.document.findall(nodes.list_item)
                                      if "paper-index" in item.parent["classes"]))


def test_the_post_transforms_see_no_line(make_app, tmp_path: Path) -> None:
    """Every other extension's walk of the page passes over an index's thousands of lines."""
    for builder in ("html", "singlehtml"):
        app = make_app(builder, srcdir=copy_root("tags", tmp_path / builder))
        app.add_post_transform(LinesSeen)
        app.build()
        app.cleanup()
    # One-page HTML's home page is the book: the home page's 4 lines, the tags' 5, the
    # year's 4.
    assert LinesSeen.seen == [0, 13]
