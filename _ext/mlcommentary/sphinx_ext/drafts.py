"""A draft (``draft: true`` in its front matter) is read on its own page and from no other.

The paper domain leaves it out of indexes, "Discussed in", links to its paper,
``objects.inv`` and ``papers.bib``, and marks it ``nosearch`` (Sphinx's own, for the
search index) and ``nonav`` (``furo_sidebar``'s, for the sidebar). What is left is
the navigation Sphinx makes from the toctrees: a toctree's list on its page, any
theme's whole-site toctree in its sidebar, the previous and next links of the pages
beside the draft, and the books (PDF, EPUB), which are made of what the toctrees hold.
A draft made or published changes the sidebar, so every page is written again then
(``toctrees``), the pages beside it among them.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.transforms.post_transforms import SphinxPostTransform

from .cards import draft_mark


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
        # A book (LaTeX, single HTML) has its toctrees inlined before its post-transforms:
        # each page it took in is a ``start_of_file``.
        for included in list(self.document.findall(addnodes.start_of_file)):
            if included["docname"] in drafts:
                included.parent.remove(included)


class MarkDraftPages(SphinxPostTransform):
    """A page that is a draft but no commentary (which has its mark on its card) is
    marked under its title all the same."""

    default_priority = 100
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.current_document.docname
        papers = self.env.domains["paper"]
        if docname not in papers.drafts() or papers.data["pages"][docname].claims:
            return
        section = next(self.document.findall(nodes.section), None)
        if section is not None and isinstance(section[0], nodes.title):
            section.insert(1, draft_mark("page"))


def leave_drafts_out_of_theme_toctree(app: Sphinx, pagename: str, templatename: str,
                                      context: dict[str, Any],
                                      doctree: nodes.document | None) -> None:
    """``html-page-context``: the whole-site toctree a theme's sidebar asks for
    (``toctree()``, as alabaster's and the basic theme's ``globaltoc.html`` do), without
    the drafts. Sphinx builds it from the root page's stored toctrees, where they are.
    ``furo_sidebar`` drops the function and draws its own sidebar."""
    drafts = app.env.domains["paper"].drafts()
    if not drafts or "toctree" not in context:
        return
    builder = app.builder
    addresses = {builder.get_relative_uri(pagename, draft) for draft in drafts}

    def toctree(collapse: bool = True, **kwargs: Any) -> str:
        # As the builder's own: hidden toctrees only when asked, a theme's empty
        # maxdepth meaning none.
        kwargs.setdefault("includehidden", False)
        if kwargs.get("maxdepth") == "":
            kwargs.pop("maxdepth")
        tree = global_toctree_for_doc(app.env, pagename, builder, tags=builder.tags,
                                      collapse=collapse, **kwargs)
        for item in list(tree.findall(nodes.list_item)) if tree is not None else ():
            link = next(item.findall(nodes.reference), None)
            if link is not None and link.get("refuri") in addresses:
                item.parent.remove(item)
        return builder.render_partial(tree)["fragment"]

    context["toctree"] = toctree


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


def setup_drafts(app: Sphinx) -> None:
    app.add_post_transform(LeaveDraftsOutOfToctrees)
    app.add_post_transform(MarkDraftPages)
    app.connect("html-page-context", leave_drafts_out_of_theme_toctree)
    # Themes read prev and next at the default priority, 500.
    app.connect("html-page-context", skip_drafts_in_sequence, priority=300)
