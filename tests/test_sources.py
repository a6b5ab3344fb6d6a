"""Papers known by their DOIs or on OpenReview beside arXiv's: the registries' and
OpenReview's real answers as records, the fetchers' faults, and a site whose
commentaries cite each other across sources, built as an author builds it."""

from __future__ import annotations

import json
import re
import zlib

import pytest
from bs4 import BeautifulSoup
from helpers import copy_root, search_index, sphinx_build, timed
from test_bibtex import bibtex_program, run_bibtex  # noqa: F401 (a fixture)
from pybtex.database import parse_string

from mlcommentary.data.bibtex import bibtex_entry
from mlcommentary.data.doi import DoiFetcher, record_from_crossref, record_from_datacite
from mlcommentary.data.fetch import Missing
from mlcommentary.data.ids import InvalidPaperId, parse_paper_id
from mlcommentary.data.newpage import NewPageError, new_page
from mlcommentary.data.openreview import OpenReviewFetcher, record_from_note
from mlcommentary.data.testing import (Times, never_answers, respond, synthetic_note,
                                      synthetic_work)

NATURE_MI = "doi:10.1038/s42256-024-00832-8"
LIPICS = "doi:10.4230/lipics.tqc.2013.93"
SYNTHETIC = "doi:10.5555/3012.0009"


def fetcher(server, **kwargs) -> DoiFetcher:
    return DoiFetcher(server.crossref_url, server.datacite_url,
                      **{"timeout": 2, "delay": 0, **kwargs})


# -- the registries' real answers, as records -------------------------------------------

def test_a_crossref_journal_article(real_works):
    work = json.loads(real_works.crossref[NATURE_MI.removeprefix("doi:")])["message"]
    record = record_from_crossref(work)
    assert record.id == NATURE_MI and record.source == "crossref"
    assert record.title == "Augmenting large language models with chemistry tools"
    assert record.authors[:2] == ("Andres M. Bran", "Sam Cox")
    assert (record.published, record.venue, record.venue_type) == (
        "2024-05-08", "Nature Machine Intelligence", "journal")
    assert (record.volume, record.issue, record.pages) == ("6", "5", "525-535")
    # JATS: the text, without its tags and its "Abstract" heading.
    assert record.abstract.startswith("Large language models (LLMs) have shown strong")
    assert "<" not in record.abstract


def test_a_crossref_proceedings_paper_known_by_its_year(real_works):
    record = record_from_crossref(
        json.loads(real_works.crossref["10.1109/iccv.2007.4408927"])["message"])
    assert (record.published, record.venue_type) == ("2007", "proceedings")
    assert record.venue == "2007 IEEE 11th International Conference on Computer Vision"
    entry = parse_string(bibtex_entry(record, record.paper_id), "bibtex")
    [(key, parsed)] = entry.entries.items()
    assert (key, parsed.type) == ("sinop2007seeded", "inproceedings")
    assert parsed.fields["booktitle"] == record.venue and parsed.fields["pages"] == "1--8"
    assert parsed.fields["doi"] == "10.1109/iccv.2007.4408927"


def test_a_crossref_work_with_no_date_is_no_record(real_works):
    """Crossref has no date of any kind for this workshop paper (``issued`` is
    ``[[null]]``): no record is made up; the fetch says why."""
    work = json.loads(real_works.crossref["10.1109/icdcsw.2003.1203662"])["message"]
    with pytest.raises(ValueError, match="no date of publication"):
        record_from_crossref(work)


def test_a_datacite_conference_paper(real_works):
    record = record_from_datacite(
        json.loads(real_works.datacite[LIPICS.removeprefix("doi:")])["data"])
    assert record.id == LIPICS and record.source == "datacite"
    assert record.title == "The Minimum Size of Qubit Unextendible Product Bases"
    assert record.authors == ("Nathaniel Johnston",)
    assert (record.published, record.venue_type, record.pages) == ("2013", "proceedings", "93-105")
    assert record.venue == "LIPIcs, Volume 22, TQC 2013"


# -- fetching: Crossref first, DataCite for what it lacks, faults as warnings --------

