"""Loopback stand-ins for arXiv's query API and the DOI registries' (Crossref's and
DataCite's), answering from real recorded responses.

For the tests and the benchmark: plain Python, no Sphinx. The responses are read
from a folder the caller names (the tests use ``../shared/arxiv-responses/``,
never copied into the project: they are other projects' data). A request whose ``id_list`` was
recorded gets the recorded bytes and status unchanged; any other ``id_list`` gets
a feed assembled from the recorded ``<entry>`` elements of the papers it names,
as arXiv itself would answer: unknown IDs are left out, a malformed ID makes
the whole request fail with the recorded HTTP 400 error feed. Tests may add
synthetic entries for IDs of a month that has not happened yet.

The registries answer ``/crossref/works/{doi}`` and ``/datacite/dois/{doi}`` with the
recorded work of that DOI (``../shared/doi-responses/``), and 404 for any other, as
Crossref's recorded 404 does; tests may add synthetic works under Crossref's test
prefix, 10.5555, with titles that say they are synthetic.

The loopback OpenReview logs a client in (``POST /login``) and answers ``/notes?id=``
with the recorded note of that forum (``../shared/openreview-responses/``, notes of a
recorded search) in the shape of a ``/notes`` answer; without the login it answers
``403 ChallengeRequiredError``, as OpenReview does since late 2026.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

_ENTRY = re.compile(rb"<entry>.*?</entry>", re.S)
_ENTRY_ID = re.compile(rb"<id>https?://arxiv\.org/abs/(.+?)</id>")
_VERSION = re.compile(r"v[0-9]+$")
# arXiv's own check is of this shape: it answers 400 for anything else.
_WELL_FORMED = re.compile(r"^([0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7})(v[0-9]+)?$")
_FEED_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    "  <id>https://arxiv.org/api/loopback</id>\n"
    "  <title>arXiv Query: {query}</title>\n"
    "  <updated>2026-11-28T00:00:00Z</updated>\n"
    "  <opensearch:itemsPerPage>{count}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{count}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>0</opensearch:startIndex>\n"
)


def version_less(arxiv_id: str) -> str:
    return _VERSION.sub("", arxiv_id)


@dataclass
class Recorded:
    status: int
    body: bytes


@dataclass
class RealResponses:
    """The recorded responses: replays by ``id_list``, and entries by version-less ID."""

    replays: dict[str, Recorded] = field(default_factory=dict)
    entries: dict[str, bytes] = field(default_factory=dict)
    error_400: bytes = b""

    @classmethod
    def load(cls, directory: Path) -> RealResponses:
        real = cls()
        manifest = (directory / "MANIFEST.md").read_text(encoding="utf-8")
        for row in manifest.splitlines():
            cells = [cell.replace("`", "").strip() for cell in row.split("|")]
            if len(cells) < 7 or not cells[1].endswith(".xml"):
                continue
            body = (directory / cells[1]).read_bytes()
            request, _, status = cells[5].rpartition(" / ")
            query = parse_qs(urlsplit(request).query)
            if "id_list" in query and status.isdigit():
                real.replays[query["id_list"][0]] = Recorded(int(status), body)
                if status == "400" and not real.error_400:
                    real.error_400 = body
            for entry in _ENTRY.findall(body):
                found = _ENTRY_ID.search(entry)
                if found:
                    real.entries.setdefault(version_less(found[1].decode()), entry)
        return real


def synthetic_entry(arxiv_id: str, title: str, authors: list[str], published: str = "2030-12-01",
                    category: str = "cs.LG", summary: str = "A synthetic test record.",
                    *, version: int = 1, updated: str | None = None, comment: str | None = None,
                    doi: str | None = None, journal_ref: str | None = None) -> bytes:
    """An Atom entry for a paper that does not exist (use IDs of a future month)."""
    names = "".join(f"<author><name>{escape(name)}</name></author>" for name in authors)
    extras = "".join(f"<arxiv:{name}>{escape(value)}</arxiv:{name}>" for name, value in
                     (("comment", comment), ("doi", doi), ("journal_ref", journal_ref)) if value)
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v{version}</id>"
        f"<updated>{updated or published}T00:00:00Z</updated>"
        f"<published>{published}T00:00:00Z</published>"
        f"<title>{escape(title)}</title><summary>{escape(summary)}</summary>{names}{extras}"
        f'<arxiv:primary_category term="{category}" scheme="http://arxiv.org/schemas/atom"/>'
        f'<category term="{category}" scheme="http://arxiv.org/schemas/atom"/>'
        f'<link href="https://arxiv.org/abs/{arxiv_id}v{version}" rel="alternate" '
        'type="text/html"/>'
        "</entry>"
    ).encode()


#: How often a serving loop looks whether it is asked to stop. ``serve_forever``'s own
#: half second was how long every test waited as it stopped its server: 25 s of the
#: 165 s of tests in ``make test-fast``.
_STOP_POLL = 0.01


@contextlib.contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """``server`` answering on a thread of its own: its address, without a trailing
    slash. Stopped and closed on exit."""
    threading.Thread(target=server.serve_forever, args=(_STOP_POLL,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Request:
    path: str
    id_list: list[str]
    at: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _Loopback:
    """An HTTP server on 127.0.0.1 that records every request; ``fault``, when set,
    answers instead: it gets the request handler and may write anything (or nothing)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.fault: Callable[[BaseHTTPRequestHandler], None] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.fake = self
        # Set on exit, so that a fault that hangs on purpose lets go.
        self._server.stopping = threading.Event()
        self._serving = serving(self._server)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self):  # noqa: ANN204 (the subclass)
        self._serving.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._serving.__exit__(None, None, None)

    def answer_normally(self, handler: BaseHTTPRequestHandler) -> None:
        status, content_type, body = self.answer(self.requests[-1])
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def answer(self, request: Request) -> tuple[int, str, bytes]:
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(Request(self.path, [], time.monotonic(),
                                             self.rfile.read(length), dict(self.headers)))
                if fake.fault is not None:
                    fake.fault(self)
                else:
                    fake.answer_normally(self)

            def do_GET(self) -> None:  # noqa: N802
                query = parse_qs(urlsplit(self.path).query)
                id_list = [unquote(i) for i in query.get("id_list", [""])[0].split(",") if i]
                fake.requests.append(Request(self.path, id_list, time.monotonic(), b"",
                                             dict(self.headers)))
                if fake.fault is not None:
                    fake.fault(self)
                else:
                    fake.answer_normally(self)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


