"""The HTML builder: Sphinx's, with what a large site's build holds in memory bounded.

With ``-j N``, Sphinx's main process resolves each page and hands the pages, a chunk
at a time, to N - 1 writing processes that it forks (``Builder.write_documents``).
It resolves faster than they write, and nothing makes it wait (Sphinx issue 11448): on
2 cores, one writer, the main process had resolved the whole site by the time the
writer was half done. At 10,000 commentaries it held 1.3 GB, and each writer forked
late inherited all of it, 1.5 GB. ``HTMLBuilder`` writes the same pages with Sphinx's
code, but:

* The main process hands over a chunk only when a writer can take it at once, so it
  resolves at most one chunk ahead of the writers. The writers were the slower side,
  so nothing waits for this that did not before. On 10,000 commentaries the main
  process then peaked at 0.9 GB, and the build took 354 s instead of 442 (one run
  each, sampled every second).
* A large resolved page waits as a pickle, as Sphinx keeps its doctrees between
  reading and writing: the rest of that 0.9 GB was the last chunk, where the tag and
  year pages are. A listing of 10,000 commentaries is 95 MB of nodes and 8 MB
  pickled. Only large pages: unpickling every page cost the writer about 30 s at
  10,000 commentaries, and a chunk of commentaries is small now that two at most wait.
  With both, the main process peaked at 0.7 GB and a writer at 0.76.
* The pages that take longest to resolve and write are spread over the chunks (not
  the first or the last), and none is the first page, which Sphinx writes alone to
  warm its caches up. Which they are, an extension says (the ``large-pages`` event:
  listings of thousands of entries, say). In Sphinx's order (by name) a site's
  listings came last, in one chunk: at 10,000 commentaries (-j 2, one writer) the
  main process resolved them for 36 s while the writer waited, then the writer wrote
  them for 22 s while the main process waited; and the home page, first by name, was
  resolved and written alone before the writer started.
* Once a writer has its chunk (forked with a copy of it), the main process lets the
  chunk's pages go. Sphinx keeps them until they are written, for a callback that
  does not use them: two chunks at a time, which each of the collector's full passes
  in the main process walked. Then it says so (``pages-handed-over``): the collector
  frees them at once, and freezes what lives on.
* Rendering a title (``render_partial``) leaves it where it was, in the environment,
  with or without ``-j``: Sphinx's kept a document alive for each page's title, for
  each of the collector's full passes to walk. And it renders each title once, not for
  every page that shows it (as its neighbours' "next" and "previous", its children's
  parent, in the sidebar).

``write_documents``, which Sphinx documents as a builder's to override, writes as
Sphinx's own parallel writing does (9.0 to 9.2) bar the first four. Without ``-j`` it
is Sphinx's, the large pages written first: last, where their names put them, each
came on top of all that writing had gathered by then (Sphinx's search index, above
all), and a serial build of 10,000 commentaries peaked at 1,017 MB writing them
(Python 3.13; 956 MB on 3.11). Written first, it peaks at 732 MB (753 MB), when the
search's entries are written.
"""

from __future__ import annotations

import pickle
import sys
import time
import weakref
from collections.abc import Callable, Sequence, Set
from itertools import islice
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxParallelError
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.docutils import LoggingReporter
from sphinx.util.parallel import ParallelTasks, make_chunks

from .. import internals

logger = logging.getLogger(__name__)


class HandOverTasks(ParallelTasks):
    """Sphinx's process pool, whose ``add_task`` returns once a process has the task,
    and raises a writer's error whenever it arrives."""

    def terminate(self) -> None:
        super().terminate()
        # Sphinx's add_task polls its writers once, and when what it receives is a
        # writer's error, it ends the others here and goes on: the build ended without
        # that chunk's pages, and without an error. That error is the one being
        # handled; elsewhere (join, our add_task) it is raised again anyway.
        error = sys.exc_info()[1]
        if isinstance(error, SphinxParallelError):
            raise error

    def add_task(self, task_func: Callable[[Any], Any], arg: Any = None,
                 result_func: Callable[[Any, Any], Any] | None = None) -> None:
        super().add_task(task_func, arg, result_func)
        try:
            # Polled as Sphinx's own join() polls: a task waits until a process ends.
            while internals.tasks_waiting(self):
                if not internals.join_one(self):
                    time.sleep(0.02)
        except BaseException:
            self.terminate()
            raise


#: The number of nodes from which a page waits for its writer pickled: a commentary
#: has about 100, a listing about 14 for each commentary it lists.
LARGE_PAGE = 5_000
#: A page waiting for its writer: its name, and its doctree or that pickled.
Waiting = tuple[str, nodes.document | bytes]


def packed(doctree: nodes.document) -> nodes.document | bytes:
    """A large resolved page as a pickle, made picklable as Sphinx makes a doctree it
    writes to disk (``Builder.write_doctree``); another as it is."""
    if next(islice(doctree.findall(), LARGE_PAGE, None), None) is None:
        return doctree
    doctree.reporter = None
    doctree.transformer = None
    # A copy: the settings object is shared with other pages.
    doctree.settings = doctree.settings.copy()
    doctree.settings.warning_stream = None
    doctree.settings.env = None
    doctree.settings.record_dependencies = None
    return pickle.dumps(doctree, pickle.HIGHEST_PROTOCOL)


