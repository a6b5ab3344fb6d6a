"""arXiv: its identifiers, its API, and how its papers are cited.

The grammar is arXiv's own (https://info.arxiv.org/help/arxiv_identifier.html):

* new style, since April 2007: ``YYMM.NNNN`` until December 2014, ``YYMM.NNNNN``
  from January 2015, optionally followed by ``vN``;
* old style, August 1991 to March 2007: ``archive/YYMMNNN`` or
  ``archive.SC/YYMMNNN`` (the subject class is not part of the identifier, so
  it is dropped from the canonical form), optionally followed by ``vN``.

arXiv's DOIs (``10.48550/arXiv.`` and the identifier, registered with DataCite) name
the same paper, so they are read as its arXiv identifier: one paper, one card.

A malformed identifier must never reach the API: one bad ID in an ``id_list``
makes arXiv reject the whole request with HTTP 400. The ``arxiv`` client is used as
it is, on a session bounded as ``fetch`` bounds every source's; its response hook
refuses anything that is not an Atom feed (a maintenance page, a truncated body, a
DTD with entity tricks) and reads arXiv's ``Error`` entry on HTTP 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import arxiv
import requests
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from .. import internals
from .fetch import (DEFAULT_TIMEOUT, FetchFailure, FetchReport, Missing, ResponseRefused,
                    batches, bounded_session, describe)
from .ids import InvalidPaperId, PaperId
from .metadata import PaperRecord

NAME = "arxiv"
#: The service, as messages name it.
SERVICE = "arXiv"
#: Why a paper it does not return has no record.
NOT_FOUND = "arXiv has no such paper"
#: What ``url`` leads to.
PAGE = "arXiv abstract page"
VERSIONED = True
#: The setting that says where its API is.
API_SETTING = "arxiv_api_url"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
#: arXiv asks for no more than one request every three seconds.
ARXIV_DELAY = 3
#: arXiv's limit per ``id_list`` request that we keep to (longer URLs get HTTP 414).
BATCH_SIZE = 100
#: Its settings and their defaults (``settings`` gathers every source's).
SETTINGS = {"arxiv_api_url": DEFAULT_API_URL, "arxiv_request_delay": ARXIV_DELAY}
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_ATOM = "{http://www.w3.org/2005/Atom}"

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


def parse(text: str) -> PaperId:
    """Parse an arXiv identifier as an author may write it; the last source asked, so
    anything else is refused with what an identifier looks like.

    Accepts ``2110.02095``, ``2110.02095v2``, ``arXiv:2110.02095``, abstract and
    PDF URLs on arxiv.org, old-style ``hep-th/9901001`` or ``math.GT/0309136``, and
    arXiv's DOI of any of them (``doi:10.48550/arXiv.2110.02095``, or on doi.org).
    """
    raw = text.strip()
    if doi := _ARXIV_DOI.match(raw):
        arxiv_id = _parse(text, raw[doi.end():].lower())
        if arxiv_id.version is not None:
            raise InvalidPaperId(
                f"{text!r}: arXiv's DOIs name a paper, not one of its versions "
                f"(for that version, write {arxiv_id})")
        return arxiv_id
    candidate = _PREFIXES.sub("", raw)
    if candidate.endswith(".pdf") and candidate != raw:
        candidate = candidate[: -len(".pdf")]
    return _parse(text, candidate)


def _parse(text: str, candidate: str) -> PaperId:
    """``candidate``, what is left of ``text`` without its prefix, as an identifier."""
    if not candidate:
        raise InvalidPaperId(f"{text!r} is empty, not an arXiv identifier")

    if match := _NEW_STYLE.fullmatch(candidate):
        yymm, number = match["yymm"], match["number"]
        _check_month(text, yymm)
        if yymm < "0704":
            raise InvalidPaperId(
                f"{text!r}: new-style identifiers start in April 2007 (0704); "
                "older papers have IDs like hep-th/9901001"
            )
        digits = 4 if yymm < "1501" else 5
        if len(number) != digits:
            raise InvalidPaperId(
                f"{text!r}: identifiers from {yymm[2:]}/20{yymm[:2]} have a "
                f"{digits}-digit number after the dot"
            )
        base = f"{yymm}.{number}"
    elif match := _OLD_STYLE.fullmatch(candidate):
        archive, yymm = match["archive"], match["yymm"]
        if archive not in OLD_STYLE_ARCHIVES:
            raise InvalidPaperId(f"{text!r}: {archive!r} is not an arXiv archive")
        _check_month(text, yymm)
        # Old-style numbering ran from August 1991 to March 2007.
        yyyymm = ("19" if yymm >= "91" else "20") + yymm
        if not "199108" <= yyyymm <= "200703":
            raise InvalidPaperId(
                f"{text!r}: old-style identifiers run from 9108 to 0703"
            )
        base = f"{archive}/{yymm}{match['number']}"
    else:
        raise InvalidPaperId(
            f"{text!r} is not a paper identifier (expected an arXiv ID such as 2110.02095, "
            "2110.02095v2 or hep-th/9901001, or a DOI such as doi:10.18653/v1/N18-2074)"
        )
    version = int(match["version"]) if match["version"] else None
    return PaperId(NAME, base, version)


def _check_month(text: str, yymm: str) -> None:
    if not 1 <= int(yymm[2:]) <= 12:
        raise InvalidPaperId(f"{text!r}: {yymm[2:]} is not a month")


def check_settings(values: Mapping[str, Any]) -> None:
    """``ValueError`` for a delay shorter than arXiv asks of whoever asks arXiv itself."""
    api_url, delay = values["arxiv_api_url"], values["arxiv_request_delay"]
    if is_arxiv(api_url) and delay < ARXIV_DELAY:
        raise ValueError(
            f"arxiv_request_delay is {delay:g} s, but arXiv asks for at least "
            f"{ARXIV_DELAY:g} s between requests to its servers ({api_url}); a shorter "
            "delay is only for another server (arxiv_api_url)")


def is_arxiv(url: str) -> bool:
    """Whether ``url`` is on arXiv's servers, however it is spelt: arxiv.org or any
    subdomain, in any case, with any scheme, port, userinfo, path or final dot."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed port or IPv6 address: no host of arXiv's either
        return False
    host = host.rstrip(".")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


