"""Atom feeds of the commentaries: ``atom.xml`` for the site and one beside each tag's page.

The newest ``arxiv_feed_length`` commentaries, by the commentary's date (else its paper's, as
the indexes sort), drafts left out. Written with feedgen once per build, after the
pages, by the builders that make a website, and only when a feed's text changed.
Links are absolute from ``html_baseurl``; a build without one (a local build)
writes links relative to the feed itself, which a feed reader resolves against
the feed's own address (RFC 4287 uses xml:base, RFC 3986 the document's URL), and
identifies entries by ``urn:uuid`` names made from the project and page: an
entry's id must be an absolute IRI, and those do not change with the address.
Every page's ``<head>`` names the site's feed; a tag's page names its own too. The
``paper-feed`` role links to one where a reader sees it: ``{paper-feed}`atom.xml```
on the home page, ``:paper-feed:`Atom feed <tags/scaling.xml>``` on a tag's page.
"""

from __future__ import annotations

import html
import posixpath
import uuid
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from feedgen.feed import FeedGenerator
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.nodes import split_explicit_title

from ..sphinx_ext import formats
from ..sphinx_ext.domain import Commentary, PaperDomain, tag_key
from .bibliography import file_link
from .pages import TAGS, tag_feed, tag_page
from ..data.metadata import first_day
from ..data.tex import plain_text

logger = logging.getLogger(__name__)

SITE_FEED = "atom.xml"
#: The ``updated`` of a feed with no entries yet: Atom requires one, and a fixed
#: one keeps the file unchanged from build to build.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def feed_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
              options: dict | None = None, content: list[str] | None = None):
    """``{paper-feed}`atom.xml``` or ``{paper-feed}`Atom feed <tags/scaling.xml>```: a
    link to a feed, by its path from the site's root."""
    _, title, path = split_explicit_title(text)
    return [file_link(rawtext, title, path, formats.FEEDS, inliner, lineno, "paper-feed")], []


class Feeds:
    """The site's feeds: advertised on every page, written after the pages."""

    def __init__(self) -> None:
        #: Tag page -> (its feed, the tag's spelling), read once per build.
        self._tag_pages: dict[str, tuple[str, str]] | None = None

    def forget(self, app: Sphinx, env: BuildEnvironment) -> None:
        self._tag_pages = None

    def advertise(self, app: Sphinx, pagename: str, templatename: str,
                  context: dict[str, Any], doctree: nodes.document | None) -> None:
        """``<link rel="alternate">`` to the site's feed, and a tag page's to its own."""
        if app.builder.name not in formats.FEEDS:
            return
        if self._tag_pages is None:
            self._tag_pages = {tag_page(key): (tag_feed(key), spelling)
                               for key, spelling in app.env.domains["paper"].tags().items()}
        feeds = [(SITE_FEED, app.config.html_title)]
        if pagename in self._tag_pages:
            path, spelling = self._tag_pages[pagename]
            feeds.append((path, f"{app.config.html_title}: {spelling}"))
        # Pages such as the search page have no metatags of their own.
        context["metatags"] = context.get("metatags", "") + "".join(
            f'<link rel="alternate" type="application/atom+xml" '
            f'title="{html.escape(title)}" href="{html.escape(context["pathto"](path, 1))}" />\n'
            for path, title in feeds)

    def write(self, app: Sphinx, exception: Exception | None) -> None:
        """``build-finished``: write each feed whose text changed."""
        if exception is not None or app.builder.name not in formats.FEEDS:
            return
        domain: PaperDomain = app.env.domains["paper"]
        commentaries = domain.commentaries(sort="commentary")
        # Named as the site names itself in every page's <title>.
        title, length = app.config.html_title, app.config.arxiv_feed_length
        feeds = {SITE_FEED: (title, "index", commentaries[:length])}
        tagged: dict[str, list[Commentary]] = {key: [] for key in domain.tags()}
        for commentary in commentaries:
            for key in dict.fromkeys(tag_key(tag) for tag in commentary.tags):
                if key in tagged and len(tagged[key]) < length:
                    tagged[key].append(commentary)
        for key, spelling in domain.tags().items():
            feeds[tag_feed(key)] = (f"{title}: {spelling}", tag_page(key), tagged[key])
        # A commentary in several feeds is described once.
        descriptions: dict[str, str] = {}
        for path, (title, page, entries) in feeds.items():
            text = _Feed(app, domain, path, descriptions).atom(title, page, entries)
            target = Path(app.builder.outdir, path)
            if not target.is_file() or target.read_bytes() != text:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text)
        # The feed of a tag no commentary has any more goes with the tag's page.
        for stale in Path(app.builder.outdir, TAGS).glob("*.xml"):
            if stale.relative_to(app.builder.outdir).as_posix() not in feeds:
                stale.unlink()


