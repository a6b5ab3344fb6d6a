"""Cards and paper indexes, built from standard docutils nodes at resolve time.

``BuildCards`` runs for every builder, so LaTeX, text and epub get a plain
citation for free; ``MakeCardsInteractive`` runs for the HTML builders only and
folds the long parts (the abstract, the BibTeX, long author lists) into
``<details>`` elements. The nodes themselves are in ``nodes``. Where browsers' pages
are written one by one, an index's lines are made as the page is (``listings``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from ..data.bibtex import bibtex_entry
from . import formats, maps
from .byline import Byline
from .domain import Commentary, PaperDomain, paper_anchor, paper_slug, tag_key
from ..data.ids import PaperId, parse_paper_id
from ..data.metadata import PaperRecord, first_day
from .mathml import plain_node, rich_nodes
from ..data.tex import plain_text
from .nodes import (
    found,
    is_part,
    paper_card,
    paper_card_placeholder,
    paper_details,
    paper_details_summary,
    paper_index_placeholder,
    paper_listing,
    paper_notice,
)
from ..exports.pages import tag_page, year_page

logger = logging.getLogger(__name__)

#: Authors shown before the rest are folded away (in HTML).
AUTHORS_SHOWN = 5
#: Authors named in an index entry before "et al.".
AUTHORS_IN_INDEX = 3
_DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
#: The longest line of BibTeX that fits the PDF's card (it holds some 80 characters).
BIBTEX_WIDTH = 72


class BuildCards(SphinxPostTransform):
    """Replace the placeholders with cards and indexes from the metadata."""

    # Before the ReferencesResolver (10), which then resolves the related papers.
    default_priority = 5

    def run(self, **kwargs) -> None:  # noqa: ANN003
        domain: PaperDomain = self.env.domains["paper"]
        self._builder = domain.builder
        self._links = PageLinks(domain, self._builder, self.env.current_document.docname)
        with_byline = set()
        for placeholder in list(self.document.findall(paper_card_placeholder)):
            card = self._card(domain, placeholder)
            # At the end of the commentary's section: after what the author says.
            section = _section_of(placeholder)
            neighbourhood = self._neighbourhood(domain, placeholder)
            if neighbourhood is not None and section is not None:
                section += neighbourhood
            # A page's byline goes under its first card.
            if placeholder["docname"] not in with_byline:
                with_byline.add(placeholder["docname"])
                card = [card, *_byline(domain.byline(placeholder["docname"]))]
            placeholder.replace_self(card)
        for placeholder in list(self.document.findall(paper_index_placeholder)):
            placeholder.replace_self(self._index(domain, placeholder))

    def _card(self, domain: PaperDomain, placeholder: paper_card_placeholder) -> paper_card:
        paper_id = parse_paper_id(placeholder["paper_id"])
        record = domain.record(paper_id.base)
        card = paper_card(ids=placeholder["ids"], paper_id=str(paper_id))
        # Every link in the card is located at the directive (linkcheck, warnings).
        card.source, card.line = placeholder.source, placeholder.line
        # Not env.docname: a builder that resolves the whole book as one tree (LaTeX)
        # resolves every page's cards under the master document's name.
        docname = placeholder["docname"]
        title = domain.title(paper_id)
        if not self._is_page_title(docname, title):
            strong = nodes.strong("", "", *rich_nodes(title))
            card += _part("title", nodes.paragraph("", "", strong))
        homes = [(home, domain.record(home.base)) for home in domain.homes(paper_id.base)]
        if record:
            card += _part("authors", nodes.paragraph("", ", ".join(record.authors),
                                                     authors=list(record.authors)))
            card += _status(record, paper_id, homes)
        else:
            card += _part("missing", nodes.paragraph(
                "", "The site has no metadata for this paper yet."))
        commentary = domain.commentary(paper_id.base)
        if commentary and commentary.docname != docname and domain.shows(commentary, docname):
            card += _part("elsewhere", nodes.paragraph(
                "", "The site's commentary on this paper is ",
                self._page_link(commentary.docname), nodes.Text(".")))

        facts = _part("facts", nodes.field_list())
        if record:
            facts += _field("Submitted" if paper_id.versioned else "Published",
                            _dates(record, paper_id))
            if record.primary_category:
                facts += _field("Categories", _categories(record))
            if record.keywords:
                facts += _field("Keywords", _joined(nodes.Text(k) for k in record.keywords))
            # A withdrawn paper's comment is the withdrawal notice, shown above.
            if record.comment and not record.withdrawn:
                facts += _field("Comment", rich_nodes(record.comment))
        facts += _field("Links", _joined([
            _link(paper_id.label, paper_id.url),
            *([_link("PDF", paper_id.pdf_url)] if paper_id.pdf_url else [])]))
        if homes:
            # The same paper where else it is kept: its journal's DOI, its OpenReview forum.
            facts += _field("Also", _joined(_link(home.label, home.url) for home, _ in homes))
        if placeholder["tags"]:
            # The site's spelling of each tag, unless another page keeps the paper.
            tags = commentary.tags if commentary and commentary.docname == docname \
                else placeholder["tags"]
            facts += _field("Tags", [self._links.tags(tags)])
        if placeholder["related"]:
            facts += _field("Related", _joined(_xref("paper", related)
                                               for related in placeholder["related"]))
        discussed = domain.discussed_in(paper_id.base)
        if discussed:
            facts += _field("Discussed in", nodes.bullet_list(
                "", *(nodes.list_item("", self._discussion(docname, passage))
                      for docname, passage in discussed), classes=["paper-discussions"]))
        card += facts

        if record:
            if record.abstract:
                card += _foldable("abstract", "Abstract",
                                  nodes.paragraph("", "", *rich_nodes(record.abstract)))
            cited_record, cited = domain.cited_form(paper_id)
            bibtex = bibtex_entry(cited_record or record, cited,
                                  domain.citation_key(paper_id.base))
            if self._builder.format == "latex":
                bibtex = _broken(bibtex)
            card += _foldable("bibtex", "BibTeX",
                              nodes.literal_block(bibtex, bibtex, language="bibtex"))
        return card

    def _page_link(self, docname: str) -> nodes.Element:
        """A link to page ``docname``, titled as Sphinx's ``doc`` reference would be but
        with the math as Unicode: Sphinx writes an author's ``$\\mu$`` as ``\\mu``.
        In LaTeX, where pdflatex has no glyph for a Unicode ``μ`` in text, as math."""
        title = self.env.titles.get(docname)
        if title is None:
            return _xref("doc", "/" + docname)
        if self._builder.format != "latex":
            return _xref("doc", "/" + docname, plain_node(title))
        text = nodes.inline("", "", *(child.deepcopy() for child in title.children),
                            classes=["doc"])
        try:
            return make_refnode(self._builder, self.env.current_document.docname, docname,
                                None, text)
        except NoUri:  # a page the book leaves out
            return text

    def _neighbourhood(self, domain: PaperDomain,
                       placeholder: paper_card_placeholder) -> nodes.section | None:
        """The commentary's map of its paper (a card on any other page has none)."""
        paper_id = parse_paper_id(placeholder["paper_id"])
        docname = placeholder["docname"]
        commentary = domain.commentary(paper_id.base)
        if commentary is None or commentary.docname != docname:
            return None
        discussed, related, mentioned = domain.neighbours(paper_id.base, docname)
        section_id = "map-" + paper_slug(paper_id)
        if self._builder.name not in formats.MAP_PICTURES:
            return maps.lists(section_id, [
                (maps.DISCUSSED, [self._page_link(page) for page in discussed]),
                (maps.RELATED, [_xref("paper", other) for other in related]),
                (maps.MENTIONED, [_xref("paper", other) for other in mentioned])])
        record = domain.record(paper_id.base)
        meta = f"{short_authors(record)} ({record.year})" if record else paper_id.label
        return maps.picture(section_id, plain_text(domain.title(paper_id)), meta, [
            (maps.DISCUSSED, [maps.Box(plain_node(self.env.titles[page]) if page in
                                       self.env.titles else page, self._links.address(page))
                              for page in discussed]),
            (maps.RELATED, [self._paper_box(domain, other) for other in related]),
            (maps.MENTIONED, [self._paper_box(domain, other) for other in mentioned])])

    def _paper_box(self, domain: PaperDomain, cited: str) -> maps.Box:
        """A paper's box: to its commentary as a link to it leads, else to its source."""
        paper_id = parse_paper_id(cited)
        target = domain.commentary_target(paper_id, self.env.current_document.docname)
        href = self._anchored(*target) if target else paper_id.url
        return maps.Box(plain_text(domain.title(paper_id)), href)

    def _anchored(self, docname: str, anchor: str) -> str:
        """``anchor`` on page ``docname``, from this page. One-page HTML addresses a page
        by an anchor of its own: the card's replaces it, as Sphinx's ``fix_refuris``
        does for references."""
        return self._links.address(docname).partition("#")[0] + "#" + anchor

    def _discussion(self, docname: str, passage: str) -> nodes.paragraph:
        """Page ``docname``, linked, and what it says where it mentions the paper."""
        line = nodes.paragraph("", "", self._page_link(docname))
        if passage:
            line += [nodes.Text(": "), nodes.inline(
                "", "", nodes.Text("“"), *rich_nodes(passage), nodes.Text("”"),
                classes=["paper-passage"])]
        return line

    def _is_page_title(self, docname: str, title: str) -> bool:
        """Whether page ``docname`` is titled ``title``: then its card does not repeat it."""
        page_title = self.env.titles.get(docname)
        return (page_title is not None
                and _folded(plain_node(page_title)) == _folded(plain_text(title)))

    def _index(self, domain: PaperDomain, placeholder: paper_index_placeholder) -> nodes.Element:
        wanted = frozenset(placeholder["tags"])
        commentaries = domain.commentaries(tags=wanted, year=placeholder.get("year"),
                                           sort=placeholder.get("sort", "paper"))
        commentaries = commentaries[:placeholder.get("limit")]
        site_tags = self._links.site_tags
        unknown = sorted(tag for tag in wanted if tag_key(tag) not in site_tags)
        # One warning: an index that lists nothing because of a misspelt tag says both.
        existing = (f"; the tags that exist: {', '.join(site_tags.values()) or 'none'}"
                    if unknown else "")
        if not commentaries:
            which = f" tagged {', '.join(sorted(wanted))}" if wanted else ""
            logger.warning("paper-index lists no commentaries%s%s", which, existing,
                           type="paper", subtype="empty_index", location=placeholder)
            return nodes.paragraph("", "No commentaries yet.", classes=["paper-index-empty"])
        if unknown:
            logger.warning("paper-index names tags no commentary has: %s%s",
                           ", ".join(unknown), existing, type="paper",
                           subtype="unknown_tag", location=placeholder)
        if not placeholder.get("listing", True):
            # The site's map page: the map alone, its page's title heading it.
            return (self._links_map(domain, commentaries, heading=False)
                    or nodes.paragraph("", "No commentary mentions another yet.",
                                       classes=["paper-index-empty"]))
        sort = placeholder.get("sort")
        if self._builder.name in formats.LISTED_WHEN_WRITTEN:
            items = paper_listing(papers=[c.paper_id.base for c in commentaries], sort=sort)
        else:
            items = index_list(nodes.list_item("", self._links.index_line(commentary, sort))
                               for commentary in commentaries)
        if placeholder.get("map"):
            links_map = self._links_map(domain, commentaries)
            if links_map is not None:
                return [items, links_map]
        return items

    def _links_map(self, domain: PaperDomain, commentaries: list[Commentary],
                   heading: bool = True) -> nodes.container | None:
        """How the index's commentaries connect (the most linked of them, where they are
        many), or None when none mentions another."""
        links = domain.links_among(commentaries)
        total, most = len(commentaries), self.config.paper_map_size
        if total > most:
            kept = sorted(range(total), key=lambda i: (-len(links[i]), i))[:most]
            # The links among those kept, renumbered: the same links, without asking again.
            position = {old: new for new, old in enumerate(kept)}
            commentaries = [commentaries[i] for i in kept]
            links = [{position[j] for j in links[i] if j in position} for i in kept]
        groups = maps.arrange(links)
        if not groups:
            return None
        drawn = sum(len(group) for group in groups)
        if total > most:
            note = f"The {drawn} of these {total} commentaries that link most to the others."
        elif drawn < total:
            note = f"{total - drawn} of the {total} commentaries link to none of the others."
        else:
            note = ""
        body: list[nodes.Node] = [nodes.rubric(maps.MAP_TITLE, maps.MAP_TITLE)] if heading else []
        if self._builder.name in formats.MAP_PICTURES:
            boxes = [maps.Box(plain_text(domain.title(c.paper_id)),
                              self._anchored(c.docname, paper_anchor(c.paper_id)))
                     for c in commentaries]
            body.append(maps.paper_map("", svg=maps.draw_links(
                maps.MAP_TITLE, boxes, links, groups)))
        else:
            body.append(nodes.bullet_list("", *(
                nodes.list_item("", nodes.paragraph(
                    "", "", _xref("paper", commentaries[item].paper_id.base),
                    nodes.Text(" — links to " + ", ".join(
                        plain_text(domain.title(commentaries[other].paper_id))
                        for other in sorted(links[item], key=group.index)))))
                for group in groups for item in group)))
        if note:
            body.append(nodes.paragraph("", note, classes=["paper-map-note"]))
        return nodes.container("", *body, classes=["paper-map-links-section", "no-search"])


