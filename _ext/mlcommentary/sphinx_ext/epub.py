"""The EPUB builder: Sphinx's, with its pages' MathML declared, page titles' math as
Unicode in the book's navigation, and without drafts.

The pages have the site's MathML (``mathml``), which EPUB readers lay out; EPUB asks
each page that has some to say so in the manifest (``properties="mathml"``), which
Sphinx's template does not write.

Sphinx names each page in ``nav.xhtml`` and ``toc.ncx`` by its title's text, where an
author's ``$\\mathbb{F}_e$`` reads as its TeX: a reader's table of contents said
"Bundles over \\mathbb{F}_e". The pages themselves have their math as Unicode already
(``mathml``).

A draft is no page of the book: Sphinx would write it, and then take every page in
its output folder into the book's spine, linked from nothing or not (which epubcheck
rejects, OPF-096). Nor is the tags overview of a site without tags, unless a toctree
lists it: no tag links to it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Set
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder

from .mathml import plain_node
from ..exports.pages import MAP, OVERVIEWS
from ..data.tex import plain_math

TAGS_OVERVIEW = OVERVIEWS[0]
_MANIFEST_ITEM = re.compile(r'<item id="[^"]*" href="(?P<href>[^"]*)" [^>]*/>')


class EpubBuilder(Epub3Builder):
    def write_documents(self, docnames: Set[str]) -> None:
        papers = self.env.domains["paper"]
        left_out = set(papers.drafts())
        # An overview in no toctree is in a book only if a page links to it: the tags'
        # is linked from each tag's page, the map from none (epubcheck: unreachable).
        unlinked = [MAP] if papers.tags() else [MAP, TAGS_OVERVIEW]
        left_out.update(docname for docname in unlinked
                        if self.env.metadata.get(docname, {}).get("orphan"))
        for docname in left_out:
            # Written by a build in which it was in the book.
            self.get_output_path(docname).unlink(missing_ok=True)
        super().write_documents(docnames - left_out)

    def build_content(self) -> None:
        super().build_content()
        opf = self.outdir / "content.opf"
        with_math = {html.escape(quote(name)) for name in self.files
                     if name.endswith(self.out_suffix)
                     and "<math" in (self.outdir / name).read_text(encoding="utf-8")}
        # Sphinx's template writes each item on a line of its own, ending in "/>".
        opf.write_text(_MANIFEST_ITEM.sub(
            lambda item: item[0] if item["href"] not in with_math
            else f'{item[0][:-2].rstrip()} properties="mathml" />',
            opf.read_text(encoding="utf-8")), encoding="utf-8")

    def get_refnodes(self, doctree: nodes.Node,
                     result: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The tree is this call's own resolved copy: its math can become text.
        if isinstance(doctree, nodes.reference):
            for math in list(doctree.findall(nodes.math)):
                math.replace_self(nodes.Text(plain_math(math.astext())))
        return super().get_refnodes(doctree, result)

    def toc_add_files(self, refnodes: list[dict[str, Any]]) -> None:
        super().toc_add_files(refnodes)
        # The home page's entry (after the pre files), named from its title's text.
        title = self.env.titles[self.config.root_doc]
        if any(title.findall(nodes.math)):
            home = refnodes[len(self.config.epub_pre_files)]
            home["text"] = html.escape(plain_node(title))


def setup_epub(app: Sphinx) -> None:
    app.add_builder(EpubBuilder, override=True)
