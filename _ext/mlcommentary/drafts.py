"""A draft (``draft: true`` in its front matter) is read on its own page and from no other.

The paper domain leaves it out of indexes, "Discussed in", links to its paper,
``objects.inv`` and ``papers.bib``, and marks it ``nosearch`` (Sphinx's own, for the
search index) and ``nonav`` (``furo_sidebar``'s, for the sidebar). What is left is
the navigation Sphinx makes from the toctrees: a toctree's list on its page, and the
previous and next links of the pages beside the draft.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
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


class Neighbours:
    """The pages beside a page that became a draft or stopped being one, to be written
    again: their previous or next link changes, though they did not."""

    def __init__(self) -> None:
        self._before: frozenset[str] = frozenset()

    def remember(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        """``env-before-read-docs``: the drafts as the last build left them."""
        self._before = env.domains["paper"].drafts()

    def affected(self, app: Sphinx, env: BuildEnvironment) -> set[str]:
        """``env-get-updated``; Sphinx's relations cost a walk of the toctrees, so only
        when a draft changed."""
        changed = self._before ^ env.domains["paper"].drafts()
        if not changed:
            return set()
        relations = env.collect_relations()
        return {neighbour for docname in changed
                for neighbour in relations.get(docname, (None, None, None))[1:]
                if neighbour is not None}


def register(app: Sphinx) -> None:
    app.add_post_transform(LeaveDraftsOutOfToctrees)
    neighbours = Neighbours()
    app.connect("env-before-read-docs", neighbours.remember)
    app.connect("env-get-updated", neighbours.affected)
    # Themes read prev and next at the default priority, 500.
    app.connect("html-page-context", skip_drafts_in_sequence, priority=300)