class PageLinks:
    """The links page ``docname`` makes to the site's pages, each address worked out
    once a page: an index links to the same few pages thousands of times. Tags and
    years link to their pages in browsers; a book or plain text needs no such links
    (its pages list the papers once, in order)."""

    def __init__(self, domain: PaperDomain, builder: Builder, docname: str) -> None:
        self._builder, self._docname = builder, docname
        self._linked = builder.format == "html"
        self.site_tags = domain.tags()
        self._addresses: dict[str, str] = {}

    def address(self, docname: str) -> str:
        """Page ``docname``'s address from this page."""
        if docname == self._docname:
            return ""
        if docname not in self._addresses:
            self._addresses[docname] = self._builder.get_relative_uri(self._docname, docname)
        return self._addresses[docname]

    def index_line(self, commentary: Commentary, sort: str | None) -> nodes.paragraph:
        """A commentary's line in an index: its paper, authors, year and tags."""
        record = commentary.record
        # Not explicit: the domain writes the title as the link text, with its math.
        line = nodes.paragraph("", "", _xref("paper", commentary.paper_id.base))
        if record:
            year = (self._listing_link(year_page(record.year),
                                       nodes.inline(record.year, record.year, classes=["doc"]))
                    if self._links_to(year_page(record.year)) else nodes.Text(record.year))
            line += [nodes.Text(f" — {short_authors(record)} ("), year, nodes.Text(")")]
        # Listed by when they were written, they say when.
        if sort == "commentary" and commentary.byline.date:
            line += nodes.Text(f"; commentary of {human_date(commentary.byline.date)}")
        if commentary.tags:
            line += self.tags(commentary.tags, lead_in=". Tags: ")
        return line

    def tags(self, tags: list[str], lead_in: str = "") -> nodes.inline:
        """The tags after ``lead_in``, with commas: without the pills that browsers get
        (``as_pills``), "scaling transfer learning" would read as one tag.
        In browsers, each tag the site has a page for links to it."""
        items = []
        for tag in tags:
            pill = nodes.inline(tag, tag, classes=["paper-tag"])
            key = tag_key(tag)
            if key not in self.site_tags or not self._links_to(tag_page(key)):
                items.append(pill)
                continue
            # Linked here, not by a "doc" reference, which would drop the pill's class.
            link = self._listing_link(tag_page(key), pill)
            link["classes"].append("paper-tag-link")
            items.append(link)
        return nodes.inline("", lead_in, *_joined(items), paper_tag_list=True, lead_in=lead_in)

    def _listing_link(self, docname: str, child: nodes.Node) -> nodes.reference:
        """A link to a tag's or year's page, as a "doc" reference resolves."""
        return nodes.reference("", "", child, internal=True, refuri=self.address(docname))

    def _links_to(self, docname: str) -> bool:
        """Whether to link to a tag's or year's page: in browsers, unless it is this page."""
        return self._linked and docname != self._docname


