"""furo's sidebar in time linear in the number of pages, and weight bounded per page.

furo renders Sphinx's whole-site toctree for every page and re-parses it with
BeautifulSoup, so a build of N pages costs N², and every page carries all N
links. Here the site's toctree structure is read once per build; each page gets
its sidebar rendered from it, with long lists (hundreds of commentaries) cut to
their head and the part around the current page, and a link to the page that
lists them all. The markup is Sphinx's toctree markup as furo's own
``get_navigation_tree`` finishes it, so furo's styles and scripts apply unchanged;
a test compares the two on every kind of page.

It also fixes what axe and the Nu HTML Checker find in furo's pages, each fix
listed in ``ACCESSIBILITY_FIXES`` (the sidebar) or in ``templates/`` (the rest of
the page), with ``static/`` for what only the browser can know (which blocks
scroll) and for the keyboard (drawers that open with a button and close with
Escape, no Tab stops in a closed drawer, a visible focus).

It knows nothing of papers: list it in ``extensions`` beside furo. With any other
theme it does nothing. A page whose metadata has ``nonav`` (as Sphinx's ``nosearch``
keeps a page out of search; the paper extension sets both on drafts) is in no sidebar.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx import addnodes
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util.typing import ExtensionMetadata

__version__ = "1.0.0"

#: A toctree list longer than this is cut around the current page.
LONGEST_LIST = 20
#: Entries kept at the head of a cut list, and on each side of the current page.
HEAD, AROUND = 10, 3
#: Where our sidebar differs from furo's: the attributes added to the elements a CSS
#: selector finds in furo's. A caption with role="heading" needs a level (ARIA).
ACCESSIBILITY_FIXES = {"p.caption[role=heading]": {"aria-level": "2"}}
HERE = Path(__file__).parent
#: Where a cut list leaves entries out.
MORE = object()
#: The environment's record of the sidebars last written: each page's digest, the
#: outline they were made from, and the tree read from the toctrees with its places.
_DIGESTS, _OUTLINE, _TREE = "furo_sidebar_digests", "furo_sidebar_outline", "furo_sidebar_tree"
_TAG = re.compile(r"<[^>]*>")


@dataclass
class Entry:
    docname: str
    #: The title as markup, and as the text of the label of its toggle.
    title: str
    text: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class Section:
    """One toctree: its caption and its entries."""

    caption: str | None
    entries: list[Entry]


@dataclass
class Place:
    """Where a page is listed: its section, its position there, the page listing it."""

    section: Section
    index: int
    parent: str | None


class SiteNavigation:
    """The sidebar of every page, from one reading of the toctrees per build."""

    def __init__(self) -> None:
        self._tree: list[Section] | None = None
        self._places: dict[str, Place] = {}
        self._read_toctrees = False

    def forget(self, app: Sphinx, env: BuildEnvironment) -> None:
        self._tree = None

    def note_reading(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        """Whether this build reads a page with a toctree: its entries' own titles and
        its captions are in no outline."""
        self._read_toctrees = any(docname in env.toctree_includes for docname in docnames)

    def _read(self, app: Sphinx) -> list[Section]:
        if self._tree is None:
            self._places = {}
            self._tree = _sections(app.builder, app.config.root_doc, {app.config.root_doc},
                                   self._places, None)
        return self._tree

    def changed_sidebars(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """The pages whose navigation is not the one their last build wrote.

        Sphinx writes again only the pages it read and their parents: a page added, a
        title changed or a page hidden left the old sidebar on every other page. Each
        page's sidebar is digested as written (with the page names for addresses,
        which are a function of them) and compared with the last build's; the lists
        are cut without counts, so a new page changes only the sidebars that show it.
        """
        outline, before = _outline(env), getattr(env, _DIGESTS, None)
        kept = getattr(env, _TREE, None)
        if (before is not None and kept is not None and getattr(env, _OUTLINE) == outline
                and not self._read_toctrees):
            # No toctree, title or hidden page changed: no sidebar did, and the tree is
            # the last build's. Reading it again loads every listing's doctree: 0.6 s of
            # a prose edit at 10,000 commentaries, where keeping it costs the
            # environment about 1 MB.
            self._tree, self._places = kept
            return []
        self._tree = None
        tree, root = self._read(app), app.config.root_doc
        # furo's links to the previous and next page, under the content, are of the
        # tree too: their pages and titles.
        relations = env.collect_relations()

        def neighbours(docname: str) -> list[tuple[str, str]]:
            return [(other, env.titles[other].astext()) for other in
                    relations.get(docname, [])[1:] if other in env.titles]

        digests = {docname: hashlib.blake2b(repr((
            _Sidebar(self._places, docname, str, root).render(tree, level=1),
            neighbours(docname))).encode(), digest_size=8).digest()
            for docname in env.found_docs}
        setattr(env, _DIGESTS, digests)
        setattr(env, _OUTLINE, outline)
        setattr(env, _TREE, (tree, self._places))
        return sorted(docname for docname, digest in digests.items()
                      if before is None or before.get(docname) != digest)

    def hide_toctree(self, app: Sphinx, pagename: str, templatename: str,
                     context: dict[str, Any], doctree: Any) -> None:
        """Runs before furo's handler, which then skips its whole-site toctree."""
        context.pop("toctree", None)

    def render(self, app: Sphinx, pagename: str, templatename: str,
               context: dict[str, Any], doctree: Any) -> None:
        """Runs after furo's handler and gives it the sidebar it would have made."""
        self._read(app)
        # The page's own pathto: sphinx-notfound-page's makes the 404 page's links absolute.
        sidebar = _Sidebar(self._places, pagename, context["pathto"], app.config.root_doc)
        context["furo_navigation_tree"] = sidebar.render(self._tree, level=1)


