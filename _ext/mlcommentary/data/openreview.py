"""OpenReview: its forum identifiers, its API (version 2), and how its papers are cited.

A paper is its forum: ``openreview:Gj5JTAwdoy``, or the links readers copy
(``https://openreview.net/forum?id=…``, ``…/pdf?id=…``). Forum IDs are case-sensitive,
so the canonical form keeps their case.

Since late 2026 OpenReview answers ``/notes`` only to logged-in clients (anonymous
requests get ``403 ChallengeRequiredError``): the fetcher logs in (``POST /login``) with
``OPENREVIEW_USERNAME`` and ``OPENREVIEW_PASSWORD`` from the environment, as
openreview-py reads them, and never from ``conf.py``. Without them it asks nothing and
says what to set; a site builds from its metadata file without them, as on Read the
Docs. Logged-in clients are held to about a hundred requests per half hour, so each
paper is one ``GET /notes?id=`` at least ``openreview_request_delay`` seconds after the
last, and a ``RateLimitError`` stops the rest until the time it names.

The note's own ``_bibtex`` gives the published form (``@inproceedings`` with the
conference's ``booktitle``, ``@article`` with a ``journal``), its ``venue`` the
decision as OpenReview states it ("ICLR 2025 Spotlight", "Submitted to ICLR 2024"),
its ``venueid`` whether a submission was rejected or withdrawn, and its
``externalIds`` the paper's other identifiers (a DOI), which make it one paper with them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from pybtex.database import parse_string

from .fetch import (DEFAULT_TIMEOUT, FetchFailure, FetchReport, JsonFetcher, Missing,
                    StatusError, describe)
from .ids import InvalidPaperId, PaperId
from .bibtex import published_form
from .metadata import PaperRecord

NAME = "openreview"
SERVICE = "OpenReview"
API_SETTING = "openreview_api_url"
NOT_FOUND = "OpenReview has no such forum, or not one the account may read"
PAGE = "OpenReview forum"
VERSIONED = False
DEFAULT_API_URL = "https://api2.openreview.net"
SITE = "https://openreview.net"
#: Logged-in clients were held to about 100-150 requests per 30 minutes in 2026.
OPENREVIEW_DELAY = 12
#: Where the credentials come from, as openreview-py reads them.
CREDENTIALS = ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD")
#: Its settings: where it is and how often to ask; never the credentials.
SETTINGS = {"openreview_api_url": DEFAULT_API_URL, "openreview_request_delay": OPENREVIEW_DELAY}

_PREFIX = re.compile(r"^openreview:", re.IGNORECASE)
_LINK = re.compile(r"^https?://(?:www\.)?openreview\.net/", re.IGNORECASE)
_FORUM = re.compile(r"[A-Za-z0-9_-]{4,32}")
#: What ends a rejected or withdrawn submission's ``venueid``.
_OUTCOMES = {"/Rejected_Submission": "rejected", "/Withdrawn_Submission": "withdrawn",
             "/Desk_Rejected_Submission": "desk rejected"}
#: Records OpenReview imports from elsewhere: their ``venue`` is a citation, no decision.
_IMPORTED = ("dblp.org/", "OpenReview.net/Public_Article", "OpenReview.net/Archive")


def parse(text: str) -> PaperId | None:
    """``openreview:<forum>`` or a forum or PDF link; None for anything else."""
    raw = text.strip()
    if _PREFIX.match(raw):
        forum = raw[len("openreview:"):]
    elif _LINK.match(raw):
        forum = (parse_qs(urlsplit(raw).query).get("id") or [""])[0]
    else:
        return None
    if not _FORUM.fullmatch(forum):
        raise InvalidPaperId(
            f"{text!r} is not an OpenReview forum (expected openreview: and the forum's "
            "id, as in openreview:Gj5JTAwdoy, or a link https://openreview.net/forum?id=…)")
    return PaperId(NAME, f"openreview:{forum}")


def forum_of(paper: PaperId) -> str:
    return paper.base.removeprefix("openreview:")


def label(paper: PaperId) -> str:
    return paper.base


def url(paper: PaperId) -> str:
    return f"{SITE}/forum?id={forum_of(paper)}"


def pdf_url(paper: PaperId) -> str:
    return f"{SITE}/pdf?id={forum_of(paper)}"


def bibtex_fields(record: PaperRecord, cited: PaperId) -> tuple[str, list[tuple[str, str]]]:
    """The published form where the note gives one, else ``@misc`` with the forum."""
    entry_type, fields = published_form(record)
    return entry_type, [*fields, ("doi", record.doi), ("url", url(cited))]


def check_settings(values: Mapping[str, Any]) -> None:
    """Nothing beyond what every source's settings get."""