class MakeCardsInteractive(SphinxPostTransform):
    """Fold the abstract, the BibTeX and long author lists, and show tags as pills,
    for browsers only."""

    default_priority = 200
    builders = formats.INTERACTIVE

    def run(self, **kwargs) -> None:  # noqa: ANN003
        for tags in found(self.document, nodes.inline, is_tag_list):
            tags.replace_self(as_pills(tags))
        for card in list(self.document.findall(paper_card)):
            for part in list(card.children):
                if part.get("foldable"):
                    heading, *body = part.children
                    part.replace_self(paper_details(
                        "", paper_details_summary("", heading.astext()), *body,
                        classes=part["classes"], paper_part=part["paper_part"]))
                elif is_part(part, "authors"):
                    self._fold_authors(part)

    @staticmethod
    def _fold_authors(paragraph: nodes.paragraph) -> None:
        authors = paragraph["authors"]
        if len(authors) <= AUTHORS_SHOWN + 1:
            return
        shown, rest = authors[:AUTHORS_SHOWN], authors[AUTHORS_SHOWN:]
        folded = _part("authors", nodes.container())
        folded += nodes.paragraph("", ", ".join(shown) + ",")
        folded += paper_details(
            "", paper_details_summary("", f"and {len(rest)} more"),
            nodes.paragraph("", ", ".join(rest)), classes=["paper-authors-more"])
        paragraph.replace_self(folded)


