"""Every page is written again when the sidebar changes (under themes that show the
whole tree; furo_sidebar knows which pages it changed, and writes those).

The sidebar is the same tree on every page: when what it shows changes (a page added
to a toctree or taken out, a title changed, a draft hidden or published), every page
is written again, so that what a build publishes is what a clean build would (Sphinx
itself writes only the pages it read and their parents, and left the old sidebar on
every other page). A prose edit changes none of it.
"""

from __future__ import annotations

import hashlib

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def navigation_digest(env: BuildEnvironment) -> str:
    """What the sidebar shows on every page: each toctree's pages, their titles, and
    which are hidden. The sidebar shows titles only (furo's ``titles_only``)."""
    listed = sorted({docname for included in env.toctree_includes.values()
                     for docname in included})
    facts = (sorted(env.toctree_includes.items()),
             [(docname, env.titles[docname].astext(), "nonav" in env.metadata[docname])
              for docname in listed if docname in env.titles])
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def rewrite_all_if_navigation_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After the generated pages are read (their handler runs at the default priority)."""
    if _sidebar_writes_its_pages(app):
        return []
    data = env.domains["paper"].data
    digest = navigation_digest(env)
    if data.get("navigation") == digest:
        return []
    data["navigation"] = digest
    return sorted(env.found_docs)


def _sidebar_writes_its_pages(app: Sphinx) -> bool:
    """furo_sidebar, the site's sidebar under furo, shows each page a part of the tree
    and writes again only the pages whose own part changed: a new commentary then
    writes a few pages, not the whole site."""
    return ("furo_sidebar" in app.extensions
            and getattr(getattr(app.builder, "theme", None), "name", None) == "furo")


def setup_navigation(app: Sphinx) -> None:
    app.connect("env-get-updated", rewrite_all_if_navigation_changed, priority=900)
