"""An incremental build's output folder holds what a clean build's would.

Sphinx writes the pages it builds and never removes one: a deleted commentary, a tag
no page has any more or a page left as a draft's neighbour kept its old HTML (and its
copied source) in the output, published with the next upload. So the files of every
document that stops existing are removed with it: the author's pages that Sphinx
finds removed, and the generated pages (``pages``) that the domain no longer wants.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def remove_outputs(app: Sphinx, docname: str) -> None:
    """Remove what the HTML builders wrote for ``docname``: its page and its source copy."""
    builder = app.builder
    if not hasattr(builder, "get_outfilename"):
        return  # a builder that writes one file for the site (LaTeX, EPUB) writes it anew
    Path(builder.get_outfilename(docname)).unlink(missing_ok=True)
    sources = Path(builder.outdir, "_sources")
    link_suffix = app.config.html_sourcelink_suffix
    for suffix in app.config.source_suffix:
        name = docname + suffix + (link_suffix if suffix != link_suffix else "")
        (sources / name).unlink(missing_ok=True)


def remove_removed(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                   removed: set[str]) -> list[str]:
    for docname in removed:
        remove_outputs(app, docname)
    return []


def setup_outputs(app: Sphinx) -> None:
    app.connect("env-get-outdated", remove_removed)