def index_list(items: Iterable[nodes.list_item]) -> nodes.bullet_list:
    # Not searched: each paper is found on its own page. Searched, every listing
    # (the home page, a tag's, a year's) matched almost any query.
    return nodes.bullet_list("", *items, classes=["paper-index", "no-search"])


def as_pills(tags: nodes.inline) -> list[nodes.Node]:
    """A list of ``PageLinks.tags`` as browsers show it: the pills set the tags apart, so
    no commas, and a space for a lead-in."""
    pills = [child for child in tags.children if not isinstance(child, nodes.Text)]
    lead_in = [nodes.Text(" ")] if tags["lead_in"] else []
    return [*lead_in, *_joined(pills, " ")]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _section_of(node: nodes.Node) -> nodes.section | None:
    while node is not None and not isinstance(node, nodes.section):
        node = node.parent
    return node


def _part(name: str, node: nodes.Element) -> nodes.Element:
    """``node`` as the card's part ``name``: found by that, styled by ``paper-card-<name>``."""
    node["paper_part"] = name
    node["classes"].append(f"paper-card-{name}")
    return node


def _foldable(name: str, title: str, body: nodes.Element) -> nodes.container:
    """A titled part that HTML folds away; other builders show it as it is."""
    return _part(name, nodes.container("", nodes.rubric(title, title), body, foldable=True))