def fetcher(settings: Mapping[str, Any]) -> OpenReviewFetcher:
    return OpenReviewFetcher(settings["openreview_api_url"], timeout=settings["arxiv_timeout"],
                             delay=settings["openreview_request_delay"])


class OpenReviewFetcher(JsonFetcher):
    """Logs in with the environment's credentials, then fetches one forum at a time."""

    def __init__(self, api_url: str = DEFAULT_API_URL, *, timeout: float = DEFAULT_TIMEOUT,
                 delay: float = OPENREVIEW_DELAY, retries: int = 2,
                 environ: Mapping[str, str] = os.environ) -> None:
        super().__init__(timeout=timeout, delay=delay, retries=retries)
        self.api_url = api_url.rstrip("/")
        self.credentials = tuple(environ.get(name, "") for name in CREDENTIALS)

    def fetch(self, ids: Iterable[str]) -> FetchReport:
        report = FetchReport()
        wanted = sorted(set(ids))
        if not all(self.credentials):
            report.failures.append(FetchFailure(
                wanted, Missing.CREDENTIALS,
                f"OpenReview answers only logged-in clients: set {' and '.join(CREDENTIALS)} "
                "in the environment (never in conf.py) and build again; without them the "
                "build uses the records the metadata file has"))
            return report
        try:
            self._log_in(report)
        except Exception as err:  # noqa: BLE001 (every failure becomes a warning)
            subtype, reason = describe(err, self.tries, SERVICE)
            report.failures.append(FetchFailure(wanted, subtype, f"login: {reason}"))
            return report
        for n, base in enumerate(wanted):
            stop = self._fetch_one(base, report)
            if stop or report.out_of_reach:
                report.failures[-1].ids += wanted[n + 1:]  # would fail the same way
                break
        return report

    def _log_in(self, report: FetchReport) -> None:
        user, password = self.credentials
        self.pacer.wait()
        report.requests += 1
        response = self.session.post(f"{self.api_url}/login",
                                     json={"id": user, "password": password},
                                     allow_redirects=False)
        if response.status_code != 200:
            raise StatusError(response.status_code, _said(response)
                              or f"check {' and '.join(CREDENTIALS)}")
        token = response.json().get("token")
        if not isinstance(token, str) or not token:
            raise ValueError("OpenReview's login answer holds no token")
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _fetch_one(self, base: str, report: FetchReport) -> bool:
        """Fetch one forum; return whether the rest should wait (a rate limit)."""
        forum = base.removeprefix("openreview:")
        self.pacer.wait()
        report.requests += 1
        try:
            response = self.session.get(f"{self.api_url}/notes", params={"id": forum},
                                        allow_redirects=False)
            if response.status_code == 404:
                report.not_found.append(base)
                return False
            if response.status_code != 200:
                raise StatusError(response.status_code, _said(response))
            notes = response.json().get("notes")
            if not isinstance(notes, list):
                raise ValueError("no list of notes")
            if not notes:
                report.not_found.append(base)
                return False
            record = record_from_note(notes[0])
        except StatusError as err:
            subtype, reason = describe(err, self.tries, SERVICE)
            report.failures.append(FetchFailure([base], subtype, reason))
            return err.status == 429
        except ValueError as err:
            report.failures.append(FetchFailure(
                [base], Missing.BAD_RESPONSE,
                f"OpenReview's answer for {base} is no usable record: {err}"))
            return False
        except Exception as err:  # noqa: BLE001
            report.failures.append(FetchFailure([base], *describe(err, self.tries, SERVICE)))
            return False
        if record.id != base:
            report.failures.append(FetchFailure(
                [base], Missing.BAD_RESPONSE,
                f"asked OpenReview for {base}, it answered with {record.id}"))
            return False
        report.records[base] = record
        return False


