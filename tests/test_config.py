"""Every setting as an author gives it: in conf.py, with -D, and through make; values
that cannot work stop the build at once with a clear error."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import helpers
from conftest import REPO
from helpers import make, timed

from mlcommentary.data.arxiv import ArxivFetcher
from mlcommentary.data.testing import Times, never_answers, respond, synthetic_entry

#: Sphinx's -W makes a warning such as "cannot override config setting" fail too.
SITE_CONF = '''extensions = ["myst_parser", "mlcommentary"]
project = "Settings test"
arxiv_api_url = {url!r}
arxiv_request_delay = 0
'''
CLOSED_PORT_URL = "http://127.0.0.1:9/api/query"


def make_site(tmp_path: Path, url: str) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "conf.py").write_text(SITE_CONF.format(url=url))
    (site / "index.md").write_text("# Settings\n\n```{paper} 3012.00001\n```\n")
    return site


def build_with(site: Path, where: str, name: str, value) -> subprocess.CompletedProcess:
    """Build ``site`` with ``name`` set in ``where``: conf.py, -D, or make's O."""
    text = str(int(value)) if isinstance(value, bool) else str(value)
    options = []
    if where == "conf.py":
        with (site / "conf.py").open("a") as conf:
            conf.write(f"{name} = {value!r}\n")
    else:
        options = ["-D", f"{name}={text}"]
    if where == "make":
        return make("html", f"SOURCEDIR={site}", f"BUILDDIR={site.parent / 'build'}",
                    "O=" + " ".join(options))
    return helpers.sphinx_build(site, site.parent / "build" / "html", *options)


def saved(path: Path) -> dict:
    return json.loads(path.read_text())["papers"]


def stale_record(site: Path) -> None:
    record = {"id": "3012.00001", "version": 1, "title": "Stale", "authors": ["Ada Example"],
              "published": "2030-12-01", "updated": "2030-12-01", "primary_category": "cs.LG",
              "categories": ["cs.LG"], "comment": None, "journal_ref": None, "doi": None,
              "abstract": "", "source": "arxiv-api"}
    (site / "_data").mkdir()
    (site / "_data" / "arxiv.json").write_text(
        json.dumps({"schema_version": 1, "papers": {"3012.00001": record}}))


# name -> (value, set-up before the build, check after it). Each check looks at what
# the setting does, so a value that was ignored fails it.
SETTINGS = {
    "arxiv_api_url": (
        None,  # the loopback arXiv's URL; the site's own points at a closed port
        lambda site, server: (site / "conf.py").write_text(SITE_CONF.format(url=CLOSED_PORT_URL)),
        lambda site, server, result, elapsed: (
            len(server.requests) == 1
            and saved(site / "_data" / "arxiv.json")["3012.00001"]["title"] == "Synthetic")),
    "arxiv_metadata_file": (
        "elsewhere/papers.json",
        None,
        lambda site, server, result, elapsed: (
            saved(site / "elsewhere" / "papers.json")["3012.00001"]["title"] == "Synthetic"
            and not (site / "_data").exists())),
    "arxiv_offline": (
        True,
        None,
        lambda site, server, result, elapsed: (
            server.requests == [] and "[paper.offline]" in result.stderr)),
    "arxiv_refresh": (
        True,
        lambda site, server: stale_record(site),
        lambda site, server, result, elapsed: (
            len(server.requests) == 1
            and saved(site / "_data" / "arxiv.json")["3012.00001"]["title"] == "Synthetic")),
    # By default a request that never answers is given 30 s, and more.
    "arxiv_timeout": (
        0.5,
        lambda site, server: setattr(server, "fault", never_answers),
        lambda site, server, result, elapsed: (
            "[paper.timeout]" in result.stderr and elapsed < 20)),
    # The site's own delay is 0: the retry after a 503 comes as soon as the delay allows.
    "arxiv_request_delay": (
        1.5,
        lambda site, server: setattr(server, "fault", Times(1, respond(503, b"", "text/plain"))),
        lambda site, server, result, elapsed: (
            len(server.requests) == 2
            and server.requests[1].at - server.requests[0].at >= 1.5)),
}


@pytest.mark.parametrize("where", ["conf.py", "-D", "make"])
@pytest.mark.parametrize("name", timed(SETTINGS, "arxiv_timeout", "arxiv_request_delay"))
def test_every_setting_from_every_place(name, where, tmp_path, fake_arxiv):
    fake_arxiv.add(synthetic_entry("3012.00001", "Synthetic", ["Ada Example"]))
    value, set_up, works = SETTINGS[name]
    site = make_site(tmp_path, fake_arxiv.url)
    if set_up:
        set_up(site, fake_arxiv)
    started = time.monotonic()
    result = build_with(site, where, name, fake_arxiv.url if value is None else value)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert "cannot override" not in output and "invalid number" not in output, output
    assert works(site, fake_arxiv, result, elapsed), output