def _field(name: str, body: list[nodes.Node] | nodes.Body) -> nodes.field:
    """A fact: inline ``body`` as one paragraph, or a block (a list) as it is."""
    block = body if isinstance(body, nodes.Body) else nodes.paragraph("", "", *body)
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", block))


def _joined(parts, separator: str = ", ") -> list[nodes.Node]:  # noqa: ANN001
    joined: list[nodes.Node] = []
    for part in parts:
        if joined:
            joined.append(nodes.Text(separator))
        joined.append(part)
    return joined


def is_tag_list(node: nodes.inline) -> bool:
    return node.get("paper_tag_list", False)


def _link(text: str, url: str) -> nodes.reference:
    return nodes.reference(text, text, refuri=url, internal=False)


def _status(record: PaperRecord, paper_id: PaperId,
            homes: list[tuple[PaperId, PaperRecord | None]]) -> list[nodes.Element]:
    """What became of the paper: withdrawn, published (as its record or another of its
    identifiers' says), its venue's decision, or newer than the version cited."""
    parts = []
    if record.withdrawn:
        notice = nodes.paragraph("", "arXiv marks this paper as withdrawn. Its comment: “",
                                 *rich_nodes(record.comment), nodes.Text("”"))
        parts.append(_part("withdrawn", paper_notice(
            "", nodes.title("Withdrawn", "Withdrawn"), notice)))
    published = next((r for r in (record, *(r for _, r in homes if r))
                      if r.journal_ref or r.venue), None)
    if published or record.doi:
        parts.append(_part("published", nodes.paragraph("", "", _published(published or record))))
    for home, home_record in [(paper_id, record), *homes]:
        if home_record and home_record.decision:
            # The venue's decision, as the source that keeps the reviews states it.
            text = f"{home.service}: {home_record.decision}"
            parts.append(_part("decision", nodes.paragraph(
                "", "", nodes.inline(text, text, classes=["paper-badge"]))))
    if paper_id.version and paper_id.version < record.version:
        latest = paper_id.at(record.version)
        parts.append(_part("version", nodes.paragraph(
            "", "This commentary cites ", _link(f"v{paper_id.version}", paper_id.url),
            nodes.Text("; the latest is "), _link(f"v{record.version}", latest.url),
            nodes.Text(f", {human_date(record.updated)}."))))
    return parts


