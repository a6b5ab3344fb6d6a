"""A preview of the paper behind every paper link, for browsers.

Every link the domain resolves to a paper carries a ``paper_link`` attribute,
whichever role or directive asked for it (``{paper}``, Related, indexes, tag
pages). ``EmbedPreviews`` gives each page one hidden ``popover`` element per
paper it links to, built from the records (so nothing is requested at read
time), and points each link's ``aria-describedby`` at it: screen readers read the
preview as the link's description, and ``paper-preview.js`` shows it beside the
link on hover and keyboard focus, placed by Floating UI (``assets/floating-ui``,
the npm package's UMD builds with its licence; update both files together).

Other builders get nothing of this: their output does not change.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import formats
from .cards import human_date, short_authors
from .domain import PaperDomain, paper_slug
from ..data.ids import parse_paper_id
from ..data.memo import remembered
from ..data.metadata import PaperRecord
from .mathml import rich_nodes
from .nodes import found, paper_listing
from ..data.sentences import first_sentences
from ..data.tex import plain_math, segments

#: Files in ``assets`` that only pages with previews use, in load order.
SCRIPTS = ("floating-ui/floating-ui.core.umd.min.js", "floating-ui/floating-ui.dom.umd.min.js",
           "paper-preview.js")
STYLESHEET = "paper-preview.css"
#: Sentences of the abstract a preview quotes, and the most characters it quotes:
#: what keeps a preview within its share of the page.
SENTENCES = 2
ABSTRACT_CHARS = 400
#: Where ``_excerpt`` puts formulas while it cuts: Unicode's private use area, which
#: arXiv's text has no business using (where it does, the text is cut as it is).
_FORMULA = 0xE000
_FORMULAS = re.compile("[\ue000-\uf8ff]")


class paper_preview(nodes.Invisible, nodes.Element):  # noqa: N801
    """A paper's preview: hidden until a link to the paper shows it. HTML builders only.
    Its lines are written from the record (``paper``) when the page is.

    Invisible, as docutils calls it: what describes the page (sphinxext-opengraph's
    description) skips it, as the search index skips its ``no-search`` class.
    """


class paper_preview_link(nodes.reference):  # noqa: N801
    """A link to a paper that its preview describes (``preview_id``). HTML builders only."""


def preview_id(base: str) -> str:
    return "paper-preview-" + paper_slug(parse_paper_id(base))


class EmbedPreviews(SphinxPostTransform):
    """Describe every link to a paper by that paper's preview, embedded once a page."""

    # After the references are resolved (10) and the cards made interactive (200).
    default_priority = 210
    builders = formats.INTERACTIVE

    def run(self, **kwargs: Any) -> None:
        previews: dict[str, paper_preview] = {}
        for node in found(self.document, nodes.Element, _mentions_papers):
            # A listing's lines link to the papers' commentaries; they are described as
            # the page is written (``listings``).
            mentions = ([(base, True) for base in node["papers"]]
                        if isinstance(node, paper_listing)
                        else [(node["paper_link"], bool(node.get("internal")))])
            for base, commentary in mentions:
                if base not in previews:
                    # Kept out of the search index: the words are the paper's, not the page's.
                    previews[base] = paper_preview(
                        ids=[preview_id(base)], classes=["paper-preview", "no-search"],
                        paper=base, commentary=commentary)
            if isinstance(node, nodes.reference):
                describe(node)
        # In the order of first mention, which is the same in every build.
        self.document.extend(previews.values())


def describe(reference: nodes.reference) -> None:
    """Make ``reference``, to a paper, the link that the paper's preview describes."""
    # Where it stands: making a new node for each of an index's thousands of links took
    # longer than all the rest.
    reference.__class__ = paper_preview_link
    reference["preview_id"] = preview_id(reference["paper_link"])


def _mentions_papers(node: nodes.Element) -> bool:
    return isinstance(node, paper_listing) or "paper_link" in node


