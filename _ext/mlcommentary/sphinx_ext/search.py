"""Sphinx's search finds papers by arXiv ID, author and title.

Its full-text index drops numbers (``2303.00676`` is two of them) and the query's
numeric words too, so an ID can only be found as an *index entry*: those are
matched against the whole query and rank above every word match. A paper's
commentary gets invisible entries at its card: its ID (``arXiv:`` and the ID,
also with each version: the query may be any part of an entry at least half as
long) and the IDs its source gives it, its authors' surnames and whole names, its
title, what the title names before a colon ("LoRA") and the title's words. A paper
with no commentary (or a draft's alone) gets the entries of its IDs, its authors and
its title's name at its first link on each page that mentions it. Made when the page
is written, from the records of that build, so a changed record changes them without
the page being read again.

The entries are not in Sphinx's ``searchindex.js``, which every build reads and writes
whole: they were 7 MB of its 12 at 10,000 commentaries, a second of every prose edit.
They are kept in a script of their own (``ENTRIES_SCRIPT``), written only when they
change, which the search page loads after Sphinx's search and which merges them into
Sphinx's index as it arrives, as Sphinx would have written them there
(``assets/search-entries.js``). A script, not data to fetch: it loads from disk
(``file://``) too, where Sphinx's search is the one a reader has.

Only for the builders that write a search index; the general index (genindex)
is not made from these, and every other output is left alone.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Iterator, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.index_entries import split_index_msg

from .. import internals
from ..data.bibtex import surname
from ..data.digests import source_digest
from . import formats
from .domain import PaperDomain, paper_anchor
from ..data.ids import parse_paper_id
from ..data.metadata import PaperRecord, replace_atomically
from .nodes import found, paper_card
from ..data.tex import plain_text


def mention_anchor(base: str) -> str:
    return "mention-" + paper_anchor(parse_paper_id(base))


class AddSearchEntries(SphinxPostTransform):
    """The entries that find a page's papers, noted in the domain for ``write_entries``;
    and the anchors they lead to."""

    # After the references are resolved (10), before the links become previews (210).
    default_priority = 205
    builders = formats.SEARCH

    def run(self, **kwargs: Any) -> None:
        domain: PaperDomain = self.env.domains["paper"]
        indexer = getattr(domain.builder, "indexer", None)
        if indexer is None:  # html_search off: no search index to feed
            return
        docname = self.env.current_document.docname
        entries: list[tuple[str, str]] = []
        stopwords = indexer.lang.stopwords
        mentioned: set[str] = set()
        # One walk for both: an index page's thousands of links make each walk count.
        for node in found(self.document, nodes.Element, _card_or_paper_link):
            if isinstance(node, paper_card):
                base = parse_paper_id(node["paper_id"]).base
                commentary = domain.commentary(base)
                if commentary is not None and commentary.docname == docname and node["ids"]:
                    entries += [(term, node["ids"][0])
                                for term in _terms(domain, base, stopwords)]
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
            record = domain.record(base)
            entries += [(term, mention_anchor(base)) for term in [
                *_ids(domain, base), *_authors(record),
                *_short_name(plain_text(record.title) if record else "")]]
        # As Sphinx files an index directive's entries: each split at "; " as a single
        # entry's parts are, lower-cased, once each, in order.
        domain.written_search_entries[docname] = sorted(
            {(part.lower(), anchor) for term, anchor in entries for part in _filed(term)})


def _filed(term: str) -> list[str]:
    try:
        return split_index_msg("single", term)
    except ValueError:  # nothing but spaces and semicolons: Sphinx files nothing
        return []


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
        yield from _authors(record)
        title = plain_text(record.title)
        yield title
        yield from _short_name(title)
        # Each word of the title too: the card's words rank below any page headed with
        # them, and a commentary's heading need not be its paper's title. Not the
        # little words, which would find every paper.
        yield from (word.lower() for word in re.findall(r"\w{3,}", title)
                    if not word.isdigit() and word.lower() not in stopwords)


def _authors(record: PaperRecord | None) -> Iterator[str]:
    """Each author by surname and by whole name: a query finds an entry at most twice
    its length, and "Fei-Fei Li" is five times "Li". A name BibTeX must keep whole is
    braced."""
    for author in record.authors if record else ():
        yield surname(author).strip("{}")
        yield plain_text(author)


def _short_name(title: str) -> list[str]:
    """What a title before its colon names, as readers call the paper ("LoRA" for "LoRA:
    Low-Rank Adaptation of Large Language Models"): the whole title is an entry no
    query of a few words is half as long as."""
    name, colon, _ = title.partition(":")
    return [name.strip()] if colon and name.strip() else []


def _ids(domain: PaperDomain, base: str) -> list[str]:
    """The paper's IDs as a reader may search them: as cited (``arXiv:``, ``doi:``),
    with each version.

    Not the bare ID beside its versions: a versioned entry is found by the bare ID too
    (part of it, at least half its length), and the bare entries were a sixth of the
    index at 10,000 commentaries, which every edit reads and writes whole."""
    record = domain.record(base)
    paper = parse_paper_id(base)
    versions = range(1, (record.version if record else 0) + 1) if paper.versioned else ()
    # And the IDs its source gives it (arXiv's "related DOI"): "doi:10.1086/307221" is
    # found by the bare DOI too.
    return [*([paper.at(version).label for version in versions] or [paper.label]),
            *(parse_paper_id(other).label for other in (record.other_ids if record else ()))]


def _searched(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, nodes.Element) and "no-search" in node["classes"]:
            return False
        node = node.parent
    return True


def _card_or_paper_link(node: nodes.Node) -> bool:
    return isinstance(node, paper_card) or (
        isinstance(node, nodes.reference) and "paper_link" in node)


#: Every page's entries, kept from build to build in the doctree folder: a build
#: writes the entries of the pages it writes, and the others' come from here.
ENTRIES_FILE = "mlcommentary-search-entries.pickle"
#: The script of the entries, in ``_static``, and the one that merges them (an asset).
ENTRIES_SCRIPT, MERGE_SCRIPT = "search-entries-data.js", "search-entries.js"
#: Kept with them: entries made by other code are made again.
_CODE = source_digest("sphinx_ext/search.py", "data/tex.py", "data/bibtex.py")[:16]


def _searched_builder(app: Sphinx) -> bool:
    """Whether the builder writes Sphinx's search index (``search``: not HTML Help's)."""
    return app.builder.name in formats.SEARCH and getattr(app.builder, "search", False)


def _kept_entries(app: Sphinx) -> dict[str, list[tuple[str, str]]] | None:
    try:
        code, kept = pickle.loads(Path(app.doctreedir, ENTRIES_FILE).read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return None  # none yet, or unreadable
    return kept if code == _CODE else None


def write_every_page_once(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: every page, when the entries of the pages this build does not
    write are not kept (the first build of this code, a doctree folder from elsewhere):
    the search would lose their papers until each was written again."""
    if not _searched_builder(app):
        return []
    domain: PaperDomain = env.domains["paper"]
    domain.kept_search_entries = _kept_entries(app)
    return sorted(env.found_docs) if domain.kept_search_entries is None else []