def _said(response: requests.Response) -> str:
    """What OpenReview's error says: its name, message and, for a rate limit, when the
    next request may go."""
    try:
        error = response.json()
    except ValueError:
        return ""
    if not isinstance(error, dict):
        return ""
    said = ": ".join(str(part) for part in (error.get("name"), error.get("message")) if part)
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    if reset := details.get("resetTime"):
        said += f"; no more requests before {reset}"
    if error.get("name") == "ChallengeRequiredError":
        said += f" (a logged-in client is needed: check {' and '.join(CREDENTIALS)})"
    return said


# -- a note, as a record ------------------------------------------------------------


def record_from_note(note: Any) -> PaperRecord:
    """Our record of an API v2 note (a forum's submission, or a record it imported)."""
    if not isinstance(note, dict) or not isinstance(note.get("content"), dict):
        raise ValueError("no note with content")
    content = {name: field.get("value") for name, field in note["content"].items()
               if isinstance(field, dict)}
    forum = note.get("forum") or note.get("id")
    when = next((note[key] for key in ("pdate", "odate", "cdate")
                 if isinstance(note.get(key), int)), None)
    if not isinstance(forum, str) or when is None:
        raise ValueError("no forum or no date")
    published = datetime.fromtimestamp(when / 1000, UTC).date().isoformat()
    entry = _published_form(content.get("_bibtex"))
    venue_type = {"article": "journal", "inproceedings": "proceedings"}.get(entry.get("type"))
    venueid = content.get("venueid") or ""
    return PaperRecord.from_json({
        "id": f"openreview:{forum}",
        "title": content.get("title"),
        "authors": [_name(author) for author in content.get("authors") or [] if _name(author)],
        "published": published,
        "abstract": content.get("abstract") or "",
        "keywords": [k for k in content.get("keywords") or [] if isinstance(k, str)],
        "decision": None if venueid.startswith(_IMPORTED) else _decision(content, venueid),
        "venue": entry.get("booktitle") or entry.get("journal") if venue_type else None,
        "venue_type": venue_type,
        "volume": entry.get("volume"),
        "issue": entry.get("number"),
        "pages": entry.get("pages"),
        "doi": entry.get("doi", "").lower() or None,
        "also": [i for i in note.get("externalIds") or [] if isinstance(i, str)],
        "source": "openreview-api",
    })


def _decision(content: dict[str, Any], venueid: str) -> str | None:
    venue = content.get("venue")
    if not isinstance(venue, str) or not venue:
        return None
    outcome = next((said for ending, said in _OUTCOMES.items() if venueid.endswith(ending)),
                   None)
    return f"{venue}; {outcome}" if outcome else venue


def _published_form(bibtex: Any) -> dict[str, str]:
    """The note's own BibTeX entry: its type and fields, or nothing if it has none."""
    if not isinstance(bibtex, str):
        return {}
    try:
        [entry] = parse_string(bibtex, "bibtex").entries.values()
    except Exception:  # noqa: BLE001 (an entry pybtex cannot read is no published form)
        return {}
    return {"type": entry.type.lower(), **{name.lower(): value
                                          for name, value in entry.fields.items()}}


def _name(author: Any) -> str:
    if isinstance(author, dict):
        author = author.get("fullname")
    return author.strip() if isinstance(author, str) else ""

