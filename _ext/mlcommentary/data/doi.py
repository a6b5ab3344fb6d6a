"""DOIs: the identifiers of journals and proceedings (ACL Anthology, PMLR, IEEE, ...),
their registries' APIs, and how their papers are cited.

A DOI is ``10.<registrant>/<suffix>``, case-insensitive (https://www.doi.org/the-identifier/
resources/handbook/2_numbering); its canonical form here is lower case, written
``doi:10.18653/v1/n18-2074``. Most DOIs of papers are Crossref's; others (Zenodo,
Dagstuhl's LIPIcs, arXiv's own) DataCite's. Crossref is asked first
(``GET /works/{doi}``) and DataCite (``GET /dois/{doi}``) when Crossref has no such
work; arXiv's DOIs never come here, as ``arxiv`` reads them as the paper's arXiv ID.

The registries are asked one DOI at a time: their single-work answers are the ones
whose shape is documented and recorded, and a site cites few papers that are not on
arXiv. Crossref's ``x-rate-limit-*`` headers set the pause between requests, never
shorter than the site's own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote

import requests

from .fetch import (DEFAULT_TIMEOUT, FetchFailure, FetchReport, JsonFetcher, Missing,
                    StatusError, describe)
from .ids import InvalidPaperId, PaperId
from .bibtex import published_form
from .metadata import PaperRecord

NAME = "doi"
SERVICE = "Crossref and DataCite"
NOT_FOUND = "neither Crossref nor DataCite knows this DOI"
PAGE = "Publisher's page (doi.org)"
VERSIONED = False
API_SETTING = "crossref_api_url"
CROSSREF_API_URL = "https://api.crossref.org"
DATACITE_API_URL = "https://api.datacite.org"
#: Crossref's public pool allows five requests a second.
DOI_DELAY = 0.2
RESOLVER = "https://doi.org/"
SETTINGS = {
    "crossref_api_url": CROSSREF_API_URL,
    "datacite_api_url": DATACITE_API_URL,
    # An address Crossref may write to about the site's requests: its "polite pool".
    "crossref_mailto": "",
    "doi_request_delay": DOI_DELAY,
}

_FORMS = re.compile(r"^(?:doi:\s*|https?://(?:dx\.|www\.)?doi\.org/)?(?=10\.)|^doi:",
                    re.IGNORECASE)
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
#: arXiv's registrant: its DOIs are arXiv's identifiers (module ``arxiv``).
_ARXIV_REGISTRANT = re.compile(r"10\.48550/", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.", re.IGNORECASE)
#: Characters a DOI keeps unescaped in a doi.org link.
_URL_SAFE = "/:;()[],=+!*'@$&"


def parse(text: str) -> PaperId | None:
    """A DOI as an author may write it (``doi:10.…``, ``https://doi.org/10.…``, or bare
    ``10.…``), None for text that is no DOI, or ``InvalidPaperId`` for a DOI that
    cannot be one."""
    raw = text.strip()
    form = _FORMS.match(raw)
    if form is None:
        return None
    doi = raw[form.end():]
    if form.group().lower().startswith("http"):
        doi = unquote(doi)
    if _ARXIV_DOI.match(doi):
        return None  # arXiv's own: read by ``arxiv`` as the paper's arXiv identifier
    if not _DOI.fullmatch(doi):
        raise InvalidPaperId(
            f"{text!r} is not a DOI (a DOI is 10., the registrant's number, a slash and "
            "the rest, with no spaces: doi:10.18653/v1/N18-2074)")
    if _ARXIV_REGISTRANT.match(doi):
        raise InvalidPaperId(f"{text!r}: arXiv's DOIs are 10.48550/arXiv. and the arXiv "
                             "identifier (doi:10.48550/arXiv.2110.02095)")
    return PaperId(NAME, "doi:" + doi.lower())


def doi_of(paper: PaperId) -> str:
    """``10.18653/v1/n18-2074``: the DOI itself, as the registries take it."""
    return paper.base.removeprefix("doi:")


def label(paper: PaperId) -> str:
    return paper.base


def url(paper: PaperId) -> str:
    return RESOLVER + quote(doi_of(paper), safe=_URL_SAFE)


def pdf_url(paper: PaperId) -> None:
    return None  # where a publisher keeps the PDF is its own affair


def bibtex_fields(record: PaperRecord, cited: PaperId) -> tuple[str, list[tuple[str, str]]]:
    entry_type, fields = published_form(record)
    return entry_type, [*fields, ("doi", doi_of(cited)), ("url", url(cited))]


def check_settings(values: Mapping[str, Any]) -> None:
    mailto = values["crossref_mailto"]
    if not isinstance(mailto, str) or (mailto and "@" not in mailto):
        raise ValueError(f"crossref_mailto must be an e-mail address or empty, not {mailto!r}")


def fetcher(settings: Mapping[str, Any]) -> DoiFetcher:
    """The fetcher the site's (checked) settings describe."""
    return DoiFetcher(settings["crossref_api_url"], settings["datacite_api_url"],
                      mailto=settings["crossref_mailto"] or None,
                      timeout=settings["arxiv_timeout"], delay=settings["doi_request_delay"])


