"""Fetching paper records, bounded and polite, for every source.

Plain Python, no Sphinx. Each source's client (the ``arxiv`` client's session, or a
plain ``requests`` session) gets what a build that must end in bounded time needs:

* a transport adapter that bounds every request by ``timeout`` seconds in all
  (a server that answers a byte a second trips it too) and retries with
  urllib3's ``Retry``: 429/5xx, at least ``delay`` seconds apart, honouring
  ``Retry-After`` up to a cap;
* a response hook, the source's own, that refuses redirects and anything that is not
  what the source answers (a maintenance page, a truncated body) before it is parsed.

A refused connection is not retried, and once a source cannot be reached the
remaining requests are not sent; ``Outage`` remembers that between builds, so
that offline authoring does not wait on it at every save.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .metadata import PaperRecord

#: Seconds one request may wait for an answer, and the body take to arrive.
DEFAULT_TIMEOUT = 30
#: The largest body we read: 100 records with long abstracts are far below it.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Statuses that may pass if asked again; any other (404: no such API) is final.
RETRIED_STATUSES = (429, 500, 502, 503, 504)
#: Seconds during which a source is not asked again after it could not be reached.
OUTAGE_PAUSE = 300


def outage_file(source: str) -> str:
    """In the doctree folder: the outage of ``source`` that the next builds (new
    processes under sphinx-autobuild) and ``mlcommentary new`` must not wait on again."""
    return f"{source}-outage.json"


class Missing(StrEnum):
    """Why a paper has no record: the subtype of its ``paper.*`` warning."""

    NOT_FOUND = "not_found"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    HTTP_ERROR = "http_error"
    #: The source answers only logged-in clients, and no credentials were given.
    CREDENTIALS = "credentials"
    BAD_RESPONSE = "bad_response"
    REJECTED = "rejected"


#: Failures that say a source cannot be reached from here, rather than that it answered badly.
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
        """The failure that showed the source cannot be reached, if one did."""
        return next((f for f in self.failures if f.subtype in OUT_OF_REACH), None)


@dataclass
class Outage:
    """A source could not be reached from here: at which URL, when, and why.

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
        """Why the source is not asked now, and how to ask it at once."""
        return (f"at {_clock(self.since)} it could not be reached ({self.reason}), so it is "
                f"not asked again before {_clock(self.until)} (delete {path} to ask at once)")

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


class _PoliteRetry(Retry):
    """urllib3's Retry, never sooner than ``backoff_factor`` seconds after a request.

    arXiv asks for one request every three seconds, Crossref for five a second at most;
    plain Retry retries the first failure at once and takes a ``Retry-After: 0`` literally.
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


def refuse_redirect_or_non_json(response: requests.Response, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
    """A response hook for JSON APIs: refuse a redirect, or a 200 that is not complete
    JSON (a maintenance page, a cut body) before anything parses it."""
    if response.is_redirect:
        raise ResponseRefused(
            Missing.BAD_RESPONSE,
            f"redirected to {response.headers.get('Location', '?')}; not followed")
    if response.status_code != 200:
        return
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type:
        raise ResponseRefused(Missing.BAD_RESPONSE,
                              f"not JSON but {content_type or 'an untyped body'}")
    try:
        response.json()
    except ValueError as err:
        raise ResponseRefused(Missing.BAD_RESPONSE, f"not complete JSON: {err}") from None


class Pacer:
    """Keeps requests at least ``delay`` seconds apart; a source may ask for more."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._last = -float("inf")

    def wait(self) -> None:
        time.sleep(max(0.0, self._last + self.delay - time.monotonic()))
        self._last = time.monotonic()

    def at_least(self, seconds: float) -> None:
        self.delay = max(self.delay, seconds)


class JsonFetcher:
    """What a fetcher of a JSON API holds: a bounded session that refuses what is not
    JSON, the tries a request gets, and the pace of its requests."""

    def __init__(self, *, timeout: float, delay: float, retries: int) -> None:
        self.session = requests.Session()
        self.request_bound = bounded_session(self.session, timeout=timeout, delay=delay,
                                             retries=retries, check=refuse_redirect_or_non_json)
        self.tries = retries + 1
        self.pacer = Pacer(delay)


class StatusError(Exception):
    """A source answered with an HTTP status that gives no record; ``said``, what its
    answer says of why."""

    def __init__(self, status: int, said: str = "") -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.said = status, said


def bounded_session(session: requests.Session, *, timeout: float, delay: float,
                    retries: int, check: Callable[..., None]) -> float:
    """Bound every request of ``session`` and refuse what ``check`` (a response hook)
    refuses; return the longest one request can take, retries and waits included.

    Each try waits at most ``timeout`` for its headers, the waits between tries are
    capped, and the body of the answer gets ``timeout`` more (plus one read that may
    straddle the end).
    """
    retry = _PoliteRetry(
        total=retries,
        # Refused, or no route: trying again a few seconds later changes nothing.
        connect=0,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=("GET", "POST"),
        backoff_factor=delay,
        backoff_max=max(delay, timeout),
        retry_after_max=max(delay, timeout),
        raise_on_status=False,
    )
    adapter = _BoundedAdapter(timeout, retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.hooks["response"].append(check)
    return (retries + 1) * timeout + retries * max(delay, timeout) + 2 * timeout


def batches(ids: list[str], size: int) -> Iterator[list[str]]:
    iterator = iter(ids)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def describe(err: Exception, tries: int, service: str) -> tuple[Missing, str]:
    """The warning subtype and the reason for a request to ``service`` that failed."""
    if isinstance(err, ResponseRefused):
        return err.subtype, str(err)
    if isinstance(status := getattr(err, "status", None), int):
        tried = f"{tries} tries" if status in RETRIED_STATUSES else "1 try, not retried"
        said = f": {err.said}" if getattr(err, "said", "") else ""
        return Missing.HTTP_ERROR, f"{service} answered HTTP {status}{said} ({tried})"
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
