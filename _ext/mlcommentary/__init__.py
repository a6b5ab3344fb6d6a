"""ML Commentary's paper extension: citation cards from arXiv metadata, paper
cross-references resolved by Sphinx, backlinks, tag and year pages, feeds, papers.bib.

Importing the package loads nothing but this file, so the data layer works without
Sphinx (``python -c "import mlcommentary.data.fetch"``); ``setup()`` brings in the
Sphinx side only when Sphinx loads the extension. What lives where:

* ``data``: what a paper is and where its metadata comes from (IDs, records, the
  metadata file, fetching, TeX, BibTeX, settings); imports no Sphinx.
* ``sphinx_ext``: the domain, directives, nodes and each output's form of them, and
  which builders get which output (``formats``).
* ``exports``: generated pages and files (tag and year pages, feeds, ``papers.bib``),
  and ``exports.sharing``, an extension of its own (Open Graph).
* ``buildscale``: an extension of its own that knows nothing of papers: Sphinx at
  10,000 pages.
* ``extension`` wires each feature's ``setup_<feature>(app)``; ``internals`` lists
  what of Sphinx and the libraries has no public way; ``__main__`` is the
  ``mlcommentary`` command.
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