def _outline(env: BuildEnvironment) -> bytes:
    """What every sidebar is made of: each toctree's pages, their titles, which are
    hidden. The same, no sidebar changed."""
    listed = sorted({docname for included in env.toctree_includes.values()
                     for docname in included})
    facts = (sorted(env.toctree_includes.items()),
             [(docname, env.titles[docname].astext(), "nonav" in env.metadata[docname])
              for docname in listed if docname in env.titles])
    return hashlib.blake2b(repr(facts).encode(), digest_size=16).digest()


def _sections(builder: Builder, docname: str, seen: set[str],
              places: dict[str, Place], parent: str | None) -> list[Section]:
    env = builder.env
    if docname not in env.toctree_includes:
        return []
    sections = []
    for toctree in env.get_doctree(docname).findall(addnodes.toctree):
        section = Section(toctree.get("caption"), [])
        for title, ref in toctree["entries"]:
            if ref not in env.all_docs or ref in seen or "nonav" in env.metadata.get(ref, {}):
                continue  # external links and self references are not navigation
            seen.add(ref)
            places[ref] = Place(section, len(section.entries), parent)
            markup = html.escape(title or ref)
            if not title and ref in env.titles:
                markup = _title_markup(builder, env.titles[ref])
            text = html.unescape(_TAG.sub("", markup))
            section.entries.append(Entry(ref, markup, text,
                                         _sections(builder, ref, seen, places, ref)))
        if section.entries:
            sections.append(section)
    return sections


def _title_markup(builder: Builder, title: nodes.title) -> str:
    """A page's title as Sphinx's toctree shows it: with markup (math, code) rendered by
    the builder, where its text would show the source (``\\mathbb{F}_e``)."""
    if all(isinstance(child, nodes.Text) for child in title.children):
        return html.escape(title.astext())
    return builder.render_partial(title)["title"]