def test_crossref_first_then_datacite_then_not_found(real_registries):
    report = fetcher(real_registries).fetch([NATURE_MI, LIPICS, "doi:10.5555/3012.0404"])
    assert set(report.records) == {NATURE_MI, LIPICS}
    assert report.records[LIPICS].source == "datacite"
    assert report.not_found == ["doi:10.5555/3012.0404"] and report.failures == []
    paths = [request.path.split("?")[0] for request in real_registries.requests]
    assert paths == ["/crossref/works/10.1038/s42256-024-00832-8",
                     "/crossref/works/10.4230/lipics.tqc.2013.93",
                     "/datacite/dois/10.4230/lipics.tqc.2013.93",
                     "/crossref/works/10.5555/3012.0404",
                     "/datacite/dois/10.5555/3012.0404"]


def test_the_polite_pool_address_is_sent(real_registries):
    fetcher(real_registries, mailto="editor@example.org").fetch([NATURE_MI])
    [request] = real_registries.requests
    assert request.path.endswith("?mailto=editor%40example.org")
    assert request.headers["User-Agent"] == "mlcommentary (mailto:editor@example.org)"


def test_a_synthetic_work_round_trips(fake_registries):
    fake_registries.add(synthetic_work(SYNTHETIC.removeprefix("doi:"), "A synthetic article",
                                       [("Ada", "Example")], [2030, 12]))
    record = fetcher(fake_registries).fetch([SYNTHETIC]).records[SYNTHETIC]
    assert (record.published, record.authors, record.venue_type) == (
        "2030-12", ("Ada Example",), "journal")


def test_crossref_rate_limit_headers_set_the_pause(fake_registries):
    """Crossref says how many requests an interval allows; the fetcher keeps to it."""
    for n in range(3):
        fake_registries.add(synthetic_work(f"10.5555/3012.000{n}", "A synthetic article",
                                           [("Ada", "Example")], [2030]))
    fake_registries.fault = Times(1, respond(
        404, b"Resource not found.", "text/plain",
        {"x-rate-limit-limit": "4", "x-rate-limit-interval": "1s"}))
    report = fetcher(fake_registries).fetch([f"doi:10.5555/3012.000{n}" for n in range(3)])
    # The first 404 went on to DataCite; the other two were found at Crossref.
    assert len(report.records) == 2
    requests = fake_registries.requests
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:])]
    # The server notes when each request arrives, so a gap carries both requests' own
    # delays on the way: one noted late shortens the gap after it by what it adds to
    # the gap before (0.25, 0.40 and 0.12 s in a CI run with two suites and Chromium
    # at once). From first to last, only the two ends' delays count. Unpaced, as
    # `delay=0` asks, requests come a few milliseconds apart.
    assert requests[-1].at - requests[0].at >= 0.25 * len(gaps) * 0.8, gaps
    assert min(gaps) >= 0.05, gaps


FAULTS = {
    "hangs": (never_answers, Missing.TIMEOUT),
    "forbids": (respond(403, b"Forbidden", "text/plain"), Missing.HTTP_ERROR),
    "is overloaded": (respond(503, b"", "text/plain", {"Retry-After": "0"}), Missing.HTTP_ERROR),
    "rate-limits": (respond(429, b"", "text/plain", {"Retry-After": "0"}), Missing.HTTP_ERROR),
    "answers HTML": (respond(200, b"<html>maintenance</html>", "text/html"),
                     Missing.BAD_RESPONSE),
    "cuts its answer": (respond(200, b'{"status":"ok","message":{"DOI"', "application/json"),
                        Missing.BAD_RESPONSE),
    "answers another paper": (respond(200, synthetic_work("10.5555/3012.0999", "Another",
                                                          [("Ben", "Sample")], [2030]),
                                      "application/json"), Missing.BAD_RESPONSE),
}


@pytest.mark.parametrize("fault", timed(FAULTS, "hangs"))
@pytest.mark.parametrize("registry", ["crossref", "datacite"])
def test_every_fault_of_either_registry_is_a_typed_failure(fake_registries, fault, registry):
    """Each fault, at Crossref or at DataCite (asked after Crossref's 404), gives a
    failure of its kind for that DOI and no record; nothing raises."""
    handler, subtype = FAULTS[fault]
    if registry == "crossref":
        fake_registries.fault = handler
    else:
        fake_registries.fault = Times(1, respond(404, b"Resource not found.", "text/plain"),
                                      then=handler)
    report = fetcher(fake_registries, timeout=0.5, retries=1).fetch([SYNTHETIC])
    assert report.records == {} and report.not_found == []
    [failure] = report.failures
    assert (failure.ids, failure.subtype) == ([SYNTHETIC], subtype)
    assert ("DataCite" if registry == "datacite" else "Crossref") in failure.reason \
        or subtype is Missing.TIMEOUT