def paper_id(base: str, version: int | None = None) -> PaperId:
    """The ``PaperId`` of an arXiv identifier already in its canonical form."""
    return PaperId(NAME, base, version)


def label(paper: PaperId) -> str:
    return f"arXiv:{paper}"


def url(paper: PaperId) -> str:
    return ABS_URL + str(paper)


def pdf_url(paper: PaperId) -> str:
    return PDF_URL + str(paper)


def bibtex_fields(record: PaperRecord, cited: PaperId) -> tuple[str, list[tuple[str, str]]]:
    """The entry arXiv recommends: ``@misc`` with ``eprint``; a journal reference, which
    arXiv keeps as free text, goes in ``note``."""
    fields = [("eprint", str(cited)), ("archivePrefix", "arXiv"),
              ("primaryClass", record.primary_category), ("url", url(cited)),
              ("doi", record.doi), ("note", record.journal_ref)]
    return "misc", fields


def _check_response(response: requests.Response, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
    """Refuse what the client must not parse; name arXiv's error when it gives one."""
    if response.is_redirect:
        raise ResponseRefused(
            Missing.BAD_RESPONSE,
            f"redirected to {response.headers.get('Location', '?')}; not followed",
        )
    if response.status_code not in (200, 400):
        return  # the client turns any other status into arxiv.HTTPError
    content_type = response.headers.get("Content-Type", "")
    if "xml" not in content_type:
        raise ResponseRefused(
            Missing.BAD_RESPONSE, f"not an Atom feed but {content_type or 'an untyped body'}"
        )
    try:
        root = SafeElementTree.fromstring(response.content, forbid_dtd=True)
    except DefusedXmlException as err:
        raise ResponseRefused(
            Missing.BAD_RESPONSE, f"refused a body with a DTD or entities ({err})"
        ) from None
    except SafeElementTree.ParseError as err:
        raise ResponseRefused(Missing.BAD_RESPONSE, f"not a complete Atom feed: {err}") from None
    if root.tag != _ATOM_FEED:
        raise ResponseRefused(Missing.BAD_RESPONSE, f"not an Atom feed: root element {root.tag}")
    if response.status_code == 400:
        summary = root.findtext(f"{_ATOM}entry/{_ATOM}summary") or "no reason given"
        raise ResponseRefused(Missing.REJECTED, f"arXiv rejected the request: {summary.strip()}")



def record_from_result(result: arxiv.Result) -> PaperRecord:
    """Our record of an API result, checked and cleaned as records from the file are."""
    found = parse(result.entry_id)
    return PaperRecord.from_json({
        "id": found.base,
        "version": found.version or 1,
        "title": result.title,
        "authors": [author.name for author in result.authors],
        "published": result.published.date().isoformat(),
        "updated": result.updated.date().isoformat(),
        "primary_category": result.primary_category,
        "categories": result.categories,
        "comment": result.comment,
        "journal_ref": result.journal_ref,
        "doi": result.doi,
        "abstract": result.summary,
        "source": "arxiv-api",
    })


def fetcher(settings: Mapping[str, Any]) -> ArxivFetcher:
    """The fetcher the site's (checked) settings describe."""
    return ArxivFetcher(settings["arxiv_api_url"], timeout=settings["arxiv_timeout"],
                        delay=settings["arxiv_request_delay"])


class ArxivFetcher:
    """Fetches records for version-less IDs, in batches, politely, in bounded time."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        delay: float = ARXIV_DELAY,
        retries: int = 2,
    ) -> None:
        self.api_url = api_url
        # The client's own retry loop would bypass the adapter's delays.
        self.client = arxiv.Client(page_size=BATCH_SIZE, delay_seconds=delay, num_retries=0)
        self.client.query_url_format = api_url + "?{}"
        self.request_bound = bounded_session(internals.arxiv_session(self.client),
                                             timeout=timeout, delay=delay, retries=retries,
                                             check=_check_response)
        self.tries = retries + 1

    def fetch(self, ids: Iterable[str]) -> FetchReport:
        """Fetch the records for ``ids`` (version-less, already validated)."""
        report = FetchReport()
        chunks = list(batches(sorted(set(ids)), BATCH_SIZE))
        for n, batch in enumerate(chunks):
            self._fetch_batch(batch, report)
            if failure := report.out_of_reach:
                # The next batches would wait as long for nothing: not sent, same reason.
                failure.ids += [arxiv_id for later in chunks[n + 1:] for arxiv_id in later]
                break
        return report

    def _fetch_batch(self, batch: list[str], report: FetchReport) -> None:
        report.requests += 1
        try:
            results = list(self.client.results(arxiv.Search(id_list=batch, max_results=len(batch))))
        except arxiv.HTTPError as err:
            if err.status == 414 and len(batch) > 1:
                # The URL was too long for this server: ask in two halves.
                middle = len(batch) // 2
                self._fetch_batch(batch[:middle], report)
                self._fetch_batch(batch[middle:], report)
            else:
                report.failures.append(FetchFailure(batch, *describe(err, self.tries, SERVICE)))
            return
        except Exception as err:  # every failure becomes a warning, never a crash
            report.failures.append(FetchFailure(batch, *describe(err, self.tries, SERVICE)))
            return
        unusable: dict[str, str] = {}  # version-less ID -> what is wrong with its entry
        unreadable: list[str] = []  # entries whose ID is no arXiv ID: for any of the batch
        for result in results:
            try:
                base = parse(result.entry_id).base
            except InvalidPaperId as err:
                unreadable.append(str(err))
                continue
            if base not in batch:
                continue
            try:
                report.records[base] = record_from_result(result)
            except ValueError as err:
                unusable[base] = f"arXiv's entry for {base} is no usable record: {err}"
        for arxiv_id in batch:
            if arxiv_id in report.records:
                continue
            if arxiv_id in unusable:
                reason = unusable[arxiv_id]
            elif unreadable:
                reason = (f"arXiv's answer for {arxiv_id} holds an entry that is no usable "
                          f"record: {'; '.join(unreadable)}")
            else:
                report.not_found.append(arxiv_id)
                continue
            report.failures.append(FetchFailure([arxiv_id], Missing.BAD_RESPONSE, reason))