class DoiFetcher(JsonFetcher):
    """Fetches records for DOIs from Crossref, and from DataCite those Crossref lacks."""

    def __init__(self, crossref_url: str = CROSSREF_API_URL,
                 datacite_url: str = DATACITE_API_URL, *, mailto: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, delay: float = DOI_DELAY,
                 retries: int = 2) -> None:
        super().__init__(timeout=timeout, delay=delay, retries=retries)
        self.api_url = crossref_url
        self.datacite_url = datacite_url
        # Crossref's "polite pool", for clients that say who to write to.
        self.session.headers["User-Agent"] = "mlcommentary" + (
            f" (mailto:{mailto})" if mailto else "")
        self.mailto = mailto

    def fetch(self, ids: Iterable[str]) -> FetchReport:
        """Fetch the records for ``ids`` (canonical ``doi:…``, already validated)."""
        report = FetchReport()
        wanted = sorted(set(ids))
        for n, base in enumerate(wanted):
            self._fetch_one(base, report)
            if failure := report.out_of_reach:
                failure.ids += wanted[n + 1:]  # would wait as long for nothing: not sent
                break
        return report

    def _fetch_one(self, base: str, report: FetchReport) -> None:
        doi = quote(base.removeprefix("doi:"), safe=_URL_SAFE)
        asking = "Crossref"
        try:
            work = self._get(report, f"{self.api_url}/works/{doi}",
                             {"mailto": self.mailto} if self.mailto else {})
            if work is not None:
                record = record_from_crossref(work.get("message"))
            else:
                asking = "DataCite"
                if (work := self._get(report, f"{self.datacite_url}/dois/{doi}", {})) is None:
                    report.not_found.append(base)
                    return
                record = record_from_datacite(work.get("data"))
        except ValueError as err:
            report.failures.append(FetchFailure(
                [base], Missing.BAD_RESPONSE,
                f"{asking}'s answer for {base} is no usable record: {err}"))
            return
        except Exception as err:  # every failure becomes a warning, never a crash
            subtype, reason = describe(err, self.tries, asking)
            report.failures.append(FetchFailure(
                [base], subtype, reason if asking in reason else f"{asking}: {reason}"))
            return
        if record.id != base:
            report.failures.append(FetchFailure(
                [base], Missing.BAD_RESPONSE,
                f"asked {asking} for {base}, it answered with {record.id}"))
            return
        report.records[base] = record

    def _get(self, report: FetchReport, url: str, params: dict[str, str]) -> Any | None:
        """The JSON at ``url``, None on 404, ``StatusError`` on any other failing status."""
        self.pacer.wait()
        report.requests += 1
        response = self.session.get(url, params=params, allow_redirects=False)
        self._heed_rate_limit(response)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise StatusError(response.status_code)
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data

    def _heed_rate_limit(self, response: requests.Response) -> None:
        """Crossref says how many requests an interval allows (``5`` per ``1s``)."""
        try:
            limit = int(response.headers["x-rate-limit-limit"])
            interval = float(response.headers["x-rate-limit-interval"].rstrip("s"))
        except (KeyError, ValueError):
            return
        if limit > 0:
            self.pacer.at_least(interval / limit)


# -- the registries' answers, as records ------------------------------------------

#: Crossref's work types, as the venue's kind.
_CROSSREF_VENUES = {"journal-article": "journal", "proceedings-article": "proceedings"}
#: DataCite's BibTeX type (``types.bibtex``), as the venue's kind.
_DATACITE_VENUES = {"article": "journal", "inproceedings": "proceedings"}
_TAG = re.compile(r"<[^>]+>")
_ABSTRACT_HEADING = re.compile(r"^\s*<jats:title>\s*Abstract\s*</jats:title>", re.IGNORECASE)


