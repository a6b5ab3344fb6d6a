"""ML Commentary's paper extension: arXiv citation cards and paper cross-references.

Importing the package loads nothing but this file, so the data layer works
without Sphinx (``python -c "import mlcommentary.fetch"``); ``setup()`` brings in
the Sphinx side only when Sphinx loads the extension. One module per concern:

* data, no Sphinx: ``ids`` (arXiv identifiers), ``metadata`` (records and the
  metadata file), ``fetch`` (the arXiv client, bounded and polite), ``bibtex``
  (entries), ``tex`` (arXiv's TeX: math apart from text, Unicode for plain text),
  ``testing`` (a loopback arXiv for tests and the benchmark), ``settings`` (the
  arXiv settings' defaults and checks, also read from ``conf.py``), ``newpage``
  (``python -m mlcommentary new``: a commentary page from an arXiv ID), ``tags``
  (which spellings are one tag);
* Sphinx: ``extension`` (wiring), ``config`` (settings), ``domain`` (the papers of
  every page, references, backlinks, tags), ``directives`` (``paper`` and
  ``paper-index``), ``nodes`` and ``cards`` (their output), ``mathml`` (math at build
  time), ``previews`` (a preview on every paper link), ``pages`` (the tag and year
  pages), ``bibliography`` (``papers.bib``), ``drafts`` (drafts out of every toctree a
  reader sees), ``sync`` (the one metadata fetch of a
  build), ``byline`` (a commentary's date, authors and draft status, from its front
  matter), ``feeds`` (the Atom feeds), ``search`` (papers in Sphinx's search), ``outputs``
  (what an incremental build removes from the output),
  ``builder`` (Sphinx's HTML builder, with what a large site's build holds in memory
  bounded), ``epub`` (Sphinx's EPUB builder, with titles' math as text in its
  navigation), ``doctrees`` and ``collector``
  (what a large build keeps in memory and walks), ``internals`` (what of Sphinx and
  the libraries has no public way, in one place); ``sharing`` (Open Graph for
  commentaries) is a small extension of its own, listed in ``conf.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

__version__ = "1.1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    from .extension import setup_extension

    return setup_extension(app, __version__)
