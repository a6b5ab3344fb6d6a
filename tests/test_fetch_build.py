"""Builds that fetch: a site whose metadata only the loopback arXiv has."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from bs4 import BeautifulSoup
from helpers import build, copy_root, sphinx_build

from mlcommentary.data.metadata import SCHEMA_VERSION
from mlcommentary.data.testing import synthetic_entry

ATOM = "{http://www.w3.org/2005/Atom}"


def test_cold_build_fetches_once_and_warm_builds_never(make_app, tmp_path, real_arxiv):
    srcdir = copy_root("fetch", tmp_path)
    overrides = {"arxiv_api_url": real_arxiv.url}
    app = build(make_app, srcdir, confoverrides=overrides)
    assert app.warning.getvalue() == ""
    # Six papers: one request, with the subject class dropped and no version.
    [request] = real_arxiv.requests
    assert request.id_list == ["1605.08386", "1707.08567", "2104.12255", "astro-ph/0601001",
                               "math/0211159", "quant-ph/0201082"]

    page = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    card = page.select_one("div.paper-card")
    assert card.select_one(".paper-card-title").get_text() == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications")
    assert "Dirk Wübben" in card.select_one(".paper-card-authors").get_text()
    refs = [a.get_text() for a in page.select("p a.paper-ref")]
    assert refs == [
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina",
        "Quantum Computers and Quantum Computer Languages: Quantum Assembly Language and "
        "Quantum C Language",
        "The entropy formula for the Ricci flow and its geometric applications",
        "0",
        "Heat-bath random walks with Markov bases",
    ]

    saved = json.loads((srcdir / "_data" / "arxiv.json").read_text())
    assert saved["schema_version"] == SCHEMA_VERSION
    assert list(saved["papers"]) == sorted(saved["papers"]) and len(saved["papers"]) == 6
    assert saved["papers"]["1707.08567"]["source"] == "arxiv-api"
    before = (srcdir / "_data" / "arxiv.json").read_bytes()

    # A warm build, and a fresh environment reading only the file: no request.
    for freshenv in (False, True):
        again = build(make_app, srcdir, confoverrides=overrides, freshenv=freshenv)
        assert again.warning.getvalue() == ""
    assert len(real_arxiv.requests) == 1
    assert (srcdir / "_data" / "arxiv.json").read_bytes() == before


def test_offline_build_sends_nothing_and_says_what_is_missing(make_app, tmp_path,
                                                             real_arxiv):
    overrides = {"arxiv_api_url": real_arxiv.url, "arxiv_offline": True}
    app = build(make_app, copy_root("fetch", tmp_path), confoverrides=overrides)
    assert real_arxiv.requests == []
    assert app.warning.getvalue().count("[paper.offline]") == 6
    card = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser").select_one(
        "div.paper-card")
    # The minimal card: the ID and its links.
    assert card.select_one(".paper-card-title").get_text() == "arXiv:1707.08567"
    assert [a["href"] for a in card.select("a")] == [
        "https://arxiv.org/abs/1707.08567", "https://arxiv.org/pdf/1707.08567"]


def test_refresh_refetches_what_the_file_holds(make_app, tmp_path, real_arxiv):
    srcdir = copy_root("fetch", tmp_path)
    overrides = {"arxiv_api_url": real_arxiv.url}
    build(make_app, srcdir, confoverrides=overrides)
    metadata = srcdir / "_data" / "arxiv.json"
    metadata.write_text(metadata.read_text().replace('"title": "0"', '"title": "stale"'))

    build(make_app, srcdir, confoverrides={**overrides, "arxiv_refresh": True})
    assert len(real_arxiv.requests) == 2
    assert json.loads(metadata.read_text())["papers"]["2104.12255"]["title"] == "0"


def test_every_recorded_paper_gets_its_real_card(make_app, tmp_path, real_arxiv):
    """One commentary per paper in the recorded responses, against the XML itself."""
    srcdir = tmp_path / "all"
    (srcdir / "papers").mkdir(parents=True)
    (srcdir / "conf.py").write_text(
        'extensions = ["myst_parser", "mlcommentary"]\narxiv_request_delay = 0.2\n')
    (srcdir / "index.md").write_text("# All\n\n```{toctree}\n:glob:\n\npapers/*\n```\n")
    expected = {}
    for n, (arxiv_id, entry) in enumerate(sorted(real_arxiv.entries.items())):
        (srcdir / "papers" / f"p{n:02d}.md").write_text(f"# P{n}\n\n```{{paper}} {arxiv_id}\n```\n")
        atom = ElementTree.fromstring(
            b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
            + entry + b"</feed>").find(f"{ATOM}entry")
        expected[f"papers/p{n:02d}"] = (
            " ".join(atom.findtext(f"{ATOM}title").split()),
            [" ".join(a.findtext(f"{ATOM}name").split()) for a in atom.iter(f"{ATOM}author")])

    app = build(make_app, srcdir, confoverrides={"arxiv_api_url": real_arxiv.url})
    assert app.warning.getvalue() == ""
    assert len(expected) >= 30 and len(real_arxiv.requests) == 1  # ceil(30 / 100)
    for docname, (title, authors) in expected.items():
        card = BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")
        assert card.select_one(".paper-card-title").get_text() == title
        shown = card.select_one(".paper-card-authors")
        # All of them, in order; a long list is split around its "and N more".
        parts = [p.get_text().rstrip(",") for p in shown.find_all("p")] or [shown.get_text()]
        assert ", ".join(parts) == ", ".join(authors)
    build(make_app, srcdir, confoverrides={"arxiv_api_url": real_arxiv.url})
    assert len(real_arxiv.requests) == 1


def test_a_paper_arxiv_does_not_know_is_not_recorded_as_claimed(tmp_path, fake_arxiv):
    """A well-formed ID arXiv has no paper for (a typo) claims nothing: the file would
    otherwise give the paper to this page for good."""
    fake_arxiv.add(synthetic_entry("2705.00001", "Synthetic", ["Ada Example"]))
    site = tmp_path / "site"
    site.mkdir()
    (site / "conf.py").write_text('extensions = ["myst_parser", "mlcommentary"]\n'
                                  f"arxiv_api_url = {fake_arxiv.url!r}\n"
                                  "arxiv_request_delay = 0\n")
    (site / "index.md").write_text("# Home\n\n```{toctree}\nknown\ntypo\n```\n")
    (site / "known.md").write_text("# Known\n\n```{paper} 2705.00001\n```\n")
    (site / "typo.md").write_text("# Typo\n\n```{paper} 2705.00009\n```\n")
    result = sphinx_build(site, tmp_path / "html")
    assert "[paper.not_found]" in result.stderr
    saved = json.loads((site / "_data" / "arxiv.json").read_text())
    assert saved["commentaries"] == {"2705.00001": "known"}
