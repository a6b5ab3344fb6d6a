"""Sphinx's search finds papers by arXiv ID, author's surname and title.

Its full-text index drops numbers (``2303.00676`` is two of them) and the query's
numeric words too, so an ID can only be found as an *index entry*: those are
matched against the whole query and rank above every word match. A paper's
commentary gets invisible entries at its card: its ID (``arXiv:`` and the ID,
also with each version: the query may be any part of an entry at least half as
long), its authors' surnames, its title and the title's words. A paper with no
commentary (or a draft's alone) gets its ID's entries at its first link on each page
that mentions it. Made when the page is written, from the records of that build, so a changed
record changes them without the page being read again.

Only for the builders that write a search index; the general index (genindex)
is not made from these, and every other output is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from .. import internals
from ..data.bibtex import surname
from . import formats
from .domain import PaperDomain, paper_anchor
from ..data.ids import parse_paper_id
from .nodes import paper_card
from ..data.tex import plain_text


def mention_anchor(base: str) -> str:
    return "mention-" + paper_anchor(parse_paper_id(base))


class AddSearchEntries(SphinxPostTransform):
    """One invisible index node a page, holding what finds its papers."""

    # After the references are resolved (10), before the links become previews (210).
    default_priority = 205
    builders = formats.SEARCH

    def run(self, **kwargs: Any) -> None:
        domain: PaperDomain = self.env.domains["paper"]
        indexer = getattr(domain.builder, "indexer", None)
        if indexer is None:  # html_search off: no search index to feed
            return
        docname = self.env.current_document.docname
        entries: list[tuple[str, str, str, str, None]] = []
        stopwords = indexer.lang.stopwords
        mentioned: set[str] = set()
        # One walk for both: an index page's thousands of links make each walk count.
        for node in self.document.findall(_card_or_paper_link):
            if isinstance(node, paper_card):
                base = parse_paper_id(node["paper_id"]).base
                commentary = domain.commentary(base)
                if commentary is not None and commentary.docname == docname and node["ids"]:
                    entries += [("single", term, node["ids"][0], "main", None)
                                for term in dict.fromkeys(_terms(domain, base, stopwords))]
                continue
            # Not in the lists of papers, which the search leaves out (each would match
            # every query). The link's text is the title, whose words the search finds
            # anyway; a paper with a commentary is found there alone, which keeps the
            # index from growing with every mention.
            base = node["paper_link"]
            if base in mentioned or _has_public_commentary(domain, base) or not _searched(node):
                continue
            mentioned.add(base)
            node["ids"].append(mention_anchor(base))
            entries += [("single", term, mention_anchor(base), "main", None)
                        for term in _ids(domain, base)]
        if entries:
            self.document += addnodes.index(entries=entries)
        domain.written_search_entries[docname] = [[term, anchor]
                                                  for _type, term, anchor, *_ in entries]


def _has_public_commentary(domain: PaperDomain, base: str) -> bool:
    """Whether the search finds ``base`` at its commentary's card: not at a draft's, which
    is in no index, so its mentions lead to it as if it had none."""
    commentary = domain.commentary(base)
    return commentary is not None and not commentary.byline.draft


def _terms(domain: PaperDomain, base: str, stopwords: Set[str]) -> Iterator[str]:
    # Single words or the whole title: an entry is found only by a query at least
    # half its length.
    yield from _ids(domain, base)
    for home in domain.homes(base):
        yield from _ids(domain, home.base)
    record = domain.record(base)
    if record:
        # A name BibTeX must keep whole is braced.
        yield from (surname(author).strip("{}") for author in record.authors)
        title = plain_text(record.title)
        yield title
        # Each word of the title too: the card's words rank below any page headed with
        # them, and a commentary's heading need not be its paper's title. Not the
        # little words, which would find every paper.
        yield from (word.lower() for word in re.findall(r"\w{3,}", title)
                    if not word.isdigit() and word.lower() not in stopwords)


def _ids(domain: PaperDomain, base: str) -> list[str]:
    """The paper's ID as a reader may search it: as cited (``arXiv:``, ``doi:``), with
    each version.

    Not the bare ID beside its versions: a versioned entry is found by the bare ID too
    (part of it, at least half its length), and the bare entries were a sixth of the
    index at 10,000 commentaries, which every edit reads and writes whole."""
    record = domain.record(base)
    paper = parse_paper_id(base)
    versions = range(1, (record.version if record else 0) + 1) if paper.versioned else ()
    return [paper.at(version).label for version in versions] or [paper.label]


def _searched(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, nodes.Element) and "no-search" in node["classes"]:
            return False
        node = node.parent
    return True


def _card_or_paper_link(node: nodes.Node) -> bool:
    return isinstance(node, paper_card) or (
        isinstance(node, nodes.reference) and "paper_link" in node)


#: Where each page's entries are kept from build to build (in the doctree folder).
ENTRIES_FILE = "mlcommentary-search-entries.json"


def keep_entries(app: Sphinx) -> list:
    """Give the index the entries of the pages this build did not write.

    Sphinx keeps what it finds in a page's index nodes only while it writes the page:
    its environment is saved before writing, and its index file is read back without
    them. So an incremental build's index lost the papers of every page it did not
    write (found by the test that compares it with a clean build's). Each page's
    entries are kept in the doctree folder and given back to the pages not written,
    before the index is written (which follows this event)."""
    index = internals.search_index(app.builder)
    if index is None:
        return []
    path = Path(app.doctreedir, ENTRIES_FILE)
    try:
        last = path.read_text(encoding="utf-8")
        kept = json.loads(last)
    except (OSError, ValueError):
        # None yet, or unreadable: the pages written now are all there is.
        last, kept = None, {}
    written = app.env.domains["paper"].written_search_entries
    kept = {docname: entries for docname, entries in {**kept, **written}.items()
            if docname in index.titles}  # (the pages in the index)
    for docname, entries in kept.items():
        if docname not in written:
            index.entries[docname] = sorted(
                {*index.entries.get(docname, ()),
                 *((term, anchor, "main") for term, anchor in entries)})
    # Sphinx lists an entry's pages in the order it fed them: by docname, as a clean
    # serial build feeds them, whichever pages this build wrote.
    ordered = sorted(index.entries.items())
    index.entries.clear()
    index.entries.update(ordered)
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False)
    if text != last:
        path.write_text(text, encoding="utf-8")
    return []


def drop_emptied_terms(app: Sphinx) -> list:
    """Sphinx's incremental index keeps a word of a page that is gone (deleted, a draft
    now) with no page: the index would differ from a clean build's, which has no such
    word. Dropped before the index is written (which follows this event)."""
    index = internals.search_index(app.builder)
    if index is not None:
        for mapping in index.terms:
            for word in [word for word, docnames in mapping.items() if not docnames]:
                del mapping[word]
    return []


def setup_search(app: Sphinx) -> None:
    app.add_post_transform(AddSearchEntries)
    app.connect("html-collect-pages", drop_emptied_terms)
    app.connect("html-collect-pages", keep_entries)