def _published(record: PaperRecord) -> nodes.Element:
    """A badge: where the paper was published, linked to its DOI when it has one."""
    venue = record.journal_ref or record.venue
    text = f"Published in {venue}" if venue else f"Published: DOI {record.doi}"
    if record.doi and _DOI.match(record.doi):
        badge = _link(text, "https://doi.org/" + quote(record.doi, safe="/:;()._-"))
    else:
        badge = nodes.inline(text, text)
    badge["classes"].append("paper-badge")
    return badge


def _xref(reftype: str, target: str, text: str | None = None) -> addnodes.pending_xref:
    """A reference for Sphinx to resolve: ``paper`` to a paper, ``doc`` to a page."""
    domain = "paper" if reftype == "paper" else "std"
    return addnodes.pending_xref("", nodes.inline("", text or target), refdomain=domain,
                                 reftype=reftype, reftarget=target, refexplicit=bool(text))


def human_date(iso: str) -> str:
    """``5 Oct 2021``: how cards and previews show a date; ``Oct 2021`` or ``2021`` for
    one its source knows only so far."""
    day = first_day(iso)
    return {4: iso, 7: f"{day:%b %Y}"}.get(len(iso), f"{day.day} {day:%b %Y}")


def _byline(byline: Byline) -> list[nodes.Node]:
    """What a commentary's page shows under its card: "Commentary by A and B, 28 Nov
    2026; updated 1 Dec 2026" (as much as its front matter says), and a draft's mark."""
    shown: list[nodes.Node] = []
    if byline.authors or byline.date or byline.updated:
        text = "Commentary"
        if byline.authors:
            *most, last = byline.authors
            text += " by " + (f"{', '.join(most)} and {last}" if most else last)
        if byline.date:
            text += ", " + human_date(byline.date)
        if byline.updated:
            text += "; updated " + human_date(byline.updated)
        shown.append(nodes.paragraph("", text + ".", classes=["paper-byline"]))
    if byline.draft:
        shown.append(draft_mark("commentary"))
    return shown


def draft_mark(kind: str) -> nodes.paragraph:
    """What a draft shows its author on its own page, the one place it is seen."""
    return nodes.paragraph(
        "", "", nodes.strong("Draft", "Draft"),
        nodes.Text(f": this {kind} is in none of the site's indexes or feeds."),
        classes=["paper-draft"])


def _dates(record: PaperRecord, paper_id: PaperId) -> list[nodes.Node]:
    """When the paper was first submitted and its latest version, or for a source
    without versions when it was published."""
    text = human_date(record.published)
    if paper_id.versioned:
        text += (f"; v{record.version} of {human_date(record.updated)}"
                 if record.version > 1 and record.updated else " (v1)")
    return [nodes.Text(text)]


def _categories(record: PaperRecord) -> list[nodes.Node]:
    others = [c for c in record.categories if c != record.primary_category]
    primary = nodes.inline(record.primary_category, record.primary_category,
                           classes=["paper-category-primary"])
    return _joined([primary, *(nodes.Text(c) for c in others)])


def short_authors(record: PaperRecord) -> str:
    """The authors, or the first three and "et al.": for lists and previews."""
    if len(record.authors) <= AUTHORS_IN_INDEX + 1:
        return ", ".join(record.authors)
    return ", ".join(record.authors[:AUTHORS_IN_INDEX]) + " et al."


def _broken(bibtex: str) -> str:
    """The entry with its long lines broken at spaces, which BibTeX reads as one space
    inside a value too: LaTeX would wrap them itself and mark each break, and a reader
    who copies the entry from the PDF would copy the marks."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, BIBTEX_WIDTH, subsequent_indent=" " * 8,
                                break_long_words=False, break_on_hyphens=False))
        if len(line) > BIBTEX_WIDTH else line
        for line in bibtex.splitlines()) + "\n"
