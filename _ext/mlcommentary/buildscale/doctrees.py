"""Doctrees wait on disk between reading and writing, not in memory.

Sphinx (since 7.3) keeps in memory every doctree it reads until its page is written
(``env._write_doc_doctree_cache``), and the bytes of every doctree it loads from disk
for the rest of the build (``env._pickled_doctree_cache``), so that memory grows with
the site: the benchmark's floor, which keeps them, peaks at 1.3 GB at 10,000 pages. Here
each is let go once it has served: a page read is on disk already, and a page written
will not be loaded again. Loading every doctree from disk to write it is what Sphinx
did before 7.3; on 3,000 commentaries the build took no longer, and its peak fell from
382 MB to 274 MB.

Both are private to Sphinx (listed in ``internals``).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .. import internals


def forget_read_doctrees(app: Sphinx, env: BuildEnvironment, *args: object) -> None:
    # At each page's purge (just before it is read) and after the last page.
    internals.doctree_caches(env)[0].clear()


def forget_loaded_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    internals.doctree_caches(app.env)[1].pop(docname, None)


def setup_doctrees(app: Sphinx) -> None:
    app.connect("env-purge-doc", forget_read_doctrees)
    app.connect("env-updated", forget_read_doctrees)
    app.connect("doctree-resolved", forget_loaded_doctree)
