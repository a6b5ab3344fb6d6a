"""What names a paper: a source (arXiv, a DOI registry) and that source's key for it.

Every identifier has one canonical text, its ``base`` (the version-less form), which
keys the metadata file, the domain and the anchors; the rest of the extension asks a
``PaperId`` for its label and links and never looks at which source it is. Each
source is one module of this package (``SOURCES``) with the same few functions:
``parse``, ``label``, ``url``, ``pdf_url``, ``fetcher`` and ``bibtex_fields``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import cache
from types import ModuleType

from .frozen import pickled_as_tuple
from .memo import remembered

#: The sources, in the order they are offered an identifier: arXiv's grammar comes last,
#: so that the text no source recognises gets arXiv's explanation of what it expects.
SOURCES = ("doi", "openreview", "arxiv")


class InvalidPaperId(ValueError):
    """Raised for text that is no identifier of any source; the message says why."""


@pickled_as_tuple
@dataclass(frozen=True, order=True, slots=True)
class PaperId:
    """A paper's identifier: ``base`` is its canonical, version-less text (arXiv's
    identifiers are bare, ``2110.02095``; the others carry their source,
    ``doi:10.18653/v1/n18-2074``); ``version`` pins one version where a source has them."""

    source: str
    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def label(self) -> str:
        """How a reader sees the identifier cited: ``arXiv:2110.02095v2``."""
        return source(self.source).label(self)

    @property
    def url(self) -> str:
        """The paper's page at its source (the version's, if one is pinned)."""
        return source(self.source).url(self)

    @property
    def pdf_url(self) -> str | None:
        return source(self.source).pdf_url(self)

    @property
    def service(self) -> str:
        """Who keeps the paper's record, as messages and cards name it: "OpenReview"."""
        return source(self.source).SERVICE

    @property
    def page_name(self) -> str:
        """What ``url`` leads to, as a link's reader is told: "arXiv abstract page"."""
        return source(self.source).PAGE

    @property
    def versioned(self) -> bool:
        """Whether the source keeps versions of a paper (arXiv does, a DOI names one)."""
        return source(self.source).VERSIONED

    @property
    def paper(self) -> PaperId:
        """The paper, whatever version this names."""
        return replace(self, version=None) if self.version is not None else self

    def at(self, version: int) -> PaperId:
        return replace(self, version=version)


@cache
def source(name: str) -> ModuleType:
    """The module of the source called ``name``."""
    return importlib.import_module(f"{__package__}.{name}")


@remembered
def parse_paper_id(text: str) -> PaperId:
    """Parse an identifier as an author may write it: any source's own form, or a link
    to the paper at its source (``https://arxiv.org/abs/…``, ``https://doi.org/…``).

    Cached: a site of thousands of pages parses the same few thousand IDs again and again.
    """
    for name in SOURCES:
        if (paper_id := source(name).parse(text)) is not None:
            return paper_id
    raise AssertionError("arXiv's grammar refuses what it does not parse")