def write_entries(app: Sphinx) -> list:
    """``html-collect-pages``, before the search page is written (which names the script
    with its checksum): the entries' script, when they changed since it was written."""
    if not _searched_builder(app):
        return []
    env = app.env
    domain: PaperDomain = env.domains["paper"]
    last = domain.kept_search_entries or {}
    # The pages Sphinx's index has: not the gone ones, not the drafts (nosearch).
    kept = {docname: entries for docname, entries
            in sorted({**last, **domain.written_search_entries}.items())
            if docname in env.all_docs and "nosearch" not in env.metadata[docname]}
    script = Path(app.outdir, "_static", ENTRIES_SCRIPT)
    if kept != last or domain.kept_search_entries is None or not script.exists():
        # Each page's entries by the anchor they lead to, which is written once.
        by_anchor: dict[str, dict[str, list[str]]] = {}
        for docname, entries in kept.items():
            for entry, anchor in entries:
                by_anchor.setdefault(docname, {}).setdefault(anchor, []).append(entry)
        text = json.dumps(by_anchor, ensure_ascii=False, separators=(",", ":"))
        # Whole or not at all: a file cut short would lose the entries of every page
        # the next build does not write.
        replace_atomically(script, f"mlcommentarySearchEntries({text});\n")
        replace_atomically(Path(app.doctreedir, ENTRIES_FILE),
                           pickle.dumps((_CODE, kept), protocol=pickle.HIGHEST_PROTOCOL))
    return []


def add_entries_scripts(app: Sphinx, pagename: str, templatename: str,
                        context: dict[str, Any], doctree: nodes.document | None) -> None:
    """On Sphinx's search page, after its own scripts: deferred, they run once Sphinx's
    are loaded, before or after its index (``MERGE_SCRIPT`` takes either)."""
    if templatename == "search.html" and _searched_builder(app):
        app.add_js_file(MERGE_SCRIPT, defer="defer")
        app.add_js_file(ENTRIES_SCRIPT, defer="defer")


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
    app.connect("env-get-updated", write_every_page_once)
    app.connect("html-collect-pages", write_entries)
    app.connect("html-page-context", add_entries_scripts)