class _Sidebar:
    """One page's sidebar: Sphinx's toctree markup as furo's ``get_navigation_tree``
    finishes it (a checkbox and label on each entry with entries below, "current-page"
    on the page's own), written at once. Parsing it back with BeautifulSoup, as furo
    does, cost more than the rest of the sidebar: 5 ms a page.

    Linear in the entries shown, not in the site: the page's place is looked up, and a
    long list is cut by arithmetic on positions.
    """

    def __init__(self, places: dict[str, Place], pagename: str,
                 pathto: Callable[[str], str], root: str) -> None:
        self._pathto, self._root, self._pagename = pathto, root, pagename
        trail, docname = [], pagename
        while docname in places:
            trail.append(places[docname])
            docname = places[docname].parent
        #: The page's place and those of the pages above it, by section.
        self._trail = {id(place.section): place for place in trail}
        self._checkboxes = 0

    def render(self, sections: list[Section], level: int, parent: str | None = None) -> str:
        parts = []
        for section in sections:
            if section.caption and level == 1:
                parts.append(f'<p class="caption" role="heading" aria-level="2"><span '
                             f'class="caption-text">{html.escape(section.caption)}</span></p>\n')
            here = self._trail.get(id(section))
            items = []
            for shown in _shown(section.entries, here.index if here else None):
                if shown is MORE:
                    target = self._pathto(parent or self._root)
                    items.append(f'<li class="toctree-l{level} paper-nav-more"><a class="reference '
                                 f'internal" href="{html.escape(target)}">… more</a></li>\n')
                else:
                    items.append(self._item(shown, level, here is not None
                                            and section.entries[here.index] is shown))
            ul_class = ' class="current"' if here else ""
            parts.append(f"<ul{ul_class}>\n{''.join(items)}</ul>\n")
        return "".join(parts)

    def _item(self, entry: Entry, level: int, current: bool) -> str:
        page = entry.docname == self._pagename
        classes = [f"toctree-l{level}", *(["current"] if current else [])]
        link_class = "current reference internal" if page else "reference internal"
        href = "#" if page else self._pathto(entry.docname)
        link = (f'<a class="{link_class}" href="{html.escape(href)}">'
                f"{entry.title}</a>")
        toggle = ""
        if entry.sections:
            # Numbered before the entries below it, as furo numbers them in document order.
            self._checkboxes += 1
            name = f"toctree-checkbox-{self._checkboxes}"
            classes.append("has-children")
            checked = ' checked=""' if current else ""
            toggle = (f'<input aria-label="{html.escape("Toggle navigation of " + entry.text)}" '
                      f'class="toctree-checkbox" id="{name}" name="{name}" role="switch" '
                      f'type="checkbox"{checked}/><label for="{name}"><span class="icon"><svg>'
                      f'<use href="#svg-arrow-right"></use></svg></span></label>')
        below = self.render(entry.sections, level + 1, entry.docname)
        if page:
            classes.append("current-page")
        return f'<li class="{" ".join(classes)}">{link}{toggle}{below}</li>\n'


def _shown(entries: list[Entry], current: int | None) -> list[Entry | object]:
    """The entries to show, with ``MORE`` where some are left out. Not how many: a
    count would change every page's sidebar with each page added."""
    if len(entries) <= LONGEST_LIST:
        return list(entries)
    kept = [range(HEAD)]
    if current is not None:
        kept.append(range(max(current - AROUND, 0), min(current + AROUND + 1, len(entries))))
    shown: list[Entry | object] = []
    end = 0
    for run in kept:
        start = max(run.start, end)
        if start > end:
            shown.append(MORE)
        shown.extend(entries[start:run.stop])
        end = max(end, run.stop)
    if end < len(entries):
        shown.append(MORE)
    return shown


def _add_fixes(app: Sphinx, config: Config) -> None:
    """Before Sphinx compares the configuration with the last build's, so it stays the same."""
    if config.html_theme == "furo":
        config.templates_path = [*config.templates_path, str(HERE / "templates")]
        config.html_static_path = [*config.html_static_path, str(HERE / "static")]


def _connect(app: Sphinx) -> None:
    if getattr(getattr(app.builder, "theme", None), "name", None) != "furo":
        return
    navigation = SiteNavigation()
    app.add_css_file("furo-sidebar.css")
    app.add_js_file("furo-sidebar.js", loading_method="defer")
    app.connect("env-updated", navigation.forget)
    app.connect("env-before-read-docs", navigation.note_reading)
    # After extensions add and read pages of their own (the default priority).
    app.connect("env-get-updated", navigation.changed_sidebars, priority=900)
    # furo computes its sidebar at the default priority, 500.
    app.connect("html-page-context", navigation.hide_toctree, priority=400)
    app.connect("html-page-context", navigation.render, priority=600)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("config-inited", _add_fixes)
    app.connect("builder-inited", _connect)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
