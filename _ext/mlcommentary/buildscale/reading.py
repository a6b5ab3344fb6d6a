"""Each of Sphinx's reading processes sends back the pages it read, not the whole site.

With ``-j N``, Sphinx forks a process for each chunk of pages to read, and each sends
its whole environment back to the main process (``Builder._read_parallel``), which
unpickles it and merges the chunk's pages from it (``merge_info_from``, and every
collector's ``merge_other``, which take only those pages). A process forked late
inherited every page read before it, and sent all of them back again: at 10,000
pages, 45 environments of up to 7 MB, mostly tables of contents and titles as trees
of nodes, which the main process unpickled while its cyclic collector walked them
again and again. Simulated on that site's environment, 45 such loads took 47 s (8 s
with the collector off); profiled, the main process spent 42 s merging, and the
rest sent that way grows with the square of the pages.

So a reading process, before it reads its first page, empties the per-page tables it
inherited. Nothing that reads a page needs another page's table of contents, title or
metadata: those are for resolving and writing, which the main process does with its
own tables. The domains' data is left as it is: a domain may check another page's
labels while reading (duplicate labels), and its tables are small.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .. import internals


class ReadingProcesses:
    """Which process reads in parallel: any but the one that read before Sphinx forked."""

    def __init__(self) -> None:
        self._main: int | None = None
        self._emptied: int | None = None

    def note_main(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        self._main = os.getpid()

    def empty_inherited(self, app: Sphinx, docname: str, source: list[str]) -> None:
        process = os.getpid()
        if process in (self._main, self._emptied) or self._main is None:
            return
        self._emptied = process
        for name in internals.ENV_PER_PAGE:
            # What Sphinx noted of this page before its source was read stays.
            table = getattr(app.env, name)
            if isinstance(table, set):
                table.intersection_update({docname})
            else:
                own = table.get(docname)
                table.clear()
                if own is not None:
                    table[docname] = own


def setup_reading(app: Sphinx) -> None:
    processes = ReadingProcesses()
    app.connect("env-before-read-docs", processes.note_main)
    # First: another handler of the page's source may note something of the page.
    app.connect("source-read", processes.empty_inherited, priority=0)
