"""A commentary shared as an article: what sphinxext-opengraph says of it.

sphinxext-opengraph writes the Open Graph tags of every page, which are plain text
(math as Unicode, as in ``<title>``). Left alone it would
describe a commentary by its heading and by the first text of the page, which is
the card. Here a commentary's page gets the paper's title, the commentary's own
first paragraph (else the paper's abstract), the type ``article`` and one
``article:tag`` per tag. Other pages
keep what sphinxext-opengraph finds. List ``mlcommentary.exports.sharing`` in
``extensions``; it loads sphinxext-opengraph itself.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.typing import ExtensionMetadata

try:
    from sphinxext.opengraph import make_tag
except ImportError as err:  # Sphinx says "Could not import extension ...", then this
    raise ImportError("mlcommentary.exports.sharing needs sphinxext-opengraph: "
                      'pip install "mlcommentary[sharing]"') from err

from ..sphinx_ext.domain import Commentary
from ..data.tex import plain_text


class Sharing:
    """The site's commentaries by page, read once per build."""

    def __init__(self) -> None:
        self._by_page: dict[str, Commentary] | None = None

    def forget(self, app: Sphinx, env: BuildEnvironment) -> None:
        self._by_page = None

    def _commentary(self, app: Sphinx, pagename: str,
                    doctree: nodes.document | None) -> Commentary | None:
        """The page's commentary, for the pages sphinxext-opengraph describes."""
        if doctree is None or app.builder.name == "epub":
            return None
        if self._by_page is None:
            self._by_page = {c.docname: c for c in
                             app.env.domains["paper"].commentaries(drafts=True)}
        return self._by_page.get(pagename)

    def describe(self, app: Sphinx, pagename: str, templatename: str,
                 context: dict[str, Any], doctree: nodes.document | None) -> None:
        """Before sphinxext-opengraph: a page's ``og:`` fields override what it finds."""
        commentary = self._commentary(app, pagename, doctree)
        if commentary is None:
            return
        fields = context["meta"] = dict(context.get("meta") or {})
        fields["og:type"] = "article"
        record = commentary.record
        if record is not None:
            fields["og:title"] = html.escape(plain_text(record.title), quote=False)
        text = app.env.domains["paper"].description(commentary)
        if text:
            description = html.escape(textwrap.shorten(
                text, app.config.ogp_description_length, placeholder="…"), quote=False)
            fields["og:description"] = description
            # sphinxext-opengraph writes its own description only where the page has none.
            context["metatags"] += make_tag("description", description, "name") + "\n"

    def tag(self, app: Sphinx, pagename: str, templatename: str,
            context: dict[str, Any], doctree: nodes.document | None) -> None:
        """After sphinxext-opengraph, which has no field for a list such as the tags."""
        commentary = self._commentary(app, pagename, doctree)
        if commentary is None:
            return
        context["metatags"] += "".join(
            make_tag("article:tag", html.escape(tag, quote=False)) + "\n"
            for tag in commentary.tags)


def leave_drafts_out_of_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """Before sphinx-sitemap writes the sitemap (``build-finished``, priority 500), take
    the drafts out of the links it collected as pages were written. Its own
    ``sitemap_excludes`` is configuration: changing it per build would make Sphinx
    report a changed configuration on every build."""
    links = getattr(app, "sitemap_links", None)
    if exception is not None or links is None:
        return
    drafts = {app.builder.get_target_uri(c.docname)
              for c in app.env.domains["paper"].commentaries(drafts=True) if c.byline.draft}
    kept = []
    while not links.empty():
        link = links.get_nowait()
        if link[0] not in drafts:
            kept.append(link)
    for link in kept:
        links.put(link)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxext.opengraph")
    sharing = Sharing()
    app.connect("env-updated", sharing.forget)
    # sphinxext-opengraph writes its tags at the default priority, 500.
    app.connect("html-page-context", sharing.describe, priority=450)
    app.connect("html-page-context", sharing.tag, priority=550)
    app.connect("build-finished", leave_drafts_out_of_sitemap, priority=400)
    return {"version": "1.0.0", "parallel_read_safe": True, "parallel_write_safe": True}