def unpacked(page: nodes.document | bytes, builder: StandaloneHTMLBuilder,
             docname: str) -> nodes.document:
    """The page back, as Sphinx loads a doctree (``BuildEnvironment.get_doctree``)."""
    if isinstance(page, nodes.document):
        return page
    doctree = pickle.loads(page)
    doctree.settings.env = builder.env
    doctree.reporter = LoggingReporter(str(builder.env.doc2path(docname)))
    return doctree


def spread(docnames: Sequence[str], large: Set[str], nproc: int) -> tuple[str, list[list[str]]]:
    """The page to write first and the chunks of the rest, as Sphinx makes them, with
    the ``large`` pages spread over the chunks between the first and the last: the
    writers wait while the main process resolves the first chunk, and the main process
    while they write the last."""
    small = [docname for docname in docnames if docname not in large]
    large_pages = [docname for docname in docnames if docname in large]
    if not small:
        small, large_pages = large_pages, []
    first, rest = small[0], small[1:]
    chunks = make_chunks(rest, nproc) if rest else []
    middle = chunks[1:-1] or chunks
    if not middle:
        return first, [large_pages] if large_pages else []
    for n, chunk in enumerate(middle):
        chunk[:0] = large_pages[n::len(middle)]
    return first, chunks


class HTMLBuilder(StandaloneHTMLBuilder):
    """Sphinx's HTML builder, whose main process resolves at most one chunk ahead,
    spreads the large pages over the chunks and keeps them pickled once resolved."""

    def __init__(self, app: Sphinx, env: BuildEnvironment) -> None:
        super().__init__(app, env)
        # As Sphinx counts them: the main process resolves, the others write.
        self.writers = app.parallel - 1
        # A title's markup, and the image folder it was rendered from.
        self._rendered_titles: weakref.WeakKeyDictionary[
            nodes.title, tuple[str, dict[str, str]]] = weakref.WeakKeyDictionary()

    def render_partial(self, node: nodes.Node | None) -> dict[str, str]:
        """Sphinx's, but ``node`` is left where it was, and a title is rendered once.

        Sphinx's moves the node into a new document and leaves it there: each page's
        title in the environment kept the document of its last rendering alive, with
        its transformer and reporter. And a page's title is rendered for the page, as
        the previous page's "next", the next one's "previous", each child's parent and
        in sidebars, each time with a document, its transforms and a translator of its
        own: 813 renderings of a 213-page site's titles, 215 once each is kept. At
        10,000 commentaries the renderings took 10 s of a 220 s build."""
        if node is None:
            return super().render_partial(node)
        if isinstance(node, nodes.title):
            # imgmath's pictures of a title's math are addressed from the page. (Images
            # would be too; Sphinx leaves them out of the titles it keeps.)
            imgpath, parts = self._rendered_titles.get(node, (None, {}))
            if imgpath != self.imgpath:
                parts = self._rendered(node)
                self._rendered_titles[node] = self.imgpath, parts
            return dict(parts)
        return self._rendered(node)

    def _rendered(self, node: nodes.Node) -> dict[str, str]:
        # docutils' ``document`` is the node's own, else its parent's: set back to what
        # it read, it is that again once the parent is.
        parent, document = node.parent, node.document
        try:
            return super().render_partial(node)
        finally:
            node.parent = parent
            node.document = document

    def write_documents(self, docnames: Set[str]) -> None:
        in_order = sorted(docnames)
        large = {docname for pages in self.events.emit("large-pages", in_order)
                 for docname in pages}
        if not self.parallel_ok:
            # Sphinx's serial writing, twice: the large pages, then the rest.
            for pages in (large, docnames - large):
                if pages:
                    super().write_documents(pages)
            return

        def write_process(docs: list[Waiting]) -> None:
            self.phase = BuildPhase.WRITING
            for docname, page in docs:
                self.write_doc(docname, unpacked(page, self, docname))

        firstname, chunks = spread(in_order, large, self.writers)
        # The first page alone, as Sphinx does: it warms the caches and templates up.
        self._write_alone(firstname)

        tasks = HandOverTasks(self.writers)
        progress = status_iterator(chunks, __("writing output... "), "darkgreen",
                                   len(chunks), self.config.verbosity)

        def on_chunk_done(args: list[Waiting], result: None) -> None:
            next(progress)

        self.phase = BuildPhase.RESOLVING
        for chunk in chunks:
            arg = [self._resolved(docname) for docname in chunk]
            tasks.add_task(write_process, arg, on_chunk_done)
            # The writer forked with its own copy. Sphinx keeps the task's argument until
            # the chunk is written, for on_chunk_done, which does not need it.
            arg.clear()
            self.events.emit("pages-handed-over")
        tasks.join()
        logger.info("")

    def _write_alone(self, docname: str) -> None:
        """As Sphinx writes a page without ``-j``."""
        self.phase = BuildPhase.RESOLVING
        doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
        self.phase = BuildPhase.WRITING
        self.write_doc_serialized(docname, doctree)
        self.write_doc(docname, doctree)

    def _resolved(self, docname: str) -> Waiting:
        doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
        self.write_doc_serialized(docname, doctree)
        return docname, packed(doctree)


def setup_builder(app: Sphinx) -> None:
    app.add_builder(HTMLBuilder, override=True)
    # (docnames to write) -> some of them that take long to resolve and write.
    app.add_event("large-pages")
    # () -> nothing: the main process holds none of the pages resolved so far.
    app.add_event("pages-handed-over")
