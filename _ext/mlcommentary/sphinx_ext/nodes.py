"""The extension's own docutils nodes, and how each builder writes them.

docutils keeps one global registry of node names, so every name here starts
with ``paper_``. ``NODES`` maps each node to its visitors for ``app.add_node``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from docutils import nodes

from ..data.ids import parse_paper_id

N = TypeVar("N", bound=nodes.Node)


class paper_card_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """Where a card goes: ``docname``, ``paper_id``, ``tags``, ``related``. Replaced before
    writing."""


class paper_index_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """Where a list of the site's commentaries goes: ``tags`` (and ``year``) filter,
    ``sort`` orders, ``limit`` cuts, ``map`` adds how they connect (and ``listing``
    false leaves only that). Replaced before writing."""


class paper_listing(nodes.General, nodes.Element):  # noqa: N801
    """An index's list of commentaries (``papers``, their IDs, in order; ``sort``) in a
    browser's page, its lines made as the page is written (``listings``). HTML builders
    that write page by page only."""


class paper_file_link(nodes.General, nodes.Inline, nodes.TextElement):  # noqa: N801
    """A link to a file the build writes beside the pages (``papers.bib``, a feed), made
    into one (or into text) before writing: its ``filename``, from the output's root,
    is there only for the ``builders`` named."""


class paper_card(nodes.General, nodes.Element):  # noqa: N801
    """A paper's citation card. Its parts carry a ``paper_part`` attribute."""


class paper_notice(nodes.Admonition, nodes.Element):  # noqa: N801
    """What a reader must not miss about a paper (it was withdrawn): an admonition with a
    ``title``, shown as a warning, and in HTML a note to assistive technology too."""


class paper_details(nodes.General, nodes.Element):  # noqa: N801
    """``<details>``, first child a ``paper_details_summary``. Made for HTML builders only."""


class paper_details_summary(nodes.General, nodes.TextElement):  # noqa: N801
    """``<summary>``. Made for HTML builders only."""


def found(tree: nodes.Node, kind: type[N], test: Callable[[N], bool]) -> list[N]:
    """The nodes of ``kind`` in ``tree`` that pass ``test``, in document order.

    docutils walks a tree for a class several times faster than for a function, whose
    walk is a generator for each node: on pages of thousands of links, each walk of the
    transforms that run on every page counts."""
    return [node for node in tree.findall(kind) if test(node)]


def is_part(node: nodes.Node, part: str) -> bool:
    """Whether ``node`` is the card part named ``part`` (``abstract``, ``authors``, ...)."""
    return isinstance(node, nodes.Element) and node.get("paper_part") == part


def _visit_card_html(self, node: paper_card) -> None:  # noqa: ANN001
    # A named region: screen readers can jump to it, and it keeps a name where
    # the card leaves its title to the page's heading.
    self.body.append(self.starttag(node, "div", CLASS="paper-card", role="region",
                                   **{"aria-label": f"Paper {parse_paper_id(node['paper_id']).label}"}))


def _depart_card_html(self, node: paper_card) -> None:  # noqa: ANN001
    self.body.append("</div>\n")


def _visit_card_latex(self, node: paper_card) -> None:  # noqa: ANN001
    # A container gets no \label from Sphinx's LaTeX writer; the card's anchor
    # is what every reference to the paper points at.
    self.body.append("\n" + "".join(self.hypertarget(id_) for id_ in node["ids"]))
    self.body.append("\n\\begin{sphinxShadowBox}\n")


def _depart_card_latex(self, node: paper_card) -> None:  # noqa: ANN001
    self.body.append("\n\\end{sphinxShadowBox}\n")


def _visit_notice_html(self, node: paper_notice) -> None:  # noqa: ANN001
    # Sphinx writes an admonition as a plain <div>: the role makes it a note for screen
    # readers, which otherwise read the "Withdrawn" title as any other paragraph.
    self.body.append(self.starttag(node, "div", CLASS="admonition warning", role="note"))


def _depart_notice_html(self, node: paper_notice) -> None:  # noqa: ANN001
    self.body.append("</div>\n")


def _visit_notice_latex(self, node: paper_notice) -> None:  # noqa: ANN001
    # The title follows in braces, as for Sphinx's own admonitions with a title.
    self.body.append("\n\\begin{sphinxadmonition}{warning}")
    self.no_latex_floats += 1


def _depart_notice_latex(self, node: paper_notice) -> None:  # noqa: ANN001
    self.body.append("\\end{sphinxadmonition}\n")
    self.no_latex_floats -= 1


def _visit_as_admonition(self, node: paper_notice) -> None:  # noqa: ANN001
    self.visit_admonition(node)


def _depart_as_admonition(self, node: paper_notice) -> None:  # noqa: ANN001
    self.depart_admonition(node)


def _visit_details(self, node: paper_details) -> None:  # noqa: ANN001
    self.body.append(self.starttag(node, "details"))


def _depart_details(self, node: paper_details) -> None:  # noqa: ANN001
    self.body.append("</details>\n")


def _visit_summary(self, node: paper_details_summary) -> None:  # noqa: ANN001
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self, node: paper_details_summary) -> None:  # noqa: ANN001
    self.body.append("</summary>\n")


def _children_only(self, node: nodes.Element) -> None:  # noqa: ANN001
    """Plain builders (text, man, texinfo) write a card's parts as they are."""


_PLAIN = (_children_only, _children_only)
_ADMONITION = (_visit_as_admonition, _depart_as_admonition)
_CARD_HTML = (_visit_card_html, _depart_card_html)

NODES: dict[type[nodes.Element], dict[str, tuple]] = {
    paper_card_placeholder: {},
    paper_index_placeholder: {},
    paper_file_link: {},
    paper_card: {"html": _CARD_HTML, "latex": (_visit_card_latex, _depart_card_latex),
                 "text": _PLAIN, "man": _PLAIN, "texinfo": _PLAIN},
    paper_notice: {"html": (_visit_notice_html, _depart_notice_html),
                   "latex": (_visit_notice_latex, _depart_notice_latex),
                   "text": _ADMONITION, "man": _ADMONITION, "texinfo": _ADMONITION},
    paper_details: {"html": (_visit_details, _depart_details)},
    paper_details_summary: {"html": (_visit_summary, _depart_summary)},
}