@pytest.mark.parametrize(("setting", "message"), [
    ("arxiv_timeout=0", "arxiv_timeout must be more than 0 seconds, not 0"),
    ("arxiv_timeout=-5", "arxiv_timeout must be more than 0 seconds, not -5"),
    ("arxiv_timeout=soon", "arxiv_timeout must be a number of seconds, not 'soon'"),
    ("arxiv_request_delay=-1", "arxiv_request_delay must be 0 seconds or more, not -1"),
    ("arxiv_request_delay=nan", "arxiv_request_delay must be a finite number of seconds"),
    # arXiv's own API asks for 3 s; the site's loopback URL is replaced by arXiv's.
    ("arxiv_api_url=https://export.arxiv.org/api/query",
     "arxiv_request_delay is 0 s, but arXiv asks for at least 3 s between requests"),
    ("arxiv_api_url=export.arxiv.org", "arxiv_api_url must be an http:// or https:// URL"),
])
def test_values_that_cannot_work_stop_the_build(setting, message, tmp_path):
    site = make_site(tmp_path, CLOSED_PORT_URL)
    result = build_with(site, "-D", *setting.split("=", 1))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Configuration error" in result.stderr and message in result.stderr
    assert not (site.parent / "build" / "html" / "index.html").exists()


def test_the_guide_states_how_long_a_failing_request_can_take():
    """writing.md's figure is the fetcher's bound with the default settings."""
    guide = (REPO / "writing.md").read_text()
    [stated] = re.findall(r"gives up\s+after\s+at\s+most\s+(\d+)\s+s", guide)
    assert int(stated) == ArxivFetcher().request_bound


@pytest.mark.parametrize("url", [
    "http://export.arxiv.org/api/query",
    "https://export.arxiv.org/api/query/",
    "https://EXPORT.arxiv.org/api/query",
    "https://ArXiv.Org/api/query",
    "https://export.arxiv.org:443/api/query",
    "https://user:pw@export.arxiv.org/api/query",
    "http://export.arxiv.org./api/query",
    "https://arxiv.org",
])
def test_arxivs_delay_holds_for_any_spelling_of_its_host(url, tmp_path):
    """The 3 s floor follows the host, not one spelling of one URL."""
    site = make_site(tmp_path, url)  # conf.py: arxiv_request_delay = 0
    result = helpers.sphinx_build(site, site.parent / "build" / "html")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "arXiv asks for at least 3 s between requests" in result.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/api/query", "https://notarxiv.org/api",
                                 "https://arxiv.org.example.com/api/query"])
def test_other_hosts_may_have_no_delay(url):
    from mlcommentary.data.settings import DEFAULTS, checked
    values = checked({**DEFAULTS, "arxiv_api_url": url, "arxiv_request_delay": 0})
    assert values["arxiv_request_delay"] == 0


@pytest.mark.parametrize(("where", "setting", "message"), [
    ("-D", "arxiv_request_delay=abc", "arxiv_request_delay must be a number of seconds, not 'abc'"),
    ("-D", "arxiv_offline=maybe", "arxiv_offline"),
    ("-D", "arxiv_timeout=-1", "arxiv_timeout must be more than 0 seconds, not -1"),
    ("-D", "arxiv_api_url=ftp://x", "arxiv_api_url must be an http:// or https:// URL, not 'ftp://x'"),
    ("conf.py", "arxiv_timeout='soon'", "arxiv_timeout must be a number of seconds, not 'soon'"),
    ("conf.py", "arxiv_offline='maybe'", "arxiv_offline must be True or False"),
    ("conf.py", "arxiv_metadata_file=3", "arxiv_metadata_file must be a path"),
    ("conf.py", "arxiv_api_url=None", "arxiv_api_url must be an http:// or https:// URL, not None"),
    ("-D", "paper_map_size=1", "paper_map_size must be a whole number of commentaries, 2 or "
     "more, not 1"),
    ("conf.py", "paper_map_size='many'", "paper_map_size must be a whole number of "
     "commentaries, 2 or more, not 'many'"),
    ("-D", "paper_search_shard_size=0", "paper_search_shard_size must be a whole number of "
     "documents, 1 or more, not 0"),
])
def test_a_bad_setting_is_one_line_not_a_crash_report(where, setting, message, tmp_path):
    site = make_site(tmp_path, CLOSED_PORT_URL)
    name, value = setting.split("=", 1)
    if where == "conf.py":
        with (site / "conf.py").open("a") as conf:
            conf.write(f"{name} = {value}\n")
        result = helpers.sphinx_build(site, site.parent / "build" / "html")
    else:
        result = helpers.sphinx_build(site, site.parent / "build" / "html", "-D", setting)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "open an issue" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