class _Feed:
    """One feed being written: where it is, so that its links can be relative to it."""

    def __init__(self, app: Sphinx, domain: PaperDomain, path: str,
                 descriptions: dict[str, str]) -> None:
        self._app, self._domain, self._path = app, domain, path
        self._descriptions = descriptions
        self._base = app.config.html_baseurl

    def _url(self, target: str) -> str:
        """The address of ``target`` (a path in the output): absolute from the base URL,
        else relative to this feed."""
        if self._base:
            return self._base.rstrip("/") + "/" + target
        relative = posixpath.relpath(target or ".", posixpath.dirname(self._path) or ".")
        return relative + "/" if target.endswith("/") and relative != "." else relative

    def _page_url(self, docname: str) -> str:
        return self._url(self._app.builder.get_target_uri(docname))

    def _id(self, target: str) -> str:
        if self._base:
            return self._url(target)
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{self._app.config.project}/{target}").urn

    def atom(self, title: str, page: str, commentaries: list[Commentary]) -> bytes:
        feed = FeedGenerator()
        feed.id(self._id(self._path))
        feed.title(title)
        feed.author({"name": self._app.config.author})
        feed.link(href=self._url(self._path), rel="self")
        feed.link(href=self._page_url(page), rel="alternate")
        newest = _NEVER
        # feedgen writes entries in the reverse order of their adding.
        for commentary in reversed(commentaries):
            updated = self._entry(feed, commentary)
            newest = max(newest, updated)
        feed.updated(newest)
        return feed.atom_str(pretty=True)

    def _entry(self, feed: FeedGenerator, commentary: Commentary) -> datetime:
        """Add the commentary's entry; return when it was last updated."""
        byline, record = commentary.byline, commentary.record
        entry = feed.add_entry()
        entry.id(self._id(self._app.builder.get_target_uri(commentary.docname)))
        entry.title(plain_text(record.title) if record else commentary.paper_id.label)
        entry.link(href=self._page_url(commentary.docname), rel="alternate")
        if byline.date:
            entry.published(_moment(byline.date))
        # Undated, a commentary is dated by its paper, as the indexes sort it.
        updated = _moment(byline.updated or commentary.date or _NEVER.date().isoformat())
        entry.updated(updated)
        for name in byline.authors:
            entry.author({"name": name})
        for tag in commentary.tags:
            entry.category(term=tag)
        summary = self._descriptions.get(commentary.docname)
        if summary is None:
            summary = self._descriptions[commentary.docname] = \
                self._domain.description(commentary)
        if summary:
            entry.summary(summary)
        return updated


def _moment(iso: str) -> datetime:
    """A day (or a month, or a year, for a paper dated so) as Atom's date-time: its
    start, in UTC."""
    return datetime.combine(first_day(iso), time(), tzinfo=UTC)


def setup_feeds(app: Sphinx) -> None:
    feeds = Feeds()
    app.connect("env-updated", feeds.forget)
    app.connect("html-page-context", feeds.advertise)
    app.connect("build-finished", feeds.write)
    app.add_role("paper-feed", feed_role)
