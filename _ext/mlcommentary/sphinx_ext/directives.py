"""The ``paper`` and ``paper-index`` directives.

Both only record what the author wrote and leave a placeholder: the metadata a
card shows may be fetched after every page is read, so cards and indexes are
built when the doctree is resolved (see ``cards``).
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .domain import paper_anchor
from ..data.ids import PaperId, InvalidPaperId, parse_paper_id
from .nodes import paper_card_placeholder, paper_index_placeholder

logger = logging.getLogger(__name__)


def _comma_list(argument: str | None) -> list[str]:
    return [item.strip() for item in (argument or "").split(",") if item.strip()]


class PaperDirective(SphinxDirective):
    """The page's subject paper: ``{paper} 2110.02095`` with ``:tags:``, ``:related:`` and
    ``:also:`` (the paper's other identifiers, where its sources do not link them)."""

    required_arguments = 1
    option_spec = {"tags": _comma_list, "related": _comma_list, "also": _comma_list}

    def run(self) -> list[nodes.Node]:
        try:
            paper_id = parse_paper_id(self.arguments[0])
        except InvalidPaperId as err:
            logger.warning("%s; no card made", err, type="paper", subtype="bad_id",
                           location=self.get_location())
            return []
        related = list(self._others(paper_id, "related", "related paper"))
        also = list(self._others(paper_id, "also", "other identifier"))
        domain = self.env.domains["paper"]
        docname = self.env.current_document.docname
        domain.note_claim(docname, paper_id, self.lineno, self.options.get("tags", []), related,
                          self._option_line("tags"), also)
        for other in related:
            domain.note_mention(docname, other, self.lineno)
        card = paper_card_placeholder(docname=docname, paper_id=str(paper_id),
                                      tags=self.options.get("tags", []),
                                      related=[str(r) for r in related],
                                      ids=[paper_anchor(paper_id)])
        self.set_source_info(card)
        return [card]

    def _option_line(self, name: str) -> int | None:
        """The line of option ``name`` (``:name:``, or ``name:`` in MyST's YAML block):
        ``block_text`` starts at the directive's line, in MyST and reStructuredText."""
        for offset, line in enumerate(self.block_text.splitlines()):
            if re.match(rf"\s*:?{name}:", line):
                return self.lineno + offset
        return None

    def _others(self, subject: PaperId, option: str, what: str):
        """The papers of ``option`` but the subject itself, each warned of if it is none."""
        line = self._option_line(option)
        location = (self.env.current_document.docname, line) if line else self.get_location()
        for text in self.options.get(option, []):
            try:
                paper_id = parse_paper_id(text)
            except InvalidPaperId as err:
                logger.warning("%s %s; left out", what, err, type="paper",
                               subtype="bad_id", location=location)
                continue
            if paper_id.base != subject.base:
                yield paper_id


def _sort(argument: str | None) -> str:
    return directives.choice(argument, ("paper", "commentary"))


class PaperIndexDirective(SphinxDirective):
    """The site's commentaries, newest first by ``:sort:`` (``paper``, the default, or
    ``commentary``); ``:tags:`` keeps those with any of them, ``:limit:`` the first N;
    ``:map:`` also draws how they connect."""

    option_spec = {"tags": _comma_list, "sort": _sort, "limit": directives.positive_int,
                   "map": directives.flag}

    def run(self) -> list[nodes.Node]:
        index = paper_index_placeholder(tags=self.options.get("tags", []),
                                        sort=self.options.get("sort", "paper"),
                                        limit=self.options.get("limit"),
                                        map="map" in self.options)
        self.set_source_info(index)
        return [index]
