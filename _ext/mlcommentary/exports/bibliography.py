"""``papers.bib``: every paper the site comments on or mentions, in one BibTeX file.

Written once per build for the browsers' builders, beside the home page, under the
keys the cards use (the domain gives each paper one, unique on the site). A paper
the site has no record of has no entry: there is nothing to write but its ID, and
the build has already warned about it. Pages link to the file with the
``paper-bibliography`` role; ``LinkFiles`` makes its links, and the feeds'.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from ..data.bibtex import bibliography
from ..sphinx_ext import formats
from ..sphinx_ext.domain import PaperDomain
from ..sphinx_ext.nodes import paper_file_link
from ..data.digests import source_digest
from ..data.sentences import counted

logger = logging.getLogger(__name__)

FILENAME = "papers.bib"
#: The first line of the file names what it was made from: a build that would make
#: the same file (0.65 ms a paper) leaves it as it is.
_STAMP = re.compile(r"^% made from (\w+)$", re.MULTILINE)
#: Part of that stamp: a new version of the writing code writes the file anew.
_CODE = source_digest("data/bibtex.py", "data/tex.py", "exports/bibliography.py")[:16]


def bibliography_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
                      options: dict | None = None, content: list[str] | None = None):
    """``{paper-bibliography}`the site's papers as BibTeX``` links to ``papers.bib``."""
    return [file_link(rawtext, text, FILENAME, formats.BIBLIOGRAPHY, inliner, lineno,
                      "paper-bibliography")], []


def file_link(rawtext: str, text: str, filename: str, builders: tuple[str, ...],
              inliner: Inliner, lineno: int, kind: str) -> paper_file_link:
    """A link to ``filename`` (from the output's root), of class ``kind``."""
    node = paper_file_link(rawtext, text, filename=filename, builders=builders,
                           classes=[kind])
    node.source, node.line = inliner.reporter.get_source_and_line(lineno)
    return node


class LinkFiles(SphinxPostTransform):
    """Builders that write the file get a link relative to the page; others the text,
    linked to the published file when the site knows its address (``html_baseurl``)."""

    default_priority = 5

    def run(self, **kwargs) -> None:  # noqa: ANN003
        builder = self.env.domains["paper"].builder
        docname = self.env.current_document.docname
        for node in list(self.document.findall(paper_file_link)):
            text = node.astext()
            if builder.name in node["builders"]:
                uri = relative_uri(builder.get_target_uri(docname), node["filename"])
            elif self.config.html_baseurl:
                uri = self.config.html_baseurl.rstrip("/") + "/" + node["filename"]
            else:
                node.replace_self(nodes.inline(text, text))
                continue
            node.replace_self(nodes.reference(text, text, refuri=uri, internal=False,
                                              classes=node["classes"]))


def write_bibliography(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in formats.BIBLIOGRAPHY:
        return
    domain: PaperDomain = app.env.domains["paper"]
    project = app.config.project
    stamp = hashlib.sha256(
        f"{_CODE} {domain.bibliography_digest()} {project}".encode()).hexdigest()[:48]
    path = Path(app.outdir) / FILENAME
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    found = _STAMP.search(old)
    if found and found[1] == stamp:
        return
    heading = (f"made from {stamp}\n{project}: every paper the site comments on or "
               "mentions, under the keys its cards use.")
    entries = domain.bibliography()
    path.write_text(bibliography(entries, heading), encoding="utf-8")
    logger.info("wrote %s: %s", FILENAME, counted(len(entries), "paper"))


def setup_bibliography(app: Sphinx) -> None:
    app.add_role("paper-bibliography", bibliography_role)
    app.add_post_transform(LinkFiles)
    app.connect("build-finished", write_bibliography)