def test_an_unreachable_registry_stops_the_rest():
    report = DoiFetcher("http://127.0.0.1:9/crossref", "http://127.0.0.1:9/datacite",
                        timeout=1, delay=0).fetch([SYNTHETIC, "doi:10.5555/3012.0008"])
    [failure] = report.failures
    assert failure.subtype is Missing.UNREACHABLE and len(failure.ids) == 2


# -- a site of every source ---------------------------------------------------------

def _page(outdir, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{name}.html").read_text(), "html.parser")


def test_a_site_of_every_source_builds_offline_with_w(tmp_path):
    srcdir = copy_root("sources", tmp_path)
    outdir = tmp_path / "html"
    result = sphinx_build(srcdir, outdir, "-D", "arxiv_offline=1")
    assert result.returncode == 0, result.stderr

    journal = _page(outdir, "papers/journal").select_one("div.paper-card")
    assert journal["id"] == "paper-doi-10-5555-3012-0003"
    assert journal.select_one(".paper-badge").get_text() == (
        "Published in Journal of Synthetic Results")
    links = [(a.get_text(), a["href"]) for a in journal.select("dd a.reference.external")]
    assert links == [("doi:10.5555/3012.0003", "https://doi.org/10.5555/3012.0003")]
    facts = journal.get_text(" ", strip=True)
    assert "Published : Dec 2030" in facts and "Submitted" not in facts
    assert "Categories" not in facts and "PDF" not in facts

    # Every form of every source resolves to its commentary.
    preprint = _page(outdir, "papers/preprint")
    assert [a["href"] for a in preprint.select("p > a.paper-ref")] == [
        "proceedings.html#paper-doi-10-5555-3012-0002",
        "journal.html#paper-doi-10-5555-3012-0003"]
    # Each page that discusses the paper, with its sentence there: the author's words
    # for a link, a paper named by its ID alone as its title.
    discussed = _page(outdir, "papers/proceedings").select("ul.paper-discussions > li")
    assert [item.get_text(" ", strip=True) for item in discussed] == [
        "A synthetic journal article : “The article extends A Synthetic Workshop Paper for "
        "Testing Sources.”",
        "A synthetic preprint : “Its method first appeared at a synthetic workshop; a "
        "companion article is A Synthetic Journal Article for Testing Sources.”"]

    bib = parse_string((outdir / "papers.bib").read_text(), "bibtex")
    assert sorted((entry.type, entry.fields.get("doi", entry.fields["url"]))
                  for entry in bib.entries.values()) == [
        ("article", "10.5555/3012.0001"), ("article", "10.5555/3012.0003"),
        ("inproceedings", "10.5555/3012.0002"),
        ("inproceedings", "https://openreview.net/forum?id=Synthetic3012")]
    review = _page(outdir, "papers/review").select_one("div.paper-card").get_text(" ", strip=True)
    assert "OpenReview: Synthetic Conference 2030 Poster" in review
    assert "Keywords : synthetic data, testing" in review
    year = _page(outdir, "years/2030").get_text(" ", strip=True)
    assert all(title in year for title in ("Synthetic Journal Article", "Synthetic Workshop",
                                           "Synthetic Preprint", "Synthetic Conference Paper"))
    assert "doi:10.5555/3012.0003" in search_index(outdir)["indexentries"]
    feed = (outdir / "atom.xml").read_text()
    assert all(title in feed for title in ("Synthetic Journal Article", "Synthetic Workshop",
                                           "Synthetic Conference Paper"))
    raw = (outdir / "objects.inv").read_bytes()
    inventory = zlib.decompress(raw.split(b"\n", 4)[4]).decode()
    assert ("doi:10.5555/3012.0003 paper:paper 1 papers/journal.html#paper-doi-10-5555-3012-0003 "
            "A Synthetic Journal Article for Testing Sources") in inventory
    assert ("openreview:Synthetic3012 paper:paper 1 papers/review.html#paper-openreview-"
            "Synthetic3012 A Synthetic Conference Paper for Testing Sources") in inventory


def test_one_paper_known_by_two_identifiers_is_one_paper(tmp_path):
    """The preprint's arXiv record gives its journal version's DOI: a mention of that DOI
    links to the preprint's commentary, whose card shows both homes and cites the
    journal version, and the site's bibliography has the paper once."""
    srcdir = copy_root("sources", tmp_path)
    outdir = tmp_path / "html"
    assert sphinx_build(srcdir, outdir, "-D", "arxiv_offline=1").returncode == 0
    mention = _page(outdir, "papers/proceedings").select_one("p > a.paper-ref")
    assert mention["href"] == "preprint.html#paper-3012-00501"
    card = _page(outdir, "papers/preprint").select_one("div.paper-card")
    text = card.get_text(" ", strip=True)
    assert "Also : doi:10.5555/3012.0001" in text
    assert "Published in Journal of Synthetic Results" in text
    assert "A synthetic proceedings paper" in text.partition("Discussed in")[2]
    [(key, entry)] = parse_string(card.select_one("div.highlight-bibtex pre").get_text(),
                                  "bibtex").entries.items()
    assert (key, entry.type, entry.fields["doi"]) == (
        "example2031synthetic", "article", "10.5555/3012.0001")
    bib = parse_string((outdir / "papers.bib").read_text(), "bibtex").entries
    assert [k for k, e in bib.items() if e.fields["title"].startswith("A Synthetic Preprint")] \
        == ["example2031synthetic"]
    entries = search_index(outdir)["indexentries"]
    assert "doi:10.5555/3012.0001" in entries and "arxiv:3012.00501v2" in entries

    # A second page claiming the paper by its other identifier is the duplicate it is.
    (srcdir / "papers" / "again.md").write_text(
        "# Again\n\n```{paper} doi:10.5555/3012.0001\n```\n")
    again = sphinx_build(srcdir, outdir, "-D", "arxiv_offline=1")
    assert again.returncode == 1
    assert ("again.md:3: WARNING: doi:10.5555/3012.0001 (which is arXiv:3012.00501) has two "
            "commentaries") in again.stderr
    assert "[paper.duplicate]" in again.stderr
    assert _page(outdir, "papers/again").select_one("div.paper-card a.reference.internal")


def test_an_author_states_another_identifier_and_every_page_follows(tmp_path):
    """``:also:`` joins what no source links; an incremental build after it writes what a
    clean build writes."""
    srcdir = copy_root("sources", tmp_path)
    outdir = tmp_path / "html"
    assert sphinx_build(srcdir, outdir, "-D", "arxiv_offline=1").returncode == 0
    before = _page(outdir, "papers/preprint").select("p > a.paper-ref")[0]["href"]
    assert before == "proceedings.html#paper-doi-10-5555-3012-0002"
    review = srcdir / "papers" / "review.md"
    review.write_text(review.read_text().replace(
        ":tags: synthetic\n", ":tags: synthetic\n:also: doi:10.5555/3012.0002\n"))
    # The workshop paper and the reviewed one are one paper now, claimed by two pages:
    # proceedings.md sorts first and keeps it, review.md is the duplicate.
    result = sphinx_build(srcdir, outdir, "-D", "arxiv_offline=1", strict=False)
    assert "review.md:3: WARNING: openreview:Synthetic3012 (which is doi:10.5555/3012.0002) " \
        "has two commentaries" in result.stderr
    clean = tmp_path / "clean"
    assert sphinx_build(srcdir, clean, "-D", "arxiv_offline=1", strict=False).returncode == 0
    for page in ("papers/preprint", "papers/proceedings", "papers/review", "papers/journal"):
        assert _page(outdir, page).select_one("div.paper-card").get_text(" ", strip=True) == \
            _page(clean, page).select_one("div.paper-card").get_text(" ", strip=True), page


def test_a_site_fetches_each_paper_from_its_source_once(tmp_path, real_registries,
                                                        real_arxiv):
    srcdir = copy_root("sources", tmp_path)
    (srcdir / "papers" / "reading.md").write_text(
        "# Reading list\n\n"
        "- {paper}`https://doi.org/10.1038/s42256-024-00832-8`\n"
        "- {paper}`doi:10.4230/LIPIcs.TQC.2013.93`\n"
        "- {paper}`1605.08386`\n")
    outdir = tmp_path / "html"
    options = ("-D", f"crossref_api_url={real_registries.crossref_url}",
               "-D", f"datacite_api_url={real_registries.datacite_url}",
               "-D", f"arxiv_api_url={real_arxiv.url}")
    result = sphinx_build(srcdir, outdir, *options)
    assert result.returncode == 0, result.stderr
    stored = json.loads((srcdir / "_data" / "arxiv.json").read_text())
    assert stored["papers"][NATURE_MI]["source"] == "crossref"
    assert stored["papers"][LIPICS]["source"] == "datacite"
    assert "1605.08386" in stored["papers"]
    links = [(a.get_text(), a["href"])
             for a in _page(outdir, "papers/reading").select("li a.paper-ref")]
    assert links[:2] == [
        ("Augmenting large language models with chemistry tools",
         "https://doi.org/10.1038/s42256-024-00832-8"),
        ("The Minimum Size of Qubit Unextendible Product Bases",
         "https://doi.org/10.4230/lipics.tqc.2013.93")]
    # A DOI's preview says where its link leads.
    previews = [p.get_text(" ", strip=True)
                for p in _page(outdir, "papers/reading").select(".paper-preview-destination")]
    assert previews[:2] == ["Publisher's page (doi.org)"] * 2
    assert previews[2] == "arXiv abstract page"

    asked = len(real_registries.requests), len(real_arxiv.requests)
    (srcdir / "papers" / "reading.md").write_text(
        (srcdir / "papers" / "reading.md").read_text() + "\nEdited.\n")
    assert sphinx_build(srcdir, outdir, *options).returncode == 0
    assert (len(real_registries.requests), len(real_arxiv.requests)) == asked


def test_a_missing_doi_is_a_typed_warning_at_its_line(tmp_path, real_registries):
    srcdir = copy_root("sources", tmp_path)
    (srcdir / "papers" / "typo.md").write_text(
        "# Typo\n\nSee {paper}`doi:10.5555/3012.0404` and {paper}`doi:11.5555/x`.\n")
    result = sphinx_build(srcdir, tmp_path / "html", "-D",
                          f"crossref_api_url={real_registries.crossref_url}", "-D",
                          f"datacite_api_url={real_registries.datacite_url}")
    assert result.returncode == 1
    assert ("typo.md:3: WARNING: no metadata for doi:10.5555/3012.0404 (neither Crossref "
            "nor DataCite knows this DOI)") in result.stderr
    assert "[paper.not_found]" in result.stderr
    assert "typo.md:3: WARNING: 'doi:11.5555/x' is not a DOI" in result.stderr
    assert "[paper.bad_id]" in result.stderr


def test_make_paper_starts_a_page_from_a_doi(tmp_path, real_registries):
    srcdir = copy_root("sources", tmp_path)
    path = new_page(srcdir, "https://doi.org/10.1038/s42256-024-00832-8", overrides={
        "crossref_api_url": real_registries.crossref_url,
        "datacite_api_url": real_registries.datacite_url})
    assert path == srcdir / "papers" / "augmenting-large-language-models-with-chemistry-tools.md"
    assert "```{paper} doi:10.1038/s42256-024-00832-8\n" in path.read_text()
    assert sphinx_build(srcdir, tmp_path / "html", "-D", "arxiv_offline=1").returncode == 0


def test_a_paper_of_a_source_is_refused_when_a_page_claims_it(tmp_path):
    srcdir = copy_root("sources", tmp_path)
    with pytest.raises(NewPageError, match="doi:10.5555/3012.0003 has a commentary already"):
        new_page(srcdir, "DOI:10.5555/3012.0003")
    # By another identifier of a claimed paper, as the metadata file's records link them.
    with pytest.raises(NewPageError, match=re.escape(
            "doi:10.5555/3012.0001 (which is arXiv:3012.00501) has a commentary already: ")):
        new_page(srcdir, "https://doi.org/10.5555/3012.0001")


def test_ids_of_every_source_name_one_canonical_text():
    assert str(parse_paper_id("https://dx.doi.org/10.5555/3012.0001")) == "doi:10.5555/3012.0001"
    assert parse_paper_id("arXiv:3012.00501v2").paper.label == "arXiv:3012.00501"


# -- OpenReview ------------------------------------------------------------------------

SPOTLIGHT = "openreview:Gj5JTAwdoy"
REJECTED = "openreview:IefMMX12yk"


@pytest.mark.parametrize("text", [
    "openreview:Gj5JTAwdoy", "OpenReview:Gj5JTAwdoy", "https://openreview.net/forum?id=Gj5JTAwdoy",
    "https://openreview.net/pdf?id=Gj5JTAwdoy",
    "https://openreview.net/forum?id=Gj5JTAwdoy&noteId=Xy12abCDef",
])
def test_openreview_forms(text):
    paper = parse_paper_id(text)
    assert (paper.source, paper.base, paper.versioned) == ("openreview", SPOTLIGHT, False)
    assert paper.url == "https://openreview.net/forum?id=Gj5JTAwdoy"
    assert paper.pdf_url == "https://openreview.net/pdf?id=Gj5JTAwdoy"


@pytest.mark.parametrize("text", ["openreview:", "openreview:a b", "openreview:x",
                                  "https://openreview.net/forum", "https://openreview.net/pdf?id="])
def test_openreview_forms_refused(text):
    with pytest.raises(InvalidPaperId, match="is not an OpenReview forum"):
        parse_paper_id(text)


def test_openreview_notes_as_records(recorded_notes):
    spotlight = record_from_note(recorded_notes["Gj5JTAwdoy"])
    assert spotlight.title == "Presto! Distilling Steps and Layers for Accelerating Music Generation"
    assert (spotlight.decision, spotlight.venue_type, spotlight.published) == (
        "ICLR 2025 Spotlight", "proceedings", "2025-01-22")
    assert spotlight.venue == "The Thirteenth International Conference on Learning Representations"
    assert "music generation" in spotlight.keywords
    [(key, entry)] = parse_string(bibtex_entry(spotlight, spotlight.paper_id),
                                  "bibtex").entries.items()
    assert (key, entry.type, entry.fields["booktitle"]) == (
        "novack2025presto", "inproceedings", spotlight.venue)

    rejected = record_from_note(recorded_notes["IefMMX12yk"])
    assert rejected.decision == "Submitted to ICLR 2024; rejected"
    assert rejected.venue is None and rejected.venue_type is None
    assert parse_string(bibtex_entry(rejected, rejected.paper_id),
                        "bibtex").entries["xie2023lightweight"].type == "misc"

    # A record OpenReview imported: its citation is no decision; its DOI is its other name.
    imported = record_from_note(recorded_notes["iaA07eD0bP"])
    assert imported.decision is None and imported.also == ("doi:10.18653/v1/p19-1423",)
    journal = record_from_note(recorded_notes["9TJMTG2bcQ"])
    assert (journal.venue, journal.venue_type) == ("IEEE Netw.", "journal")
    assert "pages = \"7--14\"" in bibtex_entry(journal, journal.paper_id)


def openreview_fetcher(server, environ=None, **kwargs) -> OpenReviewFetcher:
    return OpenReviewFetcher(server.url, environ=server.environ if environ is None else environ,
                             **{"timeout": 2, "delay": 0, **kwargs})


def test_openreview_logs_in_then_fetches(real_openreview):
    report = openreview_fetcher(real_openreview).fetch([SPOTLIGHT, REJECTED,
                                                        "openreview:Synthetic3012"])
    assert set(report.records) == {SPOTLIGHT, REJECTED}
    assert report.not_found == ["openreview:Synthetic3012"] and report.failures == []
    login, *notes = real_openreview.requests
    assert login.path == "/login" and json.loads(login.body)["id"] == real_openreview.username
    assert [r.path for r in notes] == ["/notes?id=Gj5JTAwdoy", "/notes?id=IefMMX12yk",
                                       "/notes?id=Synthetic3012"]
    assert all(r.headers["Authorization"] == "Bearer synthetic-token" for r in notes)


def test_openreview_without_credentials_asks_nothing_and_says_what_to_set(real_openreview):
    report = openreview_fetcher(real_openreview, environ={}).fetch([SPOTLIGHT])
    [failure] = report.failures
    assert failure.subtype is Missing.CREDENTIALS and failure.ids == [SPOTLIGHT]
    assert "set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD" in failure.reason
    assert real_openreview.requests == []


def test_openreview_wrong_credentials(real_openreview):
    report = openreview_fetcher(real_openreview, environ={
        "OPENREVIEW_USERNAME": "reader@example.org", "OPENREVIEW_PASSWORD": "wrong"}
    ).fetch([SPOTLIGHT, REJECTED])
    [failure] = report.failures
    assert failure.ids == [SPOTLIGHT, REJECTED] and failure.subtype is Missing.HTTP_ERROR
    assert failure.reason.startswith("login: OpenReview answered HTTP 400")


RATE_LIMITED = json.dumps({"name": "RateLimitError", "message": "Too many requests",
                           "details": {"limit": 100, "remaining": 0,
                                       "resetTime": "2026-12-04T10:00:00.000Z"}}).encode()
OPENREVIEW_FAULTS = {
    "hangs": (never_answers, Missing.TIMEOUT),
    "asks for a challenge": (respond(403, json.dumps(
        {"name": "ChallengeRequiredError", "message": "Challenge verification required"}
    ).encode(), "application/json"), Missing.HTTP_ERROR),
    "rate-limits": (respond(429, RATE_LIMITED, "application/json"), Missing.HTTP_ERROR),
    "is overloaded": (respond(503, b"", "text/plain", {"Retry-After": "0"}), Missing.HTTP_ERROR),
    "answers HTML": (respond(200, b"<html>maintenance</html>", "text/html"),
                     Missing.BAD_RESPONSE),
    "cuts its answer": (respond(200, b'{"notes": [{"id"', "application/json"),
                        Missing.BAD_RESPONSE),
}


@pytest.mark.parametrize("fault", timed(OPENREVIEW_FAULTS, "hangs"))
def test_every_openreview_fault_is_a_typed_failure(real_openreview, fault):
    handler, subtype = OPENREVIEW_FAULTS[fault]
    real_openreview.fault = Times(1, lambda h: h.server.fake.answer_normally(h), then=handler)
    report = openreview_fetcher(real_openreview, timeout=0.5, retries=1).fetch(
        [SPOTLIGHT, REJECTED])
    assert report.records == {}
    assert {i for f in report.failures for i in f.ids} == {SPOTLIGHT, REJECTED}
    assert all(f.subtype is subtype for f in report.failures)
    if fault == "rate-limits":
        # The request and its one retry, then the rest wait: OpenReview said until when.
        [failure] = report.failures
        assert "no more requests before 2026-12-04T10:00:00.000Z" in failure.reason
        assert [r.path for r in real_openreview.requests[1:]] == ["/notes?id=Gj5JTAwdoy"] * 2
    if fault == "asks for a challenge":
        assert "check OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD" in report.failures[0].reason


def test_openreview_answering_another_paper(real_openreview):
    real_openreview.notes["Gj5JTAwdoy"] = real_openreview.notes["IefMMX12yk"]
    [failure] = openreview_fetcher(real_openreview).fetch([SPOTLIGHT]).failures
    assert failure.subtype is Missing.BAD_RESPONSE and "answered with openreview:IefMMX12yk" \
        in failure.reason


def test_a_site_fetches_openreview_papers_with_credentials(tmp_path, real_openreview):
    srcdir = copy_root("sources", tmp_path)
    (srcdir / "papers" / "spotlight.md").write_text(
        "# Presto\n\n```{paper} https://openreview.net/forum?id=Gj5JTAwdoy\n```\n")
    options = ("-D", f"openreview_api_url={real_openreview.url}")
    without = sphinx_build(srcdir, tmp_path / "html", *options)
    assert without.returncode == 1
    assert ("spotlight.md:3: WARNING: could not fetch 1 paper from OpenReview: OpenReview "
            "answers only logged-in clients: set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD"
            ) in " ".join(without.stderr.split())
    assert "[paper.credentials]" in without.stderr

    result = sphinx_build(srcdir, tmp_path / "html", *options, **real_openreview.environ)
    assert result.returncode == 0, result.stderr
    card = _page(tmp_path / "html", "papers/spotlight").select_one("div.paper-card")
    text = card.get_text(" ", strip=True)
    assert "OpenReview: ICLR 2025 Spotlight" in text
    assert "Published in The Thirteenth International Conference on Learning Representations" \
        in text
    assert "Keywords : music generation" in text
    assert [a["href"] for a in card.select("dd a.reference.external")][:2] == [
        "https://openreview.net/forum?id=Gj5JTAwdoy", "https://openreview.net/pdf?id=Gj5JTAwdoy"]
    stored = json.loads((srcdir / "_data" / "arxiv.json").read_text())
    assert stored["papers"][SPOTLIGHT]["decision"] == "ICLR 2025 Spotlight"


def test_a_refresh_reports_a_new_decision(tmp_path, fake_openreview):
    """A submission's record in the file; OpenReview has decided since: the refresh says
    so, one line for the paper, and the card shows the decision."""
    srcdir = copy_root("sources", tmp_path)
    fake_openreview.add(synthetic_note(
        "Synthetic3012", "A Synthetic Conference Paper for Testing Sources",
        ["Dana Placeholder", "Eli Example"], venue="Synthetic Conference 2030 Oral",
        venueid="Synthetic.cc/2030/Conference", pdate=1923609600000,
        bibtex="@inproceedings{placeholder2030synthetic, title={A Synthetic Conference Paper "
               "for Testing Sources}, booktitle={Proceedings of the Synthetic Conference 2030},"
               " year={2030}}"))
    result = sphinx_build(srcdir, tmp_path / "html", "-D", "arxiv_refresh=1", "-D",
                          f"openreview_api_url={fake_openreview.url}", strict=False,
                          **fake_openreview.environ)
    assert ("openreview:Synthetic3012: decision 'Synthetic Conference 2030 Oral' (was "
            "'Synthetic Conference 2030 Poster')") in result.stdout
    card = _page(tmp_path / "html", "papers/review").select_one("div.paper-card")
    assert "OpenReview: Synthetic Conference 2030 Oral" in card.get_text(" ", strip=True)


def test_an_unreachable_registry_is_remembered_apart_from_arxiv(tmp_path):
    """Crossref out of reach: the build warns, notes the outage in its own file, and the
    next build does not wait on it again, while arXiv's note is untouched."""
    srcdir = copy_root("sources", tmp_path)
    (srcdir / "papers" / "new.md").write_text("# New\n\nSee {paper}`doi:10.5555/3012.0404`.\n")
    outdir = tmp_path / "html"
    first = sphinx_build(srcdir, outdir, "-D", "arxiv_timeout=1")
    assert "new.md:3: WARNING: could not fetch 1 paper from Crossref and DataCite: " \
        "Crossref: cannot connect" in first.stderr
    doctrees = outdir.with_name(outdir.name + ".doctrees")
    assert json.loads((doctrees / "doi-outage.json").read_text())["api_url"] == \
        "http://127.0.0.1:9/crossref"
    assert not (doctrees / "arxiv-outage.json").exists()
    second = sphinx_build(srcdir, outdir, "-D", "arxiv_timeout=1")
    assert "did not ask Crossref and DataCite for 1 paper: at " in " ".join(
        second.stderr.split())
    assert "[paper.unreachable]" in second.stderr


@pytest.mark.toolchain
def test_every_kinds_entry_is_read_by_bibtex(tmp_path, bibtex_program, real_works,  # noqa: F811
                                             recorded_notes):
    """The real ``bibtex`` reads the mixed site's papers.bib, and the entries of every
    real recorded work and note, with no warning: each entry type has its fields."""
    srcdir = copy_root("sources", tmp_path)
    assert sphinx_build(srcdir, tmp_path / "out", "-D", "arxiv_offline=1").returncode == 0
    bib = (tmp_path / "out" / "papers.bib").read_text(encoding="utf-8")
    run_bibtex(bibtex_program, tmp_path / "site", bib, list(parse_string(bib, "bibtex").entries))

    records = [record_from_crossref(json.loads(body)["message"])
               for doi, body in real_works.crossref.items()
               if doi != "10.1109/icdcsw.2003.1203662"]  # no date: no record (above)
    records += [record_from_datacite(json.loads(body)["data"])
                for body in real_works.datacite.values()]
    records += [record_from_note(note) for note in recorded_notes.values()]
    real = "\n".join(bibtex_entry(record, record.paper_id, f"real{n}")
                     for n, record in enumerate(records))
    bbl = run_bibtex(bibtex_program, tmp_path / "real", real,
                     [f"real{n}" for n in range(len(records))])
    text = " ".join(bbl.split())
    assert "Nature Machine Intelligence" in text and "Learning Representations" in text


def test_a_crossref_work_names_its_preprint():
    """Crossref's ``relation`` links a version of record to its arXiv preprint: the
    record says so, and the site makes the two one paper."""
    work = json.loads(synthetic_work("10.5555/3012.0007", "A synthetic article",
                                     [("Ada", "Example")], [2031, 3]))["message"]
    work["relation"] = {
        "has-preprint": [{"id-type": "doi", "id": "10.48550/arXiv.3012.00501",
                          "asserted-by": "object"}],
        "references": [{"id-type": "doi", "id": "10.5555/3012.0002", "asserted-by": "subject"}]}
    record = record_from_crossref(work)
    assert record.also == ("doi:10.48550/arXiv.3012.00501",)
    assert record.other_ids == ("3012.00501",)