def record_from_crossref(work: Any) -> PaperRecord:
    """Our record of a Crossref work (``message`` of ``/works/{doi}``)."""
    if not isinstance(work, dict) or not isinstance(work.get("DOI"), str):
        raise ValueError("no work with a DOI")
    published = next((date for key in ("issued", "published", "published-print",
                                       "published-online")
                      if (date := _date_parts(work.get(key)))), None)
    if published is None:
        raise ValueError("no date of publication")
    return PaperRecord.from_json({
        "id": "doi:" + work["DOI"].lower(),
        "title": _first(work.get("title")),
        "authors": [_crossref_name(person) for person in work.get("author", [])
                    if _crossref_name(person)],
        "published": published,
        "doi": work["DOI"].lower(),
        "abstract": _plain(work.get("abstract", "")),
        "venue": _first(work.get("container-title")),
        "venue_type": _CROSSREF_VENUES.get(work.get("type")),
        "volume": work.get("volume"),
        "issue": work.get("issue"),
        "pages": work.get("page"),
        "publisher": work.get("publisher"),
        "also": _related_works(work.get("relation")),
        "source": "crossref",
    })


def record_from_datacite(data: Any) -> PaperRecord:
    """Our record of a DataCite DOI (``data`` of ``/dois/{doi}``)."""
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict) or not isinstance(attributes.get("doi"), str):
        raise ValueError("no DOI record")
    dates = {d.get("dateType"): d.get("date") for d in attributes.get("dates") or []
             if isinstance(d, dict)}
    published = _partial_date(dates.get("Issued")) or str(attributes.get("publicationYear") or "")
    container = attributes.get("container") or {}
    publisher = attributes.get("publisher")
    abstracts = [d.get("description") for d in attributes.get("descriptions") or []
                 if isinstance(d, dict) and d.get("descriptionType", "Abstract") == "Abstract"]
    return PaperRecord.from_json({
        "id": "doi:" + attributes["doi"].lower(),
        "title": _first([t.get("title") for t in attributes.get("titles") or []
                         if isinstance(t, dict) and not t.get("titleType")]),
        "authors": [_datacite_name(person) for person in attributes.get("creators") or []
                    if isinstance(person, dict)],
        "published": published,
        "doi": attributes["doi"].lower(),
        "abstract": abstracts[0] if abstracts else "",
        "venue": container.get("title"),
        "venue_type": _DATACITE_VENUES.get((attributes.get("types") or {}).get("bibtex")),
        "volume": container.get("volume"),
        "issue": container.get("issue"),
        "pages": "-".join(p for p in (container.get("firstPage"), container.get("lastPage"))
                          if p) or None,
        "publisher": publisher.get("name") if isinstance(publisher, dict) else publisher,
        "source": "datacite",
    })


#: Crossref's relations that name the same work elsewhere (its preprint, its version
#: of record), not a work it cites or reviews.
_SAME_WORK = ("has-preprint", "is-preprint-of", "has-version", "is-version-of")


def _related_works(relation: Any) -> list[str]:
    """The other identifiers of the work, as Crossref's ``relation`` gives them."""
    found = []
    for kind in _SAME_WORK:
        for related in (relation or {}).get(kind, []) if isinstance(relation, dict) else []:
            if isinstance(related, dict) and isinstance(related.get("id"), str):
                prefix = {"doi": "doi:", "arxiv": "arXiv:"}.get(related.get("id-type"))
                if prefix:
                    found.append(prefix + related["id"])
    return found


def _first(values: Any) -> str | None:
    return next((v for v in values if isinstance(v, str) and v.strip()), None) \
        if isinstance(values, list) else None


def _date_parts(date: Any) -> str | None:
    """``2024-05-08``, ``2024-05`` or ``2024`` from Crossref's ``{"date-parts": [[…]]}``."""
    try:
        parts = [int(part) for part in date["date-parts"][0] if part is not None]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if not parts:
        return None
    return "-".join(f"{part:0{4 if n == 0 else 2}d}" for n, part in enumerate(parts[:3]))


def _partial_date(text: Any) -> str | None:
    """The date of DataCite's ``2013``, ``2023-11`` or ``2023-11-09T11:44:22Z``."""
    found = re.match(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?", text) if isinstance(text, str) \
        else None
    return found.group() if found else None


def _crossref_name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    return " ".join(p for p in (person.get("given"), person.get("family")) if p) \
        or person.get("name") or ""


def _datacite_name(person: dict[str, Any]) -> str:
    if person.get("givenName") or person.get("familyName"):
        return " ".join(p for p in (person.get("givenName"), person.get("familyName")) if p)
    return person.get("name") or ""


def _plain(jats: str) -> str:
    """Crossref's abstracts are JATS XML: the text, without its "Abstract" heading."""
    return html.unescape(_TAG.sub(" ", _ABSTRACT_HEADING.sub("", jats)))
