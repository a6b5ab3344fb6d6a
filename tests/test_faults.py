"""A misbehaving arXiv: every build ends in bounded time, says what went wrong and
where, fails under -W, shows minimal cards, and keeps the metadata it had."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import tracemalloc

import pytest
from bs4 import BeautifulSoup
from helpers import build, copy_root, sphinx_build, warnings

from mlcommentary.data.arxiv import ArxivFetcher
from mlcommentary.data.fetch import MAX_BODY_BYTES, Missing
from mlcommentary.data.testing import FakeArxiv, Times, never_answers, respond, synthetic_entry

# Timed by design: each fault waits out real timeouts and retries.
pytestmark = pytest.mark.slow

MISSING = ["3012.00003", "3012.00004"]
#: Where the pages of tests/roots/test-faults use the missing papers.
USES = {"3012.00003": "a:6", "3012.00004": "b:3"}
#: Seconds a build of that small site takes, beyond its requests, on a busy machine.
BUILD_OVERHEAD = 15
#: Seconds its fetching takes beyond its requests (reading the answers, writing the file).
FETCH_OVERHEAD = 5
#: Its ``arxiv_timeout`` (tests/roots/test-faults/conf.py), which bounds each request.
SITE_TIMEOUT = 1


def a_byte_a_second(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/atom+xml")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(30):
        try:
            handler.wfile.write(b" ")
            handler.wfile.flush()
        except OSError:
            return
        if handler.server.stopping.wait(1):
            return


def an_endless_body(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/atom+xml")
    handler.end_headers()
    chunk = b" " * 1024 * 1024
    # Endless, so only the 32 MiB cap can end it within the timeout (TIMEOUTS).
    while not handler.server.stopping.is_set():
        try:
            handler.wfile.write(chunk)
        except OSError:
            return


def feed(server: FakeArxiv, ids=MISSING) -> bytes:
    return server.feed(list(ids))[1]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">\n'
    + b"".join(b'<!ENTITY %c "%s">\n' % (name, (b"&%c;" % (name - 1)) * 20)
               for name in b"bcdefghij")
    + b']>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>&j;</title></feed>\n'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>http://arxiv.org/abs/3012.00003v1</id><published>2030-12-01T00:00:00Z</published>"
    b"<updated>2030-12-01T00:00:00Z</updated><title>&leak;</title></entry></feed>\n"
)
MAINTENANCE = (b"<!DOCTYPE html><html><head><title>arXiv is down</title></head>"
               b"<body><h1>Down for maintenance</h1></body></html>")


def only_single_ids(handler) -> None:
    """A server whose URL limit admits one ID at a time."""
    if len(handler.server.fake.requests[-1].id_list) > 1:
        respond(414, b"URI too long", "text/plain")(handler)
    else:
        handler.server.fake.answer_normally(handler)


def answering(fault):
    """The server answers with ``fault`` instead of as arXiv would."""
    def set_up(server: FakeArxiv) -> None:
        server.fault = fault
    return set_up


def truncated(server: FakeArxiv) -> None:
    body = feed(server)
    server.fault = respond(200, body[: len(body) // 2])


def no_entries(server: FakeArxiv) -> None:
    server.entries.clear()


def without_00004(server: FakeArxiv) -> None:
    del server.entries["3012.00004"]


def unusable_00003(server: FakeArxiv) -> None:
    """arXiv answers for 3012.00003 with an entry whose ID is no arXiv ID (version 0)."""
    server.entries["3012.00003"] = server.entries["3012.00003"].replace(b"v1</id>", b"v0</id>")


#: What Python allocates during a faulty build stays under this at its peak; reading
#: a refused 32 MiB body twice over would not.
MEMORY_BOUND = 2 * MAX_BODY_BYTES
# (how the server misbehaves, warning subtype, warnings expected, papers fetched)
FAULTS = {
    "http 500": (answering(respond(500, b"oops", "text/plain")), Missing.HTTP_ERROR, 1, []),
    "http 503": (answering(respond(503, b"busy", "text/plain")), Missing.HTTP_ERROR, 1, []),
    "http 429": (answering(respond(429, b"slow down", "text/plain")), Missing.HTTP_ERROR, 1,
                 []),
    "http 429 then an answer, Retry-After 1": (
        answering(Times(1, respond(429, b"", "text/plain", {"Retry-After": "1"}))), None, 0,
        MISSING),
    "http 503 with Retry-After far beyond the cap": (
        answering(respond(503, b"", "text/plain", {"Retry-After": "3600"})),
        Missing.HTTP_ERROR, 1, []),
    "http 414 until the list is short": (answering(only_single_ids), None, 0, MISSING),
    "maintenance page with status 200": (
        answering(respond(200, MAINTENANCE, "text/html")), Missing.BAD_RESPONSE, 1, []),
    "truncated atom": (truncated, Missing.BAD_RESPONSE, 1, []),
    "malformed atom": (answering(respond(200, b"<feed><entry>", "application/atom+xml")),
                       Missing.BAD_RESPONSE, 1, []),
    "billion laughs": (answering(respond(200, BILLION_LAUGHS)), Missing.BAD_RESPONSE, 1, []),
    "external entity": (answering(respond(200, EXTERNAL_ENTITY)), Missing.BAD_RESPONSE, 1, []),
    "empty result": (no_entries, Missing.NOT_FOUND, 2, []),
    "some ids do not exist": (without_00004, Missing.NOT_FOUND, 1, ["3012.00003"]),
    "an entry that is no paper record": (unusable_00003, Missing.BAD_RESPONSE, 1,
                                         ["3012.00004"]),
    "redirect elsewhere": (
        answering(respond(302, b"", "text/plain", {"Location": "http://127.0.0.2:9/api/query"})),
        Missing.BAD_RESPONSE, 1, []),
    "never answers": (answering(never_answers), Missing.TIMEOUT, 1, []),
    "an endless body": (answering(an_endless_body), Missing.BAD_RESPONSE, 1, []),
    "a byte a second": (answering(a_byte_a_second), Missing.TIMEOUT, 1, []),
}
#: Request timeouts other than the site's. 32 MiB through a loopback socket under
#: tracemalloc took over 1 s on CI with both lines at once, and the body then ended as a
#: timeout, not at the cap this fault is about.
TIMEOUTS = {"an endless body": 10}


@pytest.fixture
def faulty_arxiv():
    with FakeArxiv() as server:
        server.add(synthetic_entry("3012.00003", "Synthetic Paper Three", ["Cy Fixture"]))
        server.add(synthetic_entry("3012.00004", "Synthetic Paper Four", ["Di Stub"]))
        yield server


def build_faults(make_app, tmp_path, api_url, timeout=SITE_TIMEOUT):
    """Build the faults site under -W against ``api_url``; time its fetching, and read its
    file. Timed from the first handler of env-updated, where the metadata is fetched, to
    the last: the rest of the build says nothing of the faults, and under tracemalloc on
    a busy machine (both CI lines at once) it took 42.8 s against a bound of 36."""
    srcdir = copy_root("faults", tmp_path)
    metadata = srcdir / "_data" / "arxiv.json"
    before = metadata.read_text()
    app = make_app("html", srcdir=srcdir, warningiserror=True,
                   confoverrides={"arxiv_api_url": api_url, "arxiv_timeout": timeout})
    times: list[float] = []
    for priority in (0, 999):
        app.connect("env-updated", lambda app, env: times.append(time.monotonic()),
                    priority=priority)
    app.build()
    app.cleanup()
    return app, times[1] - times[0], warnings(app), before, metadata.read_text()


def assert_kept(before: str, after: str) -> None:
    """Every record the file held is still there, to the byte."""
    for block in re.findall(r'\n    "3012\.\d+": \{.*?\n    \}', before, re.S):
        assert block in after


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault(name, make_app, tmp_path, faulty_arxiv):
    fault, subtype, count, fetched = FAULTS[name]
    fault(faulty_arxiv)
    timeout = TIMEOUTS.get(name, SITE_TIMEOUT)

    tracemalloc.start()
    try:
        app, elapsed, logged, before, after = build_faults(make_app, tmp_path,
                                                           faulty_arxiv.url, timeout)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    requests = len(faulty_arxiv.requests)
    bound = requests * ArxivFetcher(timeout=timeout, delay=0.1).request_bound + FETCH_OVERHEAD
    assert elapsed < bound, f"{elapsed:.1f} s for {requests} requests"
    assert peak < MEMORY_BOUND, f"the build allocated {peak / 2**20:.0f} MiB at its peak"

    typed = [w for w in logged if "[paper." in w]
    assert typed == logged  # nothing else went wrong
    assert len(typed) == count, logged
    missing = [arxiv_id for arxiv_id in MISSING if arxiv_id not in fetched]
    for warning in typed:
        assert warning.endswith(f"[paper.{subtype}]")
        named = [arxiv_id for arxiv_id in missing if arxiv_id in warning]
        assert named and all(USES[arxiv_id] in warning for arxiv_id in named), warning
    assert app.statuscode == (1 if count else 0)

    assert_kept(before, after)
    if not fetched:
        assert after == before
    b = BeautifulSoup((app.outdir / "b.html").read_text(), "html.parser")
    title = b.select_one(".paper-card-title").get_text()
    assert title == ("Synthetic Paper Four" if "3012.00004" in fetched else "arXiv:3012.00004")
    a = (app.outdir / "a.html").read_text()
    assert "Synthetic Paper One" in a and "Synthetic Paper Two" in (app.outdir / "b.html").read_text()
    assert "root:" not in a and "aaaaaaaaaa" not in a


def test_retry_after_is_honoured(make_app, tmp_path, faulty_arxiv):
    # Without the header the retry would come after the delay, 0.1 s here.
    faulty_arxiv.fault = Times(1, respond(503, b"", "text/plain", {"Retry-After": "1"}))
    app, _, logged, *_ = build_faults(make_app, tmp_path, faulty_arxiv.url)
    first, second = (r.at for r in faulty_arxiv.requests)
    assert second - first >= 1
    assert logged == [] and app.statuscode == 0


def test_retry_after_is_capped(make_app, tmp_path, faulty_arxiv):
    faulty_arxiv.fault = respond(503, b"", "text/plain", {"Retry-After": "3600"})
    _, elapsed, *_ = build_faults(make_app, tmp_path, faulty_arxiv.url)
    times = [r.at for r in faulty_arxiv.requests]
    assert len(times) == 3  # the first try and two retries
    # Capped at the request timeout (1 s here), not an hour.
    assert all(1 <= later - earlier < 5 for earlier, later in zip(times, times[1:]))


def test_connection_refused(make_app, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app, elapsed, logged, before, after = build_faults(
        make_app, tmp_path, f"http://127.0.0.1:{port}/api/query")
    [warning] = logged
    assert warning.endswith("[paper.unreachable]") and "cannot connect" in warning
    assert all(arxiv_id in warning and USES[arxiv_id] in warning for arxiv_id in MISSING)
    assert app.statuscode == 1 and after == before
    assert elapsed < ArxivFetcher(timeout=SITE_TIMEOUT, delay=0.1).request_bound + FETCH_OVERHEAD


def test_arxivs_error_entry(make_app, tmp_path, real_arxiv):
    body = real_arxiv.real.replays["abc"].body
    real_arxiv.fault = respond(400, body)
    app, _, logged, before, after = build_faults(make_app, tmp_path, real_arxiv.url)
    [warning] = logged
    assert warning.endswith("[paper.rejected]") and "incorrect id format for abc" in warning
    assert app.statuscode == 1 and after == before


def test_a_corrupt_metadata_file_is_named_kept_and_built_around(make_app, tmp_path,
                                                               faulty_arxiv):
    srcdir = copy_root("faults", tmp_path)
    metadata = srcdir / "_data" / "arxiv.json"
    truncated = metadata.read_bytes()[:200]
    metadata.write_bytes(truncated)
    app = build(make_app, srcdir, confoverrides={"arxiv_api_url": faulty_arxiv.url})
    logged = warnings(app)
    [warning] = [w for w in logged if "[paper.metadata_file]" in w]
    assert str(metadata) in warning and "not valid JSON" in warning
    # What the file cannot give is fetched and shown, but the file stays as it was.
    assert metadata.read_bytes() == truncated
    assert "Synthetic Paper Four" in (app.outdir / "b.html").read_text()
    # The two papers only the broken file had: minimal cards, each named.
    assert "arXiv:3012.00001" in (app.outdir / "a.html").read_text()
    assert sum("[paper.not_found]" in w for w in logged) == 2


def test_an_unusable_entry_is_named_a_bad_response(make_app, tmp_path, faulty_arxiv):
    unusable_00003(faulty_arxiv)
    _, _, logged, *_ = build_faults(make_app, tmp_path, faulty_arxiv.url)
    [warning] = logged
    assert "not_found" not in warning and "no such paper" not in warning
    assert "3012.00003" in warning and "'http://arxiv.org/abs/3012.00003v0' is not" in warning


def test_a_refresh_arxiv_no_longer_answers_keeps_the_record(make_app, tmp_path, faulty_arxiv):
    srcdir = copy_root("faults", tmp_path)
    before = (srcdir / "_data" / "arxiv.json").read_text()
    app = build(make_app, srcdir, confoverrides={"arxiv_api_url": faulty_arxiv.url,
                                                 "arxiv_refresh": True})
    gone = [w for w in warnings(app) if "3012.00001" in w]
    assert len(gone) == 1 and gone[0].endswith("[paper.not_found]")
    assert "kept and shown" in gone[0] and "by its ID only" not in gone[0]
    assert "Synthetic Paper One" in (app.outdir / "a.html").read_text()
    assert_kept(before, (srcdir / "_data" / "arxiv.json").read_text())


def timed_build(srcdir, outdir, *options: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = sphinx_build(srcdir, outdir, *options, strict=False)
    return result, time.monotonic() - started


def test_unreachable_arxiv_is_not_asked_again_for_a_while(tmp_path):
    """Two rebuilds as sphinx-autobuild runs them: new processes, one doctree folder."""
    srcdir = copy_root("faults", tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A delay of 2 s: a retry of the refused connection would show in the time too.
    options = ["-v", "-D", f"arxiv_api_url=http://127.0.0.1:{port}/api/query",
               "-D", "arxiv_request_delay=2"]

    first, elapsed = timed_build(srcdir, tmp_path / "build", *options)
    output = first.stdout + first.stderr
    assert output.count("Requesting page") == 1, output  # the client's log, at -v
    assert "Retrying" not in output and elapsed < BUILD_OVERHEAD, output
    [warning] = [line for line in output.splitlines() if "WARNING" in line]
    assert warning.endswith("[paper.unreachable]") and "cannot connect" in warning

    with socket.socket() as listening:  # counts whoever tries to connect
        listening.bind(("127.0.0.1", port))
        listening.listen(8)
        second, _ = timed_build(srcdir, tmp_path / "build", *options)
        listening.setblocking(False)
        with pytest.raises(BlockingIOError):
            listening.accept()
    output = second.stdout + second.stderr
    assert "Requesting page" not in output, output
    [warning] = [line for line in output.splitlines() if "WARNING" in line]
    assert warning.endswith("[paper.unreachable]") and "not asked again before" in warning
    assert all(arxiv_id in warning and USES[arxiv_id] in warning for arxiv_id in MISSING)


def test_the_clients_retries_are_logged_at_verbose_level_only(tmp_path, faulty_arxiv):
    faulty_arxiv.fault = never_answers  # urllib3 logs each retry of a read timeout
    srcdir = copy_root("faults", tmp_path)
    url = f"arxiv_api_url={faulty_arxiv.url}"
    quiet, _ = timed_build(srcdir, tmp_path / "quiet", "-D", url)
    assert "Retrying" not in quiet.stdout + quiet.stderr
    verbose, _ = timed_build(srcdir, tmp_path / "verbose", "-v", "-D", url)
    retries = [line for line in (verbose.stdout + verbose.stderr).splitlines()
               if "Retrying" in line]
    assert len(retries) == 2 and all(line.startswith("urllib3.") for line in retries), retries


@pytest.mark.parametrize(("status", "tries"), [(404, 1), (403, 1), (503, 3), (429, 3)])
def test_only_statuses_that_may_pass_are_retried(status, tries, make_app, tmp_path,
                                                 faulty_arxiv):
    """A 404 is final; 429 and 5xx may pass, so they are tried again. The warning says
    which, and counts the tries that were made."""
    faulty_arxiv.fault = respond(status, b"", "text/plain")
    app, _, logged, *_ = build_faults(make_app, tmp_path, faulty_arxiv.url)
    assert len(faulty_arxiv.requests) == tries
    [warning] = logged
    said = "1 try, not retried" if tries == 1 else f"{tries} tries"
    assert f"arXiv answered HTTP {status} ({said})" in warning, warning
