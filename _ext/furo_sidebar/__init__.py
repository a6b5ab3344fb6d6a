"""furo's sidebar in time linear in the number of pages, and weight bounded per page.

furo renders Sphinx's whole-site toctree for every page and re-parses it with
BeautifulSoup, so a build of N pages costs N², and every page carries all N
links. Here the site's toctree structure is read once per build; each page gets
its sidebar rendered from it, with long lists (hundreds of commentaries) cut to
their head and the part around the current page, and a link to the page that
lists them all. The markup is Sphinx's toctree markup, finished by furo's own
``get_navigation_tree``, so furo's styles and scripts apply unchanged.

It also fixes what axe and the Nu HTML Checker find in furo's pages, each fix
listed in ``ACCESSIBILITY_FIXES`` (the sidebar) or in ``templates/`` (the rest of
the page), with ``static/`` for what only the browser can know (which blocks
scroll) and for the keyboard (drawers that open with a button and close with
Escape, no Tab stops in a closed drawer, a visible focus).

It knows nothing of papers: list it in ``extensions`` beside furo. With any other
theme it does nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from furo.navigation import get_navigation_tree
from sphinx import addnodes
from sphinx.application import Sphinx
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


@dataclass
class Entry:
    docname: str
    title: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class Section:
    """One toctree: its caption and its entries."""

    caption: str | None
    entries: list[Entry]


class SiteNavigation:
    """The sidebar of every page, from one reading of the toctrees per build."""

    def __init__(self) -> None:
        self._tree: list[Section] | None = None

    def forget(self, app: Sphinx, env: BuildEnvironment) -> None:
        self._tree = None

    def hide_toctree(self, app: Sphinx, pagename: str, templatename: str,
                     context: dict[str, Any], doctree: Any) -> None:
        """Runs before furo's handler, which then skips its whole-site toctree."""
        context.pop("toctree", None)

    def render(self, app: Sphinx, pagename: str, templatename: str,
               context: dict[str, Any], doctree: Any) -> None:
        """Runs after furo's handler and gives it the sidebar it would have made."""
        if self._tree is None:
            self._tree = _sections(app.env, app.config.root_doc, {app.config.root_doc})
        trail = _trail(self._tree, pagename) or []
        # The page's own pathto: sphinx-notfound-page's makes the 404 page's links absolute.
        markup = _render(self._tree, pagename, trail, context["pathto"], app.config.root_doc,
                         level=1)
        context["furo_navigation_tree"] = get_navigation_tree(markup)


def _sections(env: BuildEnvironment, docname: str, seen: set[str]) -> list[Section]:
    if docname not in env.toctree_includes:
        return []
    sections = []
    for toctree in env.get_doctree(docname).findall(addnodes.toctree):
        entries = []
        for title, ref in toctree["entries"]:
            if ref not in env.all_docs or ref in seen:
                continue  # external links and self references are not navigation
            seen.add(ref)
            label = title or (env.titles[ref].astext() if ref in env.titles else ref)
            entries.append(Entry(ref, label, _sections(env, ref, seen)))
        if entries:
            sections.append(Section(toctree.get("caption"), entries))
    return sections


def _trail(sections: list[Section], pagename: str) -> list[str] | None:
    """The docnames from the top of the tree down to ``pagename``."""
    for section in sections:
        for entry in section.entries:
            if entry.docname == pagename:
                return [pagename]
            below = _trail(entry.sections, pagename)
            if below is not None:
                return [entry.docname, *below]
    return None


def _shown(entries: list[Entry], trail: list[str]) -> list[Entry | int]:
    """The entries to show, with the count of left-out ones where they were."""
    if len(entries) <= LONGEST_LIST:
        return list(entries)
    current = next((i for i, e in enumerate(entries) if e.docname in trail), None)
    keep = set(range(HEAD))
    if current is not None:
        keep |= set(range(current - AROUND, current + AROUND + 1))
    shown: list[Entry | int] = []
    for index, entry in enumerate(entries):
        if index in keep:
            shown.append(entry)
        elif shown and isinstance(shown[-1], int):
            shown[-1] += 1
        else:
            shown.append(1)
    return shown


def _render(sections: list[Section], pagename: str, trail: list[str],
            pathto: Callable[[str], str], root: str, level: int,
            parent: str | None = None) -> str:
    parts = []
    for section in sections:
        if section.caption and level == 1:
            parts.append(f'<p class="caption" role="heading" aria-level="2"><span '
                         f'class="caption-text">{html.escape(section.caption)}</span></p>\n')
        items = []
        for shown in _shown(section.entries, trail):
            if isinstance(shown, int):
                target = pathto(parent or root)
                items.append(f'<li class="toctree-l{level} paper-nav-more"><a class="reference '
                             f'internal" href="{html.escape(target)}">… {shown} more</a></li>\n')
                continue
            current = shown.docname in trail
            link_class = "current reference internal" if shown.docname == pagename else (
                "reference internal")
            href = "#" if shown.docname == pagename else pathto(shown.docname)
            below = _render(shown.sections, pagename, trail, pathto, root, level + 1,
                            shown.docname)
            items.append(
                f'<li class="toctree-l{level}{" current" if current else ""}">'
                f'<a class="{link_class}" href="{html.escape(href)}">{html.escape(shown.title)}</a>'
                f"{below}</li>\n")
        ul_class = ' class="current"' if any(e.docname in trail for e in section.entries) else ""
        parts.append(f"<ul{ul_class}>\n{''.join(items)}</ul>\n")
    return "".join(parts)


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
    # furo computes its sidebar at the default priority, 500.
    app.connect("html-page-context", navigation.hide_toctree, priority=400)
    app.connect("html-page-context", navigation.render, priority=600)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("config-inited", _add_fixes)
    app.connect("builder-inited", _connect)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
