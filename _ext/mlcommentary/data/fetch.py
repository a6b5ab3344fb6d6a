"""Fetching paper records from the arXiv API with the ``arxiv`` client.

Plain Python, no Sphinx. The client is used as it is; what it lacks for a
build that must end in bounded time is added to its ``requests`` session:

* a transport adapter that bounds every request by ``timeout`` seconds in all
  (a server that answers a byte a second trips it too) and retries with
  urllib3's ``Retry``: 429/5xx, at least ``delay`` seconds apart, honouring
  ``Retry-After`` up to a cap;
* a response hook that refuses redirects and anything that is not an Atom
  feed (a maintenance page, a truncated body, a DTD with entity tricks) before
  the client's parser sees it, and reads arXiv's ``Error`` entry on HTTP 400.

A refused connection is not retried, and once arXiv cannot be reached the
remaining batches are not sent; ``Outage`` remembers that between builds, so
that offline authoring does not wait on arXiv at every save.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import arxiv
import requests
import urllib3
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import internals
from .ids import InvalidArxivId, parse_arxiv_id
from .metadata import PaperRecord

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
#: Seconds one request may wait for an answer, and the body take to arrive.
DEFAULT_TIMEOUT = 30
#: arXiv asks for no more than one request every three seconds.
ARXIV_DELAY = 3
#: arXiv's limit per ``id_list`` request that we keep to (longer URLs get HTTP 414).
BATCH_SIZE = 100
#: The largest body we read: 100 records with long abstracts are far below it.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Statuses that may pass if asked again; any other (404: no such API) is final.
RETRIED_STATUSES = (429, 500, 502, 503, 504)
#: Seconds during which arXiv is not asked again after it could not be reached.
OUTAGE_PAUSE = 300
#: In the doctree folder: the outage that the next builds (new processes under
#: sphinx-autobuild) and ``python -m mlcommentary new`` must not wait on again.
OUTAGE_FILE = "arxiv-outage.json"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_ATOM = "{http://www.w3.org/2005/Atom}"


class Missing(StrEnum):
    """Why a paper has no record: the subtype of its ``paper.*`` warning."""

    NOT_FOUND = "not_found"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    HTTP_ERROR = "http_error"
    BAD_RESPONSE = "bad_response"
    REJECTED = "rejected"


#: Failures that say arXiv cannot be reached from here, rather than that it answered badly.
OUT_OF_REACH = (Missing.UNREACHABLE, Missing.TIMEOUT)


class ResponseRefused(Exception):
    """A response we will not parse; ``subtype`` names the kind of fault."""

    def __init__(self, subtype: Missing, message: str) -> None:
        super().__init__(message)
        self.subtype = subtype


@dataclass
class FetchFailure:
    """One request that failed: the IDs it was for and why."""

    ids: list[str]
    subtype: Missing
    reason: str


@dataclass
class FetchReport:
    """What one fetch brought back, and what it could not."""

    records: dict[str, PaperRecord] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    requests: int = 0

    @property
    def out_of_reach(self) -> FetchFailure | None:
        """The failure that showed arXiv cannot be reached, if one did."""
        return next((f for f in self.failures if f.subtype in OUT_OF_REACH), None)


@dataclass
class Outage:
    """arXiv could not be reached from here: at which URL, when, and why.

    Kept in a small JSON file between builds (each rebuild under sphinx-autobuild
    is a new process), so that for ``OUTAGE_PAUSE`` seconds nobody waits on it again.
    """

    api_url: str
    since: float
    subtype: Missing
    reason: str

    @classmethod
    def recent(cls, path: Path, api_url: str) -> Outage | None:
        """The outage ``path`` records for ``api_url``, unless it is over or unreadable."""
        try:
            outage = cls(**json.loads(path.read_text(encoding="utf-8")))
            outage.subtype = Missing(outage.subtype)
        except (OSError, ValueError, TypeError):
            return None
        if outage.api_url != api_url or not 0 <= time.time() - outage.since < OUTAGE_PAUSE:
            return None
        return outage

    @property
    def until(self) -> float:
        return self.since + OUTAGE_PAUSE

    def explained(self, path: Path) -> str:
        """Why arXiv is not asked now, and how to ask it at once."""
        return (f"at {_clock(self.since)} it could not be reached ({self.reason}), so it is "
                f"not asked again before {_clock(self.until)} (delete {path} to ask at once)")

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


class _PoliteRetry(Retry):
    """urllib3's Retry, never sooner than ``backoff_factor`` seconds after a request.

    arXiv asks for one request every three seconds; plain Retry retries the
    first failure at once and takes a ``Retry-After: 0`` literally.
    """

    def get_backoff_time(self) -> float:
        return max(self.backoff_factor, super().get_backoff_time())

    def parse_retry_after(self, retry_after: str) -> float:
        return max(self.backoff_factor, super().parse_retry_after(retry_after))


class _BoundedAdapter(HTTPAdapter):
    """Reads each response body whole within ``timeout`` seconds, or raises ``Timeout``."""

    def __init__(self, timeout: float, retry: Retry) -> None:
        super().__init__(max_retries=retry)
        self.total_timeout = timeout

    def send(self, request, stream=False, timeout=None, **kwargs):  # noqa: ANN001
        # Connecting and each wait for the headers are bounded by the socket
        # timeout, retries included; the body gets ``timeout`` seconds in all.
        response = super().send(request, stream=True, timeout=self.total_timeout, **kwargs)
        deadline = time.monotonic() + self.total_timeout
        body = bytearray()
        try:
            while chunk := response.raw.read1(65536):
                body += chunk
                if time.monotonic() > deadline:
                    raise requests.exceptions.ReadTimeout(
                        f"response not complete after {self.total_timeout:g} s",
                        request=request,
                    )
                if len(body) > MAX_BODY_BYTES:
                    raise ResponseRefused(Missing.BAD_RESPONSE, "response larger than 32 MiB")
        except (requests.exceptions.RequestException, ResponseRefused):
            raise
        except Exception as err:  # urllib3's own errors while reading the body
            raise requests.exceptions.ConnectionError(err, request=request) from err
        finally:
            response.close()
        response.raw = io.BytesIO(bytes(body))
        return response


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
    arxiv_id = parse_arxiv_id(result.entry_id)
    return PaperRecord.from_json({
        "id": arxiv_id.base,
        "version": arxiv_id.version or 1,
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
        # The client's own retry loop would bypass the adapter's delays.
        self.client = arxiv.Client(page_size=BATCH_SIZE, delay_seconds=delay, num_retries=0)
        self.client.query_url_format = api_url + "?{}"
        retry = _PoliteRetry(
            total=retries,
            # Refused, or no route: trying again a few seconds later changes nothing.
            connect=0,
            status_forcelist=RETRIED_STATUSES,
            allowed_methods=("GET",),
            backoff_factor=delay,
            backoff_max=max(delay, timeout),
            retry_after_max=max(delay, timeout),
            raise_on_status=False,
        )
        session = internals.arxiv_session(self.client)
        adapter = _BoundedAdapter(timeout, retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.hooks["response"].append(_check_response)
        self.tries = retries + 1
        #: The longest one request can take: each try waits at most ``timeout`` for
        #: its headers, the waits between tries are capped, and the body of the
        #: answer gets ``timeout`` more (plus one read that may straddle the end).
        self.request_bound = (retries + 1) * timeout + retries * max(delay, timeout) + 2 * timeout

    def fetch(self, ids: Iterable[str]) -> FetchReport:
        """Fetch the records for ``ids`` (version-less, already validated)."""
        report = FetchReport()
        batches = list(_batches(sorted(set(ids))))
        for n, batch in enumerate(batches):
            self._fetch_batch(batch, report)
            if failure := report.out_of_reach:
                # The next batches would wait as long for nothing: not sent, same reason.
                failure.ids += [arxiv_id for later in batches[n + 1:] for arxiv_id in later]
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
                report.failures.append(FetchFailure(batch, *_describe(err, self.tries)))
            return
        except Exception as err:  # every failure becomes a warning, never a crash
            report.failures.append(FetchFailure(batch, *_describe(err, self.tries)))
            return
        unusable: dict[str, str] = {}  # version-less ID -> what is wrong with its entry
        unreadable: list[str] = []  # entries whose ID is no arXiv ID: for any of the batch
        for result in results:
            try:
                base = parse_arxiv_id(result.entry_id).base
            except InvalidArxivId as err:
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


def _batches(ids: list[str]) -> Iterator[list[str]]:
    iterator = iter(ids)
    while batch := list(itertools.islice(iterator, BATCH_SIZE)):
        yield batch


def _describe(err: Exception, tries: int) -> tuple[Missing, str]:
    """The warning subtype and the reason for a failed request."""
    if isinstance(err, ResponseRefused):
        return err.subtype, str(err)
    if isinstance(err, arxiv.HTTPError):
        said = f"{tries} tries" if err.status in RETRIED_STATUSES else "1 try, not retried"
        return Missing.HTTP_ERROR, f"arXiv answered HTTP {err.status} ({said})"
    # requests reports read timeouts that outlasted the retries as ConnectionError.
    cause = getattr(err.args[0], "reason", err.args[0]) if err.args else None
    if isinstance(cause, urllib3.exceptions.NewConnectionError):  # a TimeoutError too
        return Missing.UNREACHABLE, f"cannot connect ({cause})"
    if isinstance(err, requests.exceptions.Timeout) or isinstance(
        cause, urllib3.exceptions.TimeoutError
    ):
        return Missing.TIMEOUT, f"no complete answer in time ({cause or err})"
    if isinstance(err, requests.exceptions.ConnectionError):
        return Missing.UNREACHABLE, f"cannot connect ({cause or err})"
    return Missing.BAD_RESPONSE, f"{type(err).__name__}: {err}"

