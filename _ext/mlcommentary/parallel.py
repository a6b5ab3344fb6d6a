"""Sphinx's parallel HTML writing, with its queue bounded.

With ``-j N``, Sphinx's main process resolves each page and hands the pages, a chunk
at a time, to N - 1 writing processes that it forks (``Builder._write_parallel``).
It resolves faster than they write, and nothing makes it wait (Sphinx issue 11448): on
2 cores, one writer, the main process had resolved the whole site by the time the
writer was half done. At 10,000 commentaries it held 1.3 GB, and each writer forked
late inherited all of it, 1.5 GB.

``HTMLBuilder`` differs in one thing: the main process hands over a chunk only when a
writer can take it at once, so it resolves at most one chunk ahead of the writers. The
writers were the slower side, so nothing waits for it that did not before; on 10,000
commentaries the main process peaked at 0.9 GB instead of 1.3 and the build took 354 s
instead of 442, with less memory to allocate and collect. The pages are written by
Sphinx's own code, in the same order of chunks.

``_write_parallel`` is Sphinx's own (9.0), bar the task pool; ``test_builders`` notices
when Sphinx changes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from docutils import nodes
from sphinx.builders import _write_docname
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.parallel import ParallelTasks, make_chunks

logger = logging.getLogger(__name__)


class HandOverTasks(ParallelTasks):
    """Sphinx's process pool, whose ``add_task`` returns once a process has the task."""

    def add_task(self, task_func: Callable[[Any], Any], arg: Any = None,
                 result_func: Callable[[Any, Any], Any] | None = None) -> None:
        super().add_task(task_func, arg, result_func)
        try:
            # Polled as Sphinx's own join() polls: a task waits until a process ends.
            while self._precvs_waiting:
                if not self._join_one():
                    time.sleep(0.02)
        except BaseException:
            self.terminate()
            raise


class HTMLBuilder(StandaloneHTMLBuilder):
    """Sphinx's HTML builder, whose main process resolves at most one chunk ahead."""

    def _write_parallel(self, docnames: Sequence[str], nproc: int) -> None:
        def write_process(docs: list[tuple[str, nodes.document]]) -> None:
            self.phase = BuildPhase.WRITING
            for docname, doctree in docs:
                self.write_doc(docname, doctree)

        # The first page alone, as Sphinx does: it warms the caches and templates up.
        firstname, docnames = docnames[0], docnames[1:]
        _write_docname(firstname, env=self.env, builder=self, tags=self.tags)

        tasks = HandOverTasks(nproc)
        chunks = make_chunks(docnames, nproc)
        progress = status_iterator(chunks, __("writing output... "), "darkgreen",
                                   len(chunks), self.config.verbosity)

        def on_chunk_done(args: list[tuple[str, nodes.document]], result: None) -> None:
            next(progress)

        self.phase = BuildPhase.RESOLVING
        for chunk in chunks:
            arg = []
            for docname in chunk:
                doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
                self.write_doc_serialized(docname, doctree)
                arg.append((docname, doctree))
            tasks.add_task(write_process, arg, on_chunk_done)
        tasks.join()
        logger.info("")
