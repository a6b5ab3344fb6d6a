"""Sphinx at 10,000 pages: what a large site's build holds in memory, walks and
writes again, bounded. It knows nothing of papers: any Sphinx site can list
``mlcommentary.buildscale`` in ``extensions``, as this one does beside the paper
extension, and the pages it writes are the same with it or without it.

``builder`` (Sphinx's HTML builder, its parallel writer resolving at most one chunk
ahead), ``reading`` (each parallel reading process sends back only its pages),
``doctrees`` (doctrees wait on disk, not in memory), ``collector`` (CPython's
cyclic collector leaves the loaded environment alone, in Sphinx's command-line
process only), ``toctrees`` (pages with toctrees read last, and written again only
when what they show changed) and ``templates`` (the HTML templates compiled once, not
in every build). The README's Performance section has the figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup(app: Sphinx) -> ExtensionMetadata:
    from .. import __version__
    from .builder import setup_builder
    from .collector import setup_collector
    from .doctrees import setup_doctrees
    from .reading import setup_reading
    from .templates import setup_templates
    from .toctrees import setup_toctrees

    for setup_feature in (setup_builder, setup_reading, setup_doctrees, setup_collector,
                          setup_toctrees, setup_templates):
        setup_feature(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