class FakeArxiv(_Loopback):
    """A loopback ``/api/query``."""

    def __init__(self, real: RealResponses | None = None) -> None:
        super().__init__()
        self.real = real or RealResponses()
        self.entries = dict(self.real.entries)

    @property
    def url(self) -> str:
        return self.root + "/api/query"

    def add(self, entry: bytes) -> None:
        found = _ENTRY_ID.search(entry)
        self.entries[version_less(found[1].decode())] = entry

    def answer(self, request: Request) -> tuple[int, str, bytes]:
        status, body = self.feed(request.id_list)
        return status, "application/atom+xml; charset=utf-8", body

    def feed(self, id_list: list[str]) -> tuple[int, bytes]:
        joined = ",".join(id_list)
        if joined in self.real.replays:
            recorded = self.real.replays[joined]
            return recorded.status, recorded.body
        if not all(_WELL_FORMED.match(arxiv_id) for arxiv_id in id_list):
            return 400, self.real.error_400
        found = [self.entries[version_less(i)] for i in id_list if version_less(i) in self.entries]
        head = _FEED_HEAD.format(query=escape(f"id_list={joined}"), count=len(found))
        return 200, head.encode() + b"\n".join(found) + b"\n</feed>\n"


@dataclass
class RealWorks:
    """The recorded registry answers: Crossref's works and DataCite's DOIs, by DOI."""

    crossref: dict[str, bytes] = field(default_factory=dict)
    datacite: dict[str, bytes] = field(default_factory=dict)
    not_found: bytes = b"Resource not found."

    @classmethod
    def load(cls, directory: Path) -> RealWorks:
        real = cls()
        for path in sorted(directory.glob("*_crossref-works_*.json")):
            body = path.read_bytes()
            real.crossref[json.loads(body)["message"]["DOI"].lower()] = body
        for path in sorted(directory.glob("*_datacite-dois_*.json")):
            body = path.read_bytes()
            real.datacite[json.loads(body)["data"]["id"].lower()] = body
        for path in directory.glob("*_crossref-works-404_*.txt"):
            real.not_found = path.read_bytes()
        return real


def synthetic_work(doi: str, title: str, authors: list[tuple[str, str]],
                   issued: list[int], work_type: str = "journal-article",
                   venue: str = "Journal of Synthetic Results") -> bytes:
    """A Crossref ``/works/{doi}`` answer for a work that does not exist (use DOIs
    under Crossref's test prefix, 10.5555, and a title that says it is synthetic)."""
    return json.dumps({"status": "ok", "message-type": "work", "message-version": "1.0.0",
                       "message": {
                           "DOI": doi, "type": work_type, "title": [title],
                           "author": [{"given": given, "family": family, "sequence": "first"}
                                      for given, family in authors],
                           "container-title": [venue], "issued": {"date-parts": [issued]},
                           "publisher": "Synthetic Publisher", "URL": f"https://doi.org/{doi}"}}
                      ).encode()


