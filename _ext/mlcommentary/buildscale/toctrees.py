"""A toctree's page is written again only when what it shows of a page it lists changed.

Sphinx writes again every page whose toctree lists a page it writes
(``env.files_to_rebuild``), since that page's title or sections may have changed.
The home page lists every commentary: at 10,000 commentaries, writing it again (with
its index of them all) was most of the time a one-line edit took. What a toctree
shows of a page is its title, its sections, their numbers and its ``tocdepth``. Only
a page read again can change the first three, and only numbering the last; a
toctree's page is written for the pages where one of them did, as Sphinx would.

(The sidebar, the same tree on every page, is the paper extension's concern:
``mlcommentary.sphinx_ext.navigation`` writes every page again when it changes.)

Pages with toctrees are also read last. Before Sphinx reads a page it takes it out of
every toctree's list of pages (``TocTreeCollector.clear_doc``), going through them all;
read after the home page, each commentary went through an entry for every other one:
quadratic, 4 s of a full build at 3,000 commentaries (py-spy).
"""

from __future__ import annotations

from collections.abc import Hashable

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment


def toctree_entry(env: BuildEnvironment, docname: str) -> Hashable:
    """What a toctree shows of ``docname``, but its section numbers; a draft (``nonav``,
    see ``drafts``) it does not show."""
    title, toc = env.titles.get(docname), env.tocs.get(docname)
    return (title and title.pformat(), toc and toc.pformat(),
            env.metadata[docname].get("tocdepth"), "nonav" in env.metadata[docname])


class ToctreeParents:
    """Reads the pages with toctrees last, and keeps Sphinx from writing a toctree's page
    again for pages whose entries are as they were before this build read anything.

    For the one write that follows, ``env.files_to_rebuild`` holds only the pages whose
    entries changed, and it is put back when the build ends. This is in memory only:
    Sphinx has pickled the environment before it writes.
    """

    def __init__(self) -> None:
        self._read: set[str] = set()
        self._entries_before: dict[str, Hashable] = {}
        self._numbers_before: dict[str, dict] = {}
        self._all_parents: dict[str, set[str]] | None = None

    def remember_entries(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        # In place, as Sphinx asks, and stable: Sphinx's order otherwise. On a first
        # build only the root page is known to have toctrees.
        with_toctrees = {app.config.root_doc, *env.toctree_includes}
        docnames.sort(key=lambda docname: docname in with_toctrees)
        self._entries_before = {docname: toctree_entry(env, docname)
                                for docname in docnames if docname in env.titles}
        self._read = set(docnames)
        self._numbers_before = dict(env.toc_secnumbers)

    def spare_parents(self, app: Sphinx, builder: Builder) -> None:
        env = builder.env
        before = self._entries_before
        changed = {docname for docname in self._read
                   if docname not in before or before[docname] != toctree_entry(env, docname)}
        changed.update(docname for docname in env.toc_secnumbers.keys() | self._numbers_before
                       if env.toc_secnumbers.get(docname) != self._numbers_before.get(docname))
        self._all_parents = env.files_to_rebuild
        env.files_to_rebuild = {docname: parents for docname, parents in self._all_parents.items()
                                if docname in changed}

    def restore(self, app: Sphinx, exception: Exception | None) -> None:
        if self._all_parents is not None:
            app.env.files_to_rebuild, self._all_parents = self._all_parents, None


def setup_toctrees(app: Sphinx) -> None:
    parents = ToctreeParents()
    app.connect("env-before-read-docs", parents.remember_entries)
    app.connect("write-started", parents.spare_parents)
    app.connect("build-finished", parents.restore)