def _lines(title: str, record: PaperRecord | None, commentary: bool,
           paper_page: str) -> list[nodes.paragraph]:
    # The math laid out, as on the card; screen readers read MathML too.
    lines = [_line("title", *rich_nodes(title))]
    if record:
        lines.append(_line("meta", nodes.Text(
            f"{short_authors(record)} · {human_date(record.published)}")))
        lines.append(_line("abstract", *rich_nodes(_excerpt(record.abstract))))
    lines.append(_line("destination", nodes.Text(
        "Commentary on this site" if commentary else paper_page)))
    return lines


def _line(part: str, *children: nodes.Node) -> nodes.paragraph:
    line = nodes.paragraph("", "", *children, classes=[f"paper-preview-{part}"])
    # A link's description is read as flat text, where MathML's "10¹²" would be "10 12".
    for math in line.findall(nodes.math):
        math["aria_label"] = plain_math(math.astext())
    return line


@remembered
def _excerpt(tex: str) -> str:
    """The first sentences of arXiv's ``tex``, never cut inside its math: each formula
    stands in as one character while the sentences are counted and cut."""
    if _FORMULAS.search(tex):
        return first_sentences(tex, SENTENCES, ABSTRACT_CHARS)
    formulas: list[str] = []
    masked = []
    for segment in segments(tex):
        if segment.is_math:
            masked.append(chr(_FORMULA + len(formulas)))
            formulas.append(segment.source)
        else:
            masked.append(segment.source)
    return _FORMULAS.sub(lambda match: formulas[ord(match[0]) - _FORMULA],
                         first_sentences("".join(masked), SENTENCES, ABSTRACT_CHARS))




def _visit_preview(self, node: paper_preview) -> None:  # noqa: ANN001
    domain: PaperDomain = self.builder.env.domains["paper"]
    base = node["paper"]
    paper = parse_paper_id(base)
    key = (domain.title(paper), domain.record(base), node["commentary"], paper.page_name)
    # Rendered once a build: a thousand previews on an index page would weigh on every
    # transform after this one as nodes.
    rendered = domain.rendered_previews
    if key not in rendered:
        start = len(self.body)
        for line in _lines(*key):
            line.walkabout(self)
        rendered[key] = "".join(self.body[start:])
        del self.body[start:]
    # A manual popover: hidden, in the top layer when shown, and opened by the script only.
    self.body.append(self.starttag(node, "div", "", popover="manual", role="tooltip"))
    self.body.append(rendered[key])
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _visit_link(self, node: paper_preview_link) -> None:  # noqa: ANN001
    self.visit_reference(node)
    # Sphinx writes only the attributes it knows into the <a> tag it has just written.
    tag = self.body[-1]
    self.body[-1] = tag.replace("<a ", f'<a aria-describedby="{node["preview_id"]}" ', 1)


def _depart_link(self, node: paper_preview_link) -> None:  # noqa: ANN001
    self.depart_reference(node)


def add_page_assets(app: Sphinx, pagename: str, templatename: str,
                    context: dict[str, Any], doctree: nodes.document | None) -> None:
    """The previews' script and style, on the pages that have previews only."""
    # EmbedPreviews puts them at the top of the tree: no walk of every page's nodes.
    if doctree is None or not any(isinstance(child, paper_preview) for child in doctree):
        return
    app.add_css_file(STYLESHEET)
    for script in SCRIPTS:
        app.add_js_file(script, defer="defer")


def is_preview_asset(path: str) -> bool:
    """Whether ``path``, relative to ``assets`` (``copy_asset`` writes ``./name``), is only
    for pages with previews."""
    return PurePosixPath(path).parts[0].startswith(("floating-ui", "paper-preview"))


def setup_previews(app: Sphinx) -> None:
    app.add_node(paper_preview, html=(_visit_preview, None))
    app.add_node(paper_preview_link, html=(_visit_link, _depart_link))
    app.add_post_transform(EmbedPreviews)
    app.connect("html-page-context", add_page_assets)