class FakeRegistries(_Loopback):
    """Loopback Crossref (``crossref_url``) and DataCite (``datacite_url``)."""

    def __init__(self, real: RealWorks | None = None) -> None:
        super().__init__()
        self.real = real or RealWorks()
        self.crossref = dict(self.real.crossref)
        self.datacite = dict(self.real.datacite)

    @property
    def crossref_url(self) -> str:
        return self.root + "/crossref"

    @property
    def datacite_url(self) -> str:
        return self.root + "/datacite"

    def add(self, work: bytes) -> None:
        self.crossref[json.loads(work)["message"]["DOI"].lower()] = work

    def answer(self, request: Request) -> tuple[int, str, bytes]:
        path = unquote(urlsplit(request.path).path)
        for prefix, works, content_type in (
                ("/crossref/works/", self.crossref, "application/json"),
                ("/datacite/dois/", self.datacite, "application/vnd.api+json; charset=utf-8")):
            if path.startswith(prefix):
                doi = path.removeprefix(prefix).lower()
                if doi in works:
                    return 200, content_type, works[doi]
                break
        return 404, "text/plain", self.real.not_found


def real_notes(directory: Path) -> dict[str, dict]:
    """The recorded OpenReview notes, by forum."""
    return {note["forum"]: note for path in sorted(directory.glob("*.json"))
            for note in json.loads(path.read_bytes())["notes"]}


def synthetic_note(forum: str, title: str, authors: list[str], *, venue: str,
                   venueid: str, pdate: int, bibtex: str | None = None) -> dict:
    """An API v2 note of a paper that does not exist (a forum id that says so)."""
    content = {"title": title, "authors": authors, "venue": venue, "venueid": venueid,
               "abstract": "A synthetic test record.", **({"_bibtex": bibtex} if bibtex else {})}
    return {"id": forum, "forum": forum, "version": 2, "pdate": pdate, "cdate": pdate,
            "content": {name: {"value": value} for name, value in content.items()}}


class FakeOpenReview(_Loopback):
    """A loopback API v2: ``/login`` and ``/notes?id=``, for ``username``/``password``."""

    username, password, token = "reader@example.org", "synthetic-password", "synthetic-token"

    def __init__(self, notes: dict[str, dict] | None = None) -> None:
        super().__init__()
        self.notes = dict(notes or {})

    @property
    def url(self) -> str:
        return self.root

    @property
    def environ(self) -> dict[str, str]:
        """The environment a logged-in build has."""
        return {"OPENREVIEW_USERNAME": self.username, "OPENREVIEW_PASSWORD": self.password}

    def add(self, note: dict) -> None:
        self.notes[note["forum"]] = note

    def answer(self, request: Request) -> tuple[int, str, bytes]:
        split = urlsplit(request.path)
        if split.path == "/login":
            given = json.loads(request.body or b"{}")
            if (given.get("id"), given.get("password")) != (self.username, self.password):
                return _error(400, "InvalidCredentialsError", "Invalid username or password")
            return 200, "application/json", json.dumps({"token": self.token}).encode()
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(403, "ChallengeRequiredError", "Challenge verification required")
        forum = parse_qs(split.query).get("id", [""])[0]
        notes = [self.notes[forum]] if forum in self.notes else []
        return 200, "application/json", json.dumps({"notes": notes, "count": len(notes)}).encode()


def _error(status: int, name: str, message: str) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps({"name": name, "message": message}).encode()


# Faults: handlers for ``FakeArxiv.fault``, each answering as a misbehaving arXiv would.


def respond(status: int, body: bytes = b"", content_type: str = "application/atom+xml",
            headers: dict[str, str] | None = None) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer with this status, body and headers, whatever was asked."""

    def fault(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return fault


def never_answers(handler: BaseHTTPRequestHandler) -> None:
    """Takes the request and says nothing until the server stops (or 30 s pass)."""
    handler.server.stopping.wait(30)


class Times:
    """Answers with ``first`` for the first ``count`` requests, then with ``then``, or
    else as the server answers normally."""

    def __init__(self, count: int, first: Callable[[BaseHTTPRequestHandler], None],
                 then: Callable[[BaseHTTPRequestHandler], None] | None = None) -> None:
        self.count, self.first, self.then = count, first, then

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        self.count -= 1
        if self.count >= 0:
            self.first(handler)
        elif self.then is not None:
            self.then(handler)
        else:
            handler.server.fake.answer_normally(handler)
