"""The ``paper`` domain: every page's papers, and what the site knows of them.

While reading, each document records what it claims (its ``paper`` directive)
and what it mentions (roles and ``:related:``), under its own docname, so
``clear_doc`` and ``merge_domaindata`` are exact and parallel reads are safe.
Project-wide facts (who comments on each paper, where it is discussed) are
computed once after reading, in the main process, by ``refresh_view``; comparing
that view with the previous build's tells which pages must be rewritten.

Everything else reads the domain through its queries (``commentary``,
``commentaries``, ``discussed_in``, ``record``, ``title``), never its ``data``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from ..data.bibtex import citation_key, unique_keys
from ..data.frozen import pickled_as_tuple
from .byline import Byline
from ..data.ids import PaperId, InvalidPaperId, parse_paper_id
from ..data.metadata import PaperRecord
from .mathml import plain_node, rich_nodes
from ..data.sentences import sentence_at
from ..data.tex import plain_text
from .nodes import paper_card, paper_card_placeholder, paper_index_placeholder
from ..data.tags import tag_key

logger = logging.getLogger(__name__)


def paper_slug(paper_id: PaperId) -> str:
    """The paper's canonical ID as part of an HTML id: ``2110-02095``, ``doi-10-1109-…``
    (letters keep their case: OpenReview's forum IDs are case-sensitive)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", paper_id.base)


def paper_anchor(paper_id: PaperId) -> str:
    """The HTML id of a paper's card."""
    return "paper-" + paper_slug(paper_id)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Claim:
    """A page's ``paper`` directive: the paper it comments on, as the author cited it."""

    cited: str
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    #: Not compared: moving a directive changes no output.
    line: int | None = field(default=None, compare=False)
    #: The ``:tags:`` line, where a tag's warning points.
    tags_line: int | None = field(default=None, compare=False)
    #: The paper's other identifiers, as the author states them (``:also:``).
    also: tuple[str, ...] = ()


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Formula:
    """Math in a passage, as its TeX, while the sentence is cut (``_passage``)."""

    tex: str


@dataclass(slots=True)
class PagePapers:
    """What one page says about papers, recorded while it is read.

    Kept for every page in the pickled environment, which each build loads and
    pickles again: so no ``__dict__`` per object (slots), and tuples rather than
    lists, which the garbage collector stops tracking once they hold only strings
    and numbers (``collector.py`` says what its passes cost).
    """

    claims: dict[str, Claim] = field(default_factory=dict)
    #: Version-less ID -> the lines that mention it.
    mentions: dict[str, tuple[int | None, ...]] = field(default_factory=dict)
    #: What each of its paper indexes lists, and whether it draws how they connect:
    #: ``(tag keys, year, map)``, the first two may be empty.
    indexes: tuple[tuple[frozenset[str], str | None, bool], ...] = ()
    #: Its front matter's date, authors and draft status.
    byline: Byline = Byline()
    #: Its first paragraph of prose as plain text, but for the papers it names by
    #: reference alone: their titles are known only once the records are.
    summary: tuple[str | PaperId, ...] | None = None
    #: Version-less ID -> the sentence around its first mention in the page's prose,
    #: as ``_passage`` writes it: "Discussed in" on the paper's card quotes it.
    passages: dict[str, tuple[str | PaperId, ...]] = field(default_factory=dict)

    def lists(self, facts: PaperFacts, in_map: bool = False) -> bool:
        """Whether one of this page's indexes lists the paper ``facts`` describes (one
        that draws a map, with ``in_map``)."""
        return facts.docname is not None and not facts.byline.draft and any(
            (not keys or keys & facts.tag_keys()) and (year is None or year == facts.year)
            and (mapped or not in_map) for keys, year, mapped in self.indexes)


@dataclass(slots=True)
class PaperFacts:
    """The project-wide view of one paper, compared build to build (kept as lightly
    as ``PagePapers``)."""

    docname: str | None = None
    #: The owner's claim.
    claim: Claim | None = None
    discussed_in: tuple[str, ...] = ()
    #: For each page in ``discussed_in``, the sentence around its first mention of the
    #: paper, as that page keeps it (the same objects: no copy in memory or on disk).
    passages: tuple[tuple[str | PaperId, ...], ...] = ()
    record_digest: str | None = None
    year: str | None = None
    #: The owner's byline: it orders the indexes, and a draft is in none.
    byline: Byline = Byline()
    #: Its BibTeX key, on its card and in ``papers.bib``: a paper added elsewhere with
    #: the same key changes it (``bibtex.unique_keys``), and so the card.
    key: str | None = None
    #: The key its record gives it (``bibtex.citation_key``), before that.
    own_key: str | None = None
    #: Every identifier the paper is known by on the site, with its record's digest,
    #: when it has several (its card shows each home).
    homes: tuple[tuple[str, str | None], ...] = ()
    #: The papers its commentary mentions: the maps of the indexes that list it.
    links: tuple[str, ...] = ()

    def tag_keys(self) -> set[str]:
        return {tag_key(tag) for tag in self.claim.tags} if self.claim else set()

    def shown_elsewhere(self) -> tuple[Any, ...]:
        """What pages other than its owner and its "Discussed in" pages show of it
        (a draft commentary is linked from no other page)."""
        return self.docname, self.claim, self.record_digest, self.byline.draft


@dataclass(frozen=True)
class Commentary:
    """A paper with the page that comments on it: what indexes list."""

    paper_id: PaperId
    docname: str
    tags: tuple[str, ...]
    related: tuple[str, ...]
    record: PaperRecord | None
    byline: Byline = Byline()

    @property
    def year(self) -> str | None:
        return self.record.year if self.record else None

    @property
    def paper_date(self) -> str | None:
        """When the paper was first submitted."""
        return self.record.published if self.record else None

    @property
    def date(self) -> str | None:
        """The commentary's date, else its paper's: how commentaries are ordered by date."""
        return self.byline.date or self.paper_date


class PaperRole(XRefRole):
    """``{paper}`2110.02095``` or ``{paper}`the ViT paper <2010.11929>```."""

    innernodeclass = nodes.inline

    def result_nodes(self, document, env, node, is_ref):  # noqa: ANN001
        try:
            paper_id = parse_paper_id(node["reftarget"])
        except InvalidPaperId as err:
            logger.warning("%s", err, type="paper", subtype="bad_id", location=node)
            return [nodes.inline(node.astext(), node.astext(), classes=["paper-ref-invalid"])], []
        # Registered globally as well as in the domain, so name the domain here.
        node["refdomain"], node["reftype"] = "paper", "paper"
        node["reftarget"] = str(paper_id)
        env.domains["paper"].note_mention(env.current_document.docname, paper_id, node.line)
        return [node], []


class PaperDomain(Domain):
    name = "paper"
    # Search results read "<label> <object type>": "Research paper".
    label = "Research"
    object_types = {"paper": ObjType("paper", "paper")}
    roles = {"paper": PaperRole()}
    initial_data: dict[str, Any] = {
        "pages": {},  # docname -> PagePapers
        "view": {},  # version-less ID -> PaperFacts, as of the last refresh_view
        "tag_forms": {},  # tag key -> the spelling shown, as of the last refresh_view
        # An identifier -> the one its paper is known by on the site (its commentary's),
        # for the papers known by several, as of the last refresh_view.
        "aliases": {},
    }
    # Bumped whenever the stored data or the doctrees' placeholders change shape.
    data_version = 17
    dangling_warnings = {"paper": "cannot resolve paper reference %(target)s"}

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self._records: Mapping[str, PaperRecord] = {}
        #: The metadata file's ``commentaries``; None when the file cannot be used.
        self.kept_owners: Mapping[str, str] | None = None
        #: ``drafts()``, asked once per page written: made once after reading.
        self._drafts: frozenset[str] | None = None
        #: ``commentary()`` by ID, as of the last view and records: every index, feed
        #: and tag page asks for all 10,000 of them.
        self._commentaries: dict[str, Commentary | None] = {}
        #: While Sphinx reads (``set_pages_aside``): the pages read before, and those the
        #: reading processes send back, outside the environment.
        self._pages_aside: dict[str, PagePapers] | None = None
        #: The search entries of the pages this build writes (``search``), by docname,
        #: and every page's as the last build kept them (None: not kept).
        self.written_search_entries: dict[str, list[tuple[str, str]]] = {}
        self.kept_search_entries: dict[str, list[tuple[str, str]]] | None = None
        #: This build's builder, for the post-transforms, which Sphinx gives only the
        #: environment (``SphinxTransform.app`` is deprecated): set by ``note_builder``
        #: once the builder is ready, and never pickled (Sphinx pickles no domain).
        self.builder: Builder | None = None
        #: Titles with math as the search index names them (their TeX) -> as Unicode
        #: (``mathml.plain_titles_in_search``), filled as pages are resolved.
        self.plain_titles: dict[str, str] = {}
        #: A preview's lines as HTML, by what they show (``previews``): one paper's
        #: preview is the same on every page that links to it.
        self.rendered_previews: dict[tuple, str] = {}

    # -- per document, while reading ------------------------------------------

    def _page(self, docname: str) -> PagePapers:
        return self.data["pages"].setdefault(docname, PagePapers())

    def note_claim(self, docname: str, paper_id: PaperId, line: int | None,
                   tags: list[str], related: list[PaperId],
                   tags_line: int | None = None, also: list[PaperId] = ()) -> None:
        self._page(docname).claims[paper_id.base] = Claim(
            str(paper_id), tuple(tags), tuple(str(r) for r in related), line,
            tags_line or line, tuple(other.base for other in also))

    def note_mention(self, docname: str, paper_id: PaperId, line: int | None) -> None:
        mentions = self._page(docname).mentions
        mentions[paper_id.base] = (*mentions.get(paper_id.base, ()), line)

    def note_byline(self, docname: str, byline: Byline) -> None:
        self._drafts = None
        if byline:
            self._page(docname).byline = byline

    def process_doc(self, env: BuildEnvironment, docname: str,
                    document: nodes.document) -> None:
        page = self._page(docname)
        # Read from the placeholders, whichever directive made them.
        page.indexes = tuple(
            (frozenset(tag_key(tag) for tag in index["tags"]), index.get("year"),
             bool(index.get("map")))
            for index in document.findall(paper_index_placeholder))
        if page.byline.draft:
            # Sphinx's own way to keep a page out of the search index, and furo_sidebar's
            # out of the sidebar.
            env.metadata[docname]["nosearch"] = env.metadata[docname]["nonav"] = True
        page.passages = _passages(document)
        if page.claims:
            paragraph = first_paragraph(document)
            page.summary = tuple(_summary(paragraph)) if paragraph is not None else None

    def clear_doc(self, docname: str) -> None:
        self._drafts = None
        self.data["pages"].pop(docname, None)
        if self._pages_aside is not None:
            self._pages_aside.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        self._drafts = None
        pages = self.data["pages"] if self._pages_aside is None else self._pages_aside
        for docname in docnames:
            if docname in otherdata["pages"]:
                pages[docname] = otherdata["pages"][docname]

    def listings(self, docnames: Iterable[str]) -> list[str]:
        """Those of ``docnames`` that list commentaries (the home page, the tags', the
        years', the map): on a large site, the pages longest to resolve and write."""
        pages = self.data["pages"]
        return [docname for docname in docnames
                if docname in pages and pages[docname].indexes]

    def set_pages_aside(self) -> None:
        """``env-before-read-docs``: until reading ends, the environment holds only the
        pages read in this process. Under ``-j`` every reading process, forked from
        this one as the last ends, sends back its whole environment; with every page
        read so far in it, that grew with the square of the pages: at 10,000
        commentaries the main process spent 45 s unpickling 45 environments of up to
        21 MB, 13 MB of it these pages (-j 2 took 304 s, and 274 s without them)."""
        self._pages_aside = self.data["pages"]
        self.data["pages"] = {}

    def take_pages_back(self) -> None:
        """``env-updated``, before anything asks the domain about a page."""
        if self._pages_aside is not None:
            pages, self._pages_aside = self._pages_aside, None
            pages.update(self.data["pages"])
            self.data["pages"] = pages
            self._drafts = None

    # -- project-wide, after reading --------------------------------------------

    def use_records(self, records: Mapping[str, PaperRecord],
                    owners: Mapping[str, str] | None) -> None:
        """The records this build shows, and the commentary page each paper keeps.

        Both come from the metadata file (the records also from this build's fetch).
        ``owners`` is what makes a paper's commentary stable: a page that claims a
        paper another page already keeps never takes it over, whatever its name.
        """
        self._records = records
        self.kept_owners = owners
        self._commentaries = {}

    def owners(self) -> dict[str, str]:
        """The commentary page of every paper that has one, for the metadata file."""
        return {base: facts.docname for base, facts in self.data["view"].items()
                if facts.docname is not None}

    def _claims(self) -> Iterator[tuple[str, str, Claim]]:
        """Every claim as ``(base, docname, claim)``, in docname order."""
        for docname in sorted(self.data["pages"]):
            for base, claim in self.data["pages"][docname].claims.items():
                yield base, docname, claim

    def used(self) -> set[str]:
        """Every paper the site needs: claimed, mentioned, or named as another's identifier."""
        return {base for page in self.data["pages"].values()
                for base in itertools.chain(page.claims, page.mentions,
                                            *(claim.also for claim in page.claims.values()))}

    def uses(self) -> dict[str, list[tuple[str, int | None]]]:
        """Every paper the site needs, with the ``(docname, line)`` places that use it."""
        places: dict[str, list[tuple[str, int | None]]] = {}
        for docname in sorted(self.data["pages"]):
            page = self.data["pages"][docname]
            for base, claim in page.claims.items():
                places.setdefault(base, []).append((docname, claim.line))
                for other in claim.also:
                    places.setdefault(other, []).append((docname, claim.line))
            for base, lines in page.mentions.items():
                places.setdefault(base, []).extend((docname, line) for line in lines)
        return places

    def refresh_view(self) -> set[str]:
        """Recompute the project-wide view; return the docnames whose output it changes."""
        aliases, owners = self._identities()
        view: dict[str, PaperFacts] = {}
        claimants: dict[str, list[str]] = {}
        discussed_in: dict[str, list[str]] = {}
        passages: dict[str, list[tuple[str | PaperId, ...]]] = {}
        for base, docname, claim in self._claims():
            paper = aliases.get(base, base)
            claimants.setdefault(paper, []).append(docname)
            if paper not in view or owners.get(paper) == (docname, base):
                view[paper] = PaperFacts(docname, claim,
                                         byline=self.data["pages"][docname].byline)
        for docname in sorted(self.data["pages"]):
            if self.data["pages"][docname].byline.draft:
                # Its mentions are the draft's own: no published card names it.
                continue
            page = self.data["pages"][docname]
            for mentioned in page.mentions:
                base = aliases.get(mentioned, mentioned)
                # Not setdefault, which makes a PaperFacts for every mention (80,000
                # at 10,000 pages).
                facts = view.get(base)
                if facts is None:
                    facts = view[base] = PaperFacts()
                if docname != facts.docname and docname not in discussed_in.get(base, ()):
                    discussed_in.setdefault(base, []).append(docname)
                    passages.setdefault(base, []).append(page.passages.get(mentioned, ()))
        homes: dict[str, list[str]] = {}
        for alias, paper in sorted(aliases.items()):
            homes.setdefault(paper, []).append(alias)
        for base, facts in view.items():
            if facts.docname is not None:
                facts.links = tuple(sorted({aliases.get(other, other) for other
                                            in self.data["pages"][facts.docname].mentions}))
            facts.discussed_in = tuple(discussed_in.get(base, ()))
            facts.passages = tuple(passages.get(base, ()))
            facts.homes = tuple((alias, record.digest if (record := self._records.get(alias))
                                 else None) for alias in homes.get(base, ()))
            record = self._records.get(base)
            facts.record_digest = record.digest if record else None
            facts.year = record.year if record else None
            if record:
                before = self.data["view"].get(base)
                # Reading the names takes 0.1 ms a paper: kept while the records are.
                facts.own_key = (before.own_key if before and before.own_key
                                 and before.record_digest == facts.record_digest
                                 and before.homes == facts.homes
                                 else citation_key(self._published(
                                     base, [alias for alias, _ in facts.homes])[0]))
        keys = unique_keys({base: facts.own_key for base, facts in view.items()
                            if facts.own_key})
        for base, facts in view.items():
            facts.key = keys.get(base)

        old, self.data["view"] = self.data["view"], view
        old_aliases, self.data["aliases"] = self.data["aliases"], aliases
        self._commentaries = {}
        old_forms, self.data["tag_forms"] = self.data["tag_forms"], _tag_forms(view.values())
        reshown = {key for key in old_forms.keys() | self.data["tag_forms"].keys()
                   if old_forms.get(key) != self.data["tag_forms"].get(key)}
        pages = self.data["pages"]
        # Few pages have indexes (the home page, tags, years): ask only those, or a full
        # build asks every page about every paper.
        indexing = {docname: page for docname, page in pages.items() if page.indexes}
        affected: set[str] = set()
        for base in view.keys() | old.keys():
            before, after = old.get(base, PaperFacts()), view.get(base, PaperFacts())
            # A tag spelt anew shows on every card and index entry that has it.
            respelt = bool(reshown & (before.tag_keys() | after.tag_keys()))
            if before == after and not respelt:
                continue
            # Every card of the paper: its commentary's, and a second commentary's too.
            affected |= {before.docname, after.docname, *claimants.get(base, ())} - {None}
            # Only the card shows "Discussed in"; everything else also shows
            # on the pages that link to the paper and in the indexes that list it.
            shown_elsewhere = before.shown_elsewhere() != after.shown_elsewhere() or respelt
            if shown_elsewhere:
                affected |= {*before.discussed_in, *after.discussed_in}
                # And the cards that quote a sentence naming it by its title.
                affected |= self._quoting(base, {*before.discussed_in, *after.discussed_in},
                                          aliases, view)
            # Indexes also order by the byline, and leave drafts out; their maps draw
            # what the commentaries mention.
            if shown_elsewhere or before.byline != after.byline:
                affected |= {docname for docname, page in indexing.items()
                             if page.lists(before) or page.lists(after)}
            elif before.links != after.links:
                # A map changes where both ends of a link it gained or lost are on it.
                ends = [view[other] for other in set(before.links) ^ set(after.links)
                        if other in view]
                affected |= {docname for docname, page in indexing.items()
                             if (page.lists(before, in_map=True) or page.lists(after, in_map=True))
                             and any(page.lists(end, in_map=True) for end in ends)}
        # A page that names a paper by another of its identifiers links where the paper's
        # commentary is: when two identifiers become one paper, or stop being, it changes.
        renamed = {base for base in old_aliases.keys() | aliases.keys()
                   if old_aliases.get(base) != aliases.get(base)}
        if renamed:
            affected |= {docname for docname, page in pages.items()
                         if renamed & (page.mentions.keys() | page.claims.keys())}
        return affected & set(pages)

    def _quoting(self, base: str, pages: Set[str], aliases: Mapping[str, str],
                 view: Mapping[str, PaperFacts]) -> set[str]:
        """The commentaries whose cards quote a sentence of ``pages`` that names paper
        ``base`` by its ID alone (so by its title)."""
        quoting = set()
        for docname in pages & self.data["pages"].keys():
            for mentioned, passage in self.data["pages"][docname].passages.items():
                if any(isinstance(part, PaperId) and aliases.get(part.base, part.base) == base
                       for part in passage):
                    facts = view.get(aliases.get(mentioned, mentioned))
                    if facts is not None and facts.docname is not None:
                        quoting.add(facts.docname)
        return quoting

    def _identities(self) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
        """Which identifiers name one paper, and which claim keeps each claimed paper.

        Identifiers are one paper where a record says so (arXiv's DOI of the journal
        version, OpenReview's ``externalIds``) or an author does (``:also:``), among the
        identifiers the site uses. A paper's commentary is kept by the claim the
        metadata file records, else by the first page that claims it; the paper is then
        known by the identifier that page cites, and a paper no page claims by its
        first identifier. Returns ``(identifier -> that identifier, for every identifier
        of the papers known by several; paper -> (docname, identifier) of the claim that
        keeps it)``.
        """
        kept = self.kept_owners or {}
        used = self.used()
        parent: dict[str, str] = {}

        def root(base: str) -> str:
            while (up := parent.get(base, base)) != base:
                parent[base] = parent.get(up, up)  # halve the path, for the next asking
                base = up
            return base

        def join(one: str, other: str) -> None:
            if other in used and other != one:
                first, second = sorted((root(one), root(other)))
                if first != second:
                    parent[second] = first

        for base in used:
            if record := self._records.get(base):
                for other in record.other_ids:
                    join(base, other)
        claims = list(self._claims())
        for base, _docname, claim in claims:
            for other in claim.also:
                join(base, other)
        owners: dict[str, tuple[str, str]] = {}
        for base, docname, _claim in claims:
            group = root(base)
            if group not in owners or kept.get(base) == docname and kept.get(
                    owners[group][1]) != owners[group][0]:
                owners[group] = (docname, base)
        known_as = {group: owners[group][1] if group in owners else group
                    for group in {root(base) for base in parent}}
        aliases = {base: known_as[root(base)] for base in used if root(base) in known_as}
        return aliases, {known_as.get(group, group): claim for group, claim in owners.items()}

    def paper(self, base: str) -> str:
        """The identifier the site knows ``base``'s paper by (its commentary's)."""
        return self.data["aliases"].get(base, base)

    def homes(self, base: str) -> list[PaperId]:
        """The paper's other identifiers on the site, in their order."""
        facts = self.data["view"].get(self.paper(base))
        return [parse_paper_id(alias) for alias, _ in (facts.homes if facts else ())
                if alias != base]

    def check_consistency(self) -> None:
        """Warn on every page that claims a paper another page keeps, naming both places."""
        for base, docname, claim in self._claims():
            facts = self.data["view"][self.paper(base)]
            if docname == facts.docname:
                continue
            kept = parse_paper_id(facts.claim.cited).paper
            named = parse_paper_id(base).label
            if kept.base != base:
                named += f" (which is {kept.label})"
            logger.warning(
                "%s has two commentaries: %s keeps it (%s) and %s does not; this "
                "card links to the kept one. Merge the pages, or remove one directive",
                named, self._place(facts.docname, facts.claim.line), self._owner_rule(kept.base),
                self._place(docname, claim.line), type="paper", subtype="duplicate",
                location=(docname, claim.line))

        self._check_tag_spellings()

    def _check_tag_spellings(self) -> None:
        """One warning for each spelling of a tag other than the one shown, naming the
        first place of each: near-duplicates are the same tag, which reads as a slip."""
        first: dict[str, dict[str, tuple[str, int | None]]] = {}
        for _base, docname, claim in self._claims():
            for tag in claim.tags:
                first.setdefault(tag_key(tag), {}).setdefault(tag, (docname, claim.tags_line))
        forms = self.data["tag_forms"]
        for key, spellings in sorted(first.items()):
            shown = forms.get(key, min(spellings))
            for tag, (docname, line) in sorted(spellings.items()):
                if tag == shown or shown not in spellings:
                    continue
                where = ("each time" if spellings[shown][0] == docname
                         else "on both pages")
                logger.warning(
                    "tag %r at %s and tag %r at %s are one tag, shown as %r: "
                    "write it the same way %s",
                    tag, self._place(docname, line), shown, self._place(*spellings[shown]),
                    shown, where, type="paper", subtype="tag", location=(docname, line))

    def _owner_rule(self, base: str) -> str:
        if (self.kept_owners or {}).get(base) == self.data["view"][base].docname:
            return "it claimed the paper first, as the metadata file records"
        return "of the pages that claim it, its path sorts first"

    def _place(self, docname: str, line: int | None) -> str:
        return f"{self.env.doc2path(docname, False)}:{line}"

    # -- queries ----------------------------------------------------------------

    def record(self, base: str) -> PaperRecord | None:
        return self._records.get(base)

    def title(self, paper_id: PaperId) -> str:
        """The paper's title, or its identifier while the site has no record of it."""
        record = self._records.get(paper_id.base)
        return record.title if record else paper_id.label

    def commentary(self, base: str) -> Commentary | None:
        """The site's commentary on ``base``'s paper, if it has one."""
        base = self.paper(base)
        if base not in self._commentaries:
            self._commentaries[base] = self._make_commentary(base)
        return self._commentaries[base]

    def _make_commentary(self, base: str) -> Commentary | None:
        facts = self.data["view"].get(base)
        if facts is None or facts.docname is None:
            return None
        return Commentary(parse_paper_id(facts.claim.cited), facts.docname,
                          self._shown_tags(facts.claim.tags), facts.claim.related,
                          self._records.get(base), facts.byline)

    def _shown_tags(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """Each tag once, in the site's spelling, in the author's order."""
        forms = self.data["tag_forms"]
        shown: dict[str, str] = {}
        for tag in tags:
            # A draft's tag may be no other page's: it is shown as the draft writes it.
            shown.setdefault(tag_key(tag), forms.get(tag_key(tag), tag))
        return tuple(shown.values())

    def commentaries(self, tags: Set[str] = frozenset(), year: str | None = None,
                     sort: str = "paper", drafts: bool = False) -> list[Commentary]:
        """The site's commentaries but its drafts (unless ``drafts``), newest first by
        ``sort``: the ``paper``'s date or the ``commentary``'s (else its paper's).
        ``tags`` keeps those with any of them (spelt any way), ``year`` those on papers
        first submitted that year."""
        keys = {tag_key(tag) for tag in tags}
        found = [self.commentary(base) for base, facts in self.data["view"].items()
                 if facts.docname is not None and (drafts or not facts.byline.draft)
                 and (not keys or keys & facts.tag_keys())
                 and (year is None or facts.year == year)]
        by_date = (lambda c: c.date) if sort == "commentary" else (lambda c: c.paper_date)
        return sorted(found, key=lambda c: (by_date(c) or "", c.paper_id.base), reverse=True)

    def drafts(self) -> frozenset[str]:
        """Every page whose front matter makes it a draft, commentary or not."""
        if self._drafts is None:
            self._drafts = frozenset(docname for docname, page in self.data["pages"].items()
                                     if page.byline.draft)
        return self._drafts

    @staticmethod
    def shows(commentary: Commentary, docname: str) -> bool:
        """Whether page ``docname`` may link to ``commentary``: a draft is reached from
        no other page, so links to its paper go where they would without it."""
        return not commentary.byline.draft or commentary.docname == docname

    def byline(self, docname: str) -> Byline:
        """What page ``docname``'s front matter says of its date, authors and status."""
        page = self.data["pages"].get(docname)
        return page.byline if page else Byline()

    def description(self, commentary: Commentary) -> str:
        """A commentary as plain text, for Open Graph and feeds: its first paragraph, its
        paper references named as the page names them; while it has no prose of its
        own, its paper's abstract."""
        summary = self.data["pages"][commentary.docname].summary
        if summary is None:
            return plain_text(commentary.record.abstract) if commentary.record else ""
        return "".join(part if isinstance(part, str) else plain_text(self.title(part))
                       for part in summary)

    def tags(self) -> dict[str, str]:
        """Every tag of the site's commentaries: its key (and page name) -> its spelling."""
        return dict(sorted(self.data["tag_forms"].items()))

    def citation_key(self, base: str) -> str | None:
        """The paper's BibTeX key, unique on the site; None without a record."""
        facts = self.data["view"].get(self.paper(base))
        return facts.key if facts else None

    def cited_form(self, paper_id: PaperId) -> tuple[PaperRecord | None, PaperId]:
        """The record and identifier a citation of the paper uses: its published form (a
        journal's or a conference's record) where one of its identifiers has one, else
        ``paper_id``'s own."""
        record, base = self._published(paper_id.base,
                                       [home.base for home in self.homes(paper_id.base)])
        return record, paper_id if base == paper_id.base else parse_paper_id(base)

    def _published(self, base: str,
                   homes: Iterable[str]) -> tuple[PaperRecord | None, str]:
        """``base``'s record, unless it is no published form and one of ``homes`` has one."""
        own = self._records.get(base)
        if own is None or not own.venue_type:
            for home in homes:
                if (record := self._records.get(home)) and record.venue_type:
                    return record, home
        return own, base

    def bibliography(self) -> list[tuple[str, PaperRecord, PaperId]]:
        """Every paper the site uses that has a record, as ``(key, record, ID)``: in its
        published form where it has one, else as its commentary cites it."""
        entries = []
        for key, _, cited, _ in self._bibliography_facts():
            record, paper_id = self.cited_form(parse_paper_id(cited))
            entries.append((key, record, paper_id))
        return entries

    def bibliography_digest(self) -> str:
        """A digest that changes whenever ``bibliography()`` does; cheaper to make."""
        return _digest(list(self._bibliography_facts()))

    def _bibliography_facts(self) -> Iterator[tuple[str, str, str, Any]]:
        for base, facts in sorted(self.data["view"].items()):
            # A paper only drafts use is not yet one the site comments on or mentions.
            published = facts.discussed_in or (facts.docname and not facts.byline.draft)
            if facts.key is not None and published:
                yield (facts.key, base, facts.claim.cited if facts.claim else base,
                       (facts.record_digest, facts.homes))

    def facts(self, base: str) -> PaperFacts | None:
        """What the site knows of the paper ``base`` names (under any of its IDs)."""
        return self.data["view"].get(self.paper(base))

    def discussed_in(self, base: str) -> list[tuple[str, str]]:
        """The pages that mention the paper (not its commentary, not drafts), each with
        the sentence around its first mention, or "" where it names it only in a card."""
        facts = self.data["view"].get(self.paper(base))
        return ([(docname, self._passage_text(passage))
                 for docname, passage in zip(facts.discussed_in, facts.passages)]
                if facts else [])

    def neighbours(self, base: str, docname: str) -> tuple[list[str], list[str], list[str]]:
        """The paper's neighbourhood one step out, from its commentary ``docname``: the
        pages that discuss it, and the papers that page relates it to and mentions (each
        paper once, by the identifier the page names it with; the paper itself not)."""
        paper = self.paper(base)
        facts = self.data["view"].get(paper)
        page = self.data["pages"].get(docname, PagePapers())
        claim = page.claims.get(base)
        seen = {paper}

        def first_time(cited: str) -> bool:
            other = self.paper(parse_paper_id(cited).base)
            new = other not in seen
            seen.add(other)
            return new

        related = [cited for cited in (claim.related if claim else ()) if first_time(cited)]
        mentioned = [other for other in page.mentions if first_time(other)]
        return list(facts.discussed_in) if facts else [], related, mentioned

    def links_among(self, commentaries: list[Commentary]) -> list[set[int]]:
        """For each of ``commentaries``, the others (by position) that its page mentions
        or whose pages mention it."""
        position = {self.paper(c.paper_id.base): i for i, c in enumerate(commentaries)}
        links: list[set[int]] = [set() for _ in commentaries]
        for i, commentary in enumerate(commentaries):
            for mentioned in self.data["pages"][commentary.docname].mentions:
                j = position.get(self.paper(mentioned))
                if j is not None and j != i:
                    links[i].add(j)
                    links[j].add(i)
        return links

    def _passage_text(self, passage: tuple[str | PaperId, ...]) -> str:
        return "".join(part if isinstance(part, str) else self.title(part)
                       for part in passage)

    # -- references -------------------------------------------------------------

    def resolve_xref(self, env: BuildEnvironment, fromdocname: str, builder: Builder,
                     typ: str, target: str, node: pending_xref,
                     contnode: nodes.Element) -> nodes.reference | None:
        """A link to the paper's commentary on this site.

        Without one, Sphinx asks its ``missing-reference`` handlers: intersphinx
        finds a commentary on another site, and ``link_to_source`` comes last.
        """
        try:
            paper_id = parse_paper_id(target)
        except InvalidPaperId:
            return None
        target = self.commentary_target(paper_id, fromdocname)
        if target is None:
            return None
        contnode, tooltip = self._link_text(paper_id, node, contnode)
        reference = make_refnode(builder, fromdocname, *target, contnode, tooltip)
        reference["classes"].append("paper-ref")
        # How the previews find every link to a paper, whichever role or directive made it.
        reference["paper_link"] = paper_id.base
        return reference

    def commentary_target(self, paper_id: PaperId, fromdocname: str) -> tuple[str, str] | None:
        """Where a link from page ``fromdocname`` to the paper leads on this site: its
        commentary's page and card (whichever identifier the link names), if it has
        one that page may link to."""
        commentary = self.commentary(paper_id.base)
        if commentary is None or not self.shows(commentary, fromdocname):
            return None
        return commentary.docname, paper_anchor(commentary.paper_id)

    def link_to_source(self, node: pending_xref, contnode: nodes.Element) -> nodes.reference:
        paper_id = parse_paper_id(node["reftarget"])
        contnode, tooltip = self._link_text(paper_id, node, contnode)
        return nodes.reference("", "", contnode, refuri=paper_id.url, reftitle=tooltip,
                               internal=False, classes=["paper-ref"], paper_link=paper_id.base)

    def _link_text(self, paper_id: PaperId, node: pending_xref,
                   contnode: nodes.Element) -> tuple[nodes.Element, str]:
        """The author's text, or else the paper's title; and the tooltip."""
        if not node.get("refexplicit"):
            contnode = nodes.inline("", "", *rich_nodes(self.title(paper_id)))
        record = self._records.get(paper_id.base)
        tooltip = paper_id.label + (f": {plain_text(record.title)}" if record else "")
        return contnode, tooltip

    def resolve_any_xref(self, env: BuildEnvironment, fromdocname: str, builder: Builder,
                         target: str, node: pending_xref,
                         contnode: nodes.Element) -> list[tuple[str, nodes.reference]]:
        reference = self.resolve_xref(env, fromdocname, builder, "paper", target, node, contnode)
        return [("paper:paper", reference)] if reference is not None else []

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        # Not the drafts: this is objects.inv and the search index.
        for commentary in sorted(self.commentaries(), key=lambda c: c.paper_id.base):
            paper_id = commentary.paper_id
            # Search results are plain text.
            yield (paper_id.base, plain_text(self.title(paper_id)), "paper",
                   commentary.docname, paper_anchor(paper_id), 1)


def _in_prose(node: nodes.Node) -> bool:
    """Whether readers see ``node`` in a page's text: outside its cards and outside its
    front matter, the previews of its links and the parser's messages (domains read a
    document before Sphinx filters those out, so a front matter MyST cannot load would
    otherwise describe the page as "Malformed YAML")."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, (paper_card, paper_card_placeholder, nodes.docinfo,
                               nodes.Invisible, nodes.system_message)):
            return False
        parent = parent.parent
    return True


def first_paragraph(doctree: nodes.document) -> nodes.paragraph | None:
    """A commentary's first paragraph of prose."""
    return next((paragraph for paragraph in doctree.findall(nodes.paragraph)
                 if _in_prose(paragraph)), None)


def _summary(node: nodes.Node, mark: nodes.Node | None = None,
             formulas: bool = False) -> Iterator[str | PaperId | Formula]:
    """A paragraph as plain text (math as Unicode, or as ``Formula`` where
    ``formulas``), each paper it names by reference alone as its ID, and ``_HERE``
    where ``mark`` starts. Text rather than nodes: kept for every commentary, nodes
    would weigh ten times as much in the pickled environment."""
    if node is mark:
        yield _HERE
    if (isinstance(node, pending_xref) and node.get("refdomain") == "paper"
            and not node.get("refexplicit")):
        try:
            yield parse_paper_id(node["reftarget"])
        except InvalidPaperId:
            yield node.astext()
    elif formulas and isinstance(node, nodes.math):
        yield Formula(node.astext())
    elif isinstance(node, (nodes.Text, nodes.math)):
        yield plain_node(node)
    else:
        for child in node.children:
            yield from _summary(child, mark, formulas)


#: The most characters of a sentence a card quotes from a page that mentions its paper.
PASSAGE_CHARS = 240
#: While a sentence is cut, each paper named by reference alone and each formula
#: stands in as one character of Unicode's private use area (so none is cut in two),
#: and ``_HERE`` marks the mention.
_PAPER = 0xE000
_HERE = "\uf8ff"
_PAPERS = re.compile("([\ue000-\uf8fe])")


def _passages(document: nodes.document) -> dict[str, tuple[str | PaperId, ...]]:
    """Each paper the page's prose mentions -> the sentence around its first mention."""
    found: dict[str, tuple[str | PaperId, ...]] = {}
    for mention in document.findall(pending_xref):
        if mention.get("refdomain") != "paper" or not _in_prose(mention):
            continue
        try:
            base = parse_paper_id(mention["reftarget"]).base
        except InvalidPaperId:
            continue
        block = mention.parent
        while isinstance(block, nodes.Inline) or not isinstance(block, nodes.TextElement):
            if block.parent is None:
                break
            block = block.parent
        if base not in found:
            found[base] = _passage(block, mention)
    return found


def _passage(block: nodes.Node, mention: nodes.Node) -> tuple[str | PaperId, ...]:
    """The sentence around ``mention`` in ``block``, written as the records' text is
    (math in ``$``, a literal ``$`` escaped), but for the papers it names by reference
    alone. Mostly one string: most sentences name no paper by its ID alone."""
    named: dict[str, PaperId | Formula] = {}
    text = []
    for part in _summary(block, mention, formulas=True):
        if isinstance(part, str):
            part = part.replace("$", "\\$")
        else:
            stand_in = chr(_PAPER + len(named))
            named[stand_in] = part
            part = stand_in
        text.append(part)
    flat = " ".join("".join(text).split())
    position = flat.find(_HERE)
    sentence = sentence_at(flat.replace(_HERE, ""), max(position, 0), PASSAGE_CHARS)
    pieces: list[str | PaperId] = []
    for piece in _PAPERS.split(sentence):
        part = named.get(piece, piece)
        if isinstance(part, Formula):
            part = f"${part.tex}$"
        if isinstance(part, str) and pieces and isinstance(pieces[-1], str):
            pieces[-1] += part
        elif part:
            pieces.append(part)
    return tuple(pieces)


def _tag_forms(view: Iterable[PaperFacts]) -> dict[str, str]:
    """The spelling of each tag: the one most commentaries use, the first in sort order on
    a tie, so it does not depend on the order in which pages are read. A draft's tags
    are not the site's until it is published: they get no page."""
    counts = Counter(tag for facts in view if facts.claim and not facts.byline.draft
                     for tag in dict.fromkeys(facts.claim.tags))
    forms: dict[str, str] = {}
    for tag, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        forms.setdefault(tag_key(tag), tag)
    return forms


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def note_builder(app: Sphinx) -> None:
    app.env.domains["paper"].builder = app.builder
