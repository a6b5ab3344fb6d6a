"""arXiv identifiers: parsing what authors write into one canonical form.

The grammar is arXiv's own (https://info.arxiv.org/help/arxiv_identifier.html):

* new style, since April 2007: ``YYMM.NNNN`` until December 2014, ``YYMM.NNNNN``
  from January 2015, optionally followed by ``vN``;
* old style, August 1991 to March 2007: ``archive/YYMMNNN`` or
  ``archive.SC/YYMMNNN`` (the subject class is not part of the identifier, so
  it is dropped from the canonical form), optionally followed by ``vN``.

arXiv's DOIs (``10.48550/arXiv.`` and the identifier, registered with DataCite) name
the same paper, so they are read as its arXiv identifier: one paper, one card.

A malformed identifier must never reach the API: one bad ID in an ``id_list``
makes arXiv reject the whole request with HTTP 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABS_URL = "https://arxiv.org/abs/"
PDF_URL = "https://arxiv.org/pdf/"

#: Archives that issued old-style identifiers.
OLD_STYLE_ARCHIVES = frozenset(
    """acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph
    cmp-lg comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th
    math math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio
    quant-ph solv-int supr-con""".split()
)

_VERSION = r"(?:v(?P<version>[1-9][0-9]{0,3}))?"
_NEW_STYLE = re.compile(r"(?P<yymm>[0-9]{4})\.(?P<number>[0-9]{4,5})" + _VERSION)
_OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[A-Za-z]+(?:-[a-z]+)?))?"
    r"/(?P<yymm>[0-9]{4})(?P<number>[0-9]{3})" + _VERSION
)
_PREFIXES = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)
#: A DOI as written, as a DOI name or as a link; DOIs are case-insensitive.
_ARXIV_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.",
                        re.IGNORECASE)


class InvalidArxivId(ValueError):
    """Raised for text that is not an arXiv identifier; the message says why."""


@dataclass(frozen=True, order=True, slots=True)
class ArxivId:
    """An arXiv identifier: ``base`` is version-less, ``version`` pins one."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def abs_url(self) -> str:
        return ABS_URL + str(self)

    @property
    def pdf_url(self) -> str:
        return PDF_URL + str(self)

    @property
    def is_old_style(self) -> bool:
        return "/" in self.base


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an identifier as an author may write it.

    Accepts ``2110.02095``, ``2110.02095v2``, ``arXiv:2110.02095``, abstract and
    PDF URLs on arxiv.org, old-style ``hep-th/9901001`` or ``math.GT/0309136``, and
    arXiv's DOI of any of them (``doi:10.48550/arXiv.2110.02095``, or on doi.org).
    """
    raw = text.strip()
    if doi := _ARXIV_DOI.match(raw):
        arxiv_id = _parse(text, raw[doi.end():].lower())
        if arxiv_id.version is not None:
            raise InvalidArxivId(
                f"{text!r}: arXiv's DOIs name a paper, not one of its versions "
                f"(for that version, write {arxiv_id})")
        return arxiv_id
    candidate = _PREFIXES.sub("", raw)
    if candidate.endswith(".pdf") and candidate != raw:
        candidate = candidate[: -len(".pdf")]
    return _parse(text, candidate)


def _parse(text: str, candidate: str) -> ArxivId:
    """``candidate``, what is left of ``text`` without its prefix, as an identifier."""
    if not candidate:
        raise InvalidArxivId(f"{text!r} is empty, not an arXiv identifier")

    if match := _NEW_STYLE.fullmatch(candidate):
        yymm, number = match["yymm"], match["number"]
        _check_month(text, yymm)
        if yymm < "0704":
            raise InvalidArxivId(
                f"{text!r}: new-style identifiers start in April 2007 (0704); "
                "older papers have IDs like hep-th/9901001"
            )
        digits = 4 if yymm < "1501" else 5
        if len(number) != digits:
            raise InvalidArxivId(
                f"{text!r}: identifiers from {yymm[2:]}/20{yymm[:2]} have a "
                f"{digits}-digit number after the dot"
            )
        base = f"{yymm}.{number}"
    elif match := _OLD_STYLE.fullmatch(candidate):
        archive, yymm = match["archive"], match["yymm"]
        if archive not in OLD_STYLE_ARCHIVES:
            raise InvalidArxivId(f"{text!r}: {archive!r} is not an arXiv archive")
        _check_month(text, yymm)
        # Old-style numbering ran from August 1991 to March 2007.
        yyyymm = ("19" if yymm >= "91" else "20") + yymm
        if not "199108" <= yyyymm <= "200703":
            raise InvalidArxivId(
                f"{text!r}: old-style identifiers run from 9108 to 0703"
            )
        base = f"{archive}/{yymm}{match['number']}"
    else:
        raise InvalidArxivId(
            f"{text!r} is not an arXiv identifier "
            "(expected e.g. 2110.02095, 2110.02095v2 or hep-th/9901001)"
        )
    version = int(match["version"]) if match["version"] else None
    return ArxivId(base, version)


def _check_month(text: str, yymm: str) -> None:
    if not 1 <= int(yymm[2:]) <= 12:
        raise InvalidArxivId(f"{text!r}: {yymm[2:]} is not a month")
