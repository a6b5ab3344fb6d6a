"""An index's list of commentaries in a browser's page, made as the page is written.

Made as nodes when the page is resolved, the home page's, a tag's or a year's
thousands of lines went through every post-transform's walk of the page, Sphinx's,
sphinx-design's and ours, though no transform but three changes them: 2 s of a 41 s
build of 2,000 commentaries (Python 3.13). For the builders that write page by page
(``formats.LISTED_WHEN_WRITTEN``), ``BuildCards`` leaves a ``paper_listing`` naming
the papers; each line is made here as those three would leave it (the paper's link
resolved by the domain, the tags as pills, the link described by the paper's
preview, which ``EmbedPreviews`` put on the page) and written at once.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from .cards import PageLinks, as_pills, index_list, is_tag_list
from .domain import PaperDomain
from .nodes import found, paper_listing
from .previews import describe


def _visit_listing(self, node: paper_listing) -> None:  # noqa: ANN001
    builder = self.builder
    domain: PaperDomain = builder.env.domains["paper"]
    docname = builder.current_docname
    links = PageLinks(domain, builder, docname)
    lines = []
    for base in node["papers"]:
        line = links.index_line(domain.commentary(base), node["sort"])
        xref = line[0]
        # Never None: a listing names the commentaries that every page may link to.
        reference = domain.resolve_xref(builder.env, docname, builder, "paper", base,
                                        xref, xref[0])
        describe(reference)
        xref.replace_self(reference)
        for tags in found(line, nodes.inline, is_tag_list):
            tags.replace_self(as_pills(tags))
        lines.append(nodes.list_item("", line))
    # In the page's tree, where the writer looks at a list's parent.
    listing = index_list(lines)
    node.replace_self(listing)
    listing.walkabout(self)
    raise nodes.SkipNode


def setup_listings(app: Sphinx) -> None:
    app.add_node(paper_listing, html=(_visit_listing, None))
