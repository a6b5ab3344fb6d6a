"""CPython's cyclic garbage collector leaves the loaded environment alone.

A build over an existing environment unpickles it whole. At 10,000 commentaries an
edit's process holds some 800,000 objects the collector tracks, most of them the
environment's and most of those Sphinx's own (each page's table of contents is a tree
of docutils nodes). None of it becomes garbage during the build, yet each of the
collector's full passes walks all of it: while the environment is unpickled the heap
grows by a quarter between passes, so the passes walk it about five times over, and
then again at every full pass while pages are read and written. At 10,000
commentaries the collector took 2 to 3 s of a one-page edit (a fifth of it).

So the collector is off while Sphinx loads the environment, and what exists once the
builder is ready is frozen: ``gc.freeze`` moves it to a permanent generation that the
passes skip, which is what it is for: objects that live as long as the process.
Objects made later are collected as usual. What reading adds to the environment is
frozen too, every ``FREEZE_EVERY`` pages and once the pages are read, each time after
one full pass, which frees what reading left: reading and writing make and drop a
doctree a page, whose survivors start a full pass every time they reach a quarter of
the heap, and each of those walked all that had been read. A cold build of 10,000
commentaries spent 44 s in 76 full passes (1.4 s in 36 at 1,000: the passes grow with
the site and each walks more).

And a full pass comes at most every ``FULL_PASS_AFTER`` collections of the middle
generation, not every 10. Whatever is frozen, a page's doctree lives long enough to
reach the oldest generation (with ``-j``, the main process keeps a chunk of resolved
pages for the writer), and each quarter of it that arrives there starts a full pass:
at 10,000 commentaries with -j 2, 77 passes took 56 s of the main process's 155 s of
writing, while the writer waited for it. Every 100 of them (with the main process
letting a chunk go once its writer has it, ``builder``), 23 passes took 28 s of 132,
and the build 204 s instead of 228, at the same peak memory (810 MB).

And once a writer has its chunk, the main process frees the chunk with one pass and
freezes what outlived it: the next chunk's passes walk only what that chunk makes, not
every cache that resolving the site so far has filled (300,000 objects at 10,000
commentaries) nor the pages of the chunks that were waiting for a pass. The same
build's writing took 119 s instead of 132 (22 s in 37 passes), and the build 184 s,
at the same peak memory (790 MB).

What is made after reading and before writing (the pages read again once reading
ends, the paper search's documents) is collected and frozen too, when writing
starts: its garbage in the generations shifted the full passes that free the written
pages, and a serial build of 10,000 commentaries peaked at 876 MB writing the listings,
against 732 MB with this pass (which took no measurable time).

At the end of the build the frozen ones are unfrozen and the collector is as it was.

All of this is process-wide, so it is done only in a process that is Sphinx's command
line (``sphinx-build``, ``python -m sphinx``, so ``make html``), which runs this one
build and ends. A process that hosts a build (a test session, a server, a script
calling ``sphinx.cmd.build.main``) did not ask for it and is left alone.

When the process ends, what is left is frozen again. The Sphinx application and its
environment are one web of references, freed only by the collector's last pass as
the interpreter shuts down: object by object, 2.3 s of a 9 s edit at 10,000
commentaries, for memory the operating system takes back at once anyway. Python
does not promise to finalize what is still alive at exit; Sphinx closes its files
itself, and ``atexit`` handlers (logging's flush, ``weakref.finalize``) still run.
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config


#: Pages read between two freezes of what reading made.
FREEZE_EVERY = 500
#: Collections of the middle generation before a full pass may start (CPython's: 10).
FULL_PASS_AFTER = 100


class Collector:
    """Whether the collector was on before the build paused it: it is left as found."""

    def __init__(self) -> None:
        self._was_enabled = True
        self._thresholds = gc.get_threshold()
        self._purged = 0

    def pause(self, app: Sphinx, config: Config) -> None:
        # config-inited: Sphinx loads the environment next, then readies the builder.
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        gc.disable()

    def freeze(self, app: Sphinx) -> None:
        gc.freeze()
        youngest, middle, _ = self._thresholds
        gc.set_threshold(youngest, middle, FULL_PASS_AFTER)
        if self._was_enabled:
            gc.enable()

    def freeze_what_lives(self, app: Sphinx) -> None:
        if self._was_enabled:
            gc.collect()
        gc.freeze()

    def freeze_what_was_read(self, app: Sphinx, env: object) -> None:
        self.freeze_what_lives(app)

    def freeze_before_writing(self, app: Sphinx, builder: object) -> None:
        self.freeze_what_lives(app)

    def count_pages(self, app: Sphinx, env: object, docname: str) -> None:
        # Each page is purged just before it is read (all at once, before -j reads).
        self._purged += 1
        if self._purged % FREEZE_EVERY == 0:
            self.freeze_what_lives(app)

    def unfreeze(self, app: Sphinx, exception: Exception | None) -> None:
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)


def skip_final_collection() -> None:
    gc.freeze()


def is_sphinx_command_line() -> bool:
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return program.name == "sphinx-build" or program.parts[-2:] == ("sphinx", "__main__.py")


def setup_collector(app: Sphinx) -> None:
    if not is_sphinx_command_line():
        return
    # Once per process, however many builds it runs.
    atexit.unregister(skip_final_collection)
    atexit.register(skip_final_collection)
    collector = Collector()
    # Last of the config-inited handlers: those that check the configuration may stop
    # the build. Should Sphinx fail to start after this (a theme it cannot load), the
    # collector stays off in that process, which is then ending (``sphinx-build``).
    app.connect("config-inited", collector.pause, priority=1000)
    # First of the builder-inited handlers, before any of them builds on the environment.
    app.connect("builder-inited", collector.freeze, priority=0)
    # Last of their handlers: doctrees.py lets the read doctrees go at 500.
    app.connect("env-purge-doc", collector.count_pages, priority=1000)
    app.connect("env-updated", collector.freeze_what_was_read, priority=1000)
    # Last of its handlers: what they made for the writing lives through it.
    app.connect("write-started", collector.freeze_before_writing, priority=1000)
    app.connect("pages-handed-over", collector.freeze_what_lives)
    # Last of the build-finished handlers: they still use the environment.
    app.connect("build-finished", collector.unfreeze, priority=1000)
