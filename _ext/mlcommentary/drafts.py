"""A draft (``draft: true`` in its front matter) is read on its own page and from no other.

The paper domain leaves it out of indexes, "Discussed in", links to its paper,
``objects.inv`` and ``papers.bib``, and marks it ``nosearch`` (Sphinx's own, for the
search index) and ``nonav`` (``furo_sidebar``'s, for the sidebar). What is left is
the navigation Sphinx makes from the toctrees: a toctree's list on its page, and the
previous and next links of the pages beside the draft. A draft made or published
changes the sidebar, so every page is written again then (``toctrees``), the pages
beside it among them.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


class LeaveDraftsOutOfToctrees(SphinxPostTransform):
    """Before Sphinx resolves a page's toctrees (post-transforms run first), on the copy
    of the page it writes: the draft stays in the environment's toctrees, so it is
    still a page Sphinx knows, and reappears once published."""

    default_priority = 100

    def run(self, **kwargs: Any) -> None:
        drafts = self.env.domains["paper"].drafts()
        if not drafts:
            return
        for toctree in self.document.findall(addnodes.toctree):
            toctree["entries"] = [entry for entry in toctree["entries"]
                                  if entry[1] not in drafts]
            toctree["includefiles"] = [docname for docname in toctree["includefiles"]
                                       if docname not in drafts]


def skip_drafts_in_sequence(app: Sphinx, pagename: str, templatename: str,
                            context: dict[str, Any], doctree: nodes.document | None) -> None:
    """``html-page-context``, before the theme reads them: a page's previous and next
    links go to the nearest page that is not a draft."""
    relations = getattr(app.builder, "relations", {})
    drafts = app.env.domains["paper"].drafts()
    related = relations.get(pagename)
    if not drafts or not related or not set(related[1:]) & drafts:
        return
    rellinks = [link for link in context.get("rellinks", []) if link[0] not in drafts]
    for key, index, accesskey, label in (("prev", 1, "P", "previous"),
                                         ("next", 2, "N", "next")):
        target = related[index]
        if target not in drafts:
            continue
        while target in drafts:
            target = relations.get(target, (None, None, None))[index]
        context[key] = None
        if target:
            title = app.builder.render_partial(app.env.titles[target])["title"]
            context[key] = {"link": app.builder.get_relative_uri(pagename, target),
                            "title": title}
            rellinks.append((target, title, accesskey, label))
    context["rellinks"] = rellinks


def register(app: Sphinx) -> None:
    app.add_post_transform(LeaveDraftsOutOfToctrees)
    # Themes read prev and next at the default priority, 500.
    app.connect("html-page-context", skip_drafts_in_sequence, priority=300)
