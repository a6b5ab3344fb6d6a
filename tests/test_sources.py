"""Papers known by their DOIs beside arXiv's: Crossref's and DataCite's real answers as
records, the fetcher's faults, and a site whose commentaries cite each other across
sources, built as an author builds it."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from helpers import copy_root, sphinx_build
from pybtex.database import parse_string

from mlcommentary.data.bibtex import bibtex_entry
from mlcommentary.data.doi import DoiFetcher, record_from_crossref, record_from_datacite
from mlcommentary.data.fetch import Missing
from mlcommentary.data.ids import parse_paper_id
from mlcommentary.data.newpage import NewPageError, new_page
from mlcommentary.data.testing import Times, never_answers, respond, synthetic_work

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
    gaps = [b.at - a.at for a, b in zip(fake_registries.requests, fake_registries.requests[1:])]
    assert min(gaps) >= 0.25 * 0.95


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


@pytest.mark.parametrize("fault", FAULTS)
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
    assert journal["id"] == "paper-doi-10-5555-3012-0001"
    assert journal.select_one(".paper-badge").get_text() == (
        "Published in Journal of Synthetic Results")
    links = [(a.get_text(), a["href"]) for a in journal.select("dd a.reference.external")]
    assert links == [("doi:10.5555/3012.0001", "https://doi.org/10.5555/3012.0001")]
    facts = journal.get_text(" ", strip=True)
    assert "Published : Dec 2030" in facts and "Submitted" not in facts
    assert "Categories" not in facts and "PDF" not in facts

    # Every form of every source resolves to its commentary.
    preprint = _page(outdir, "papers/preprint")
    assert [a["href"] for a in preprint.select("p > a.paper-ref")] == [
        "journal.html#paper-doi-10-5555-3012-0001",
        "proceedings.html#paper-doi-10-5555-3012-0002"]
    discussed = _page(outdir, "papers/proceedings").select_one("div.paper-card")
    assert "Discussed in : A synthetic journal article , A synthetic preprint" in \
        discussed.get_text(" ", strip=True)

    bib = parse_string((outdir / "papers.bib").read_text(), "bibtex")
    assert sorted((entry.type, entry.fields.get("doi")) for entry in bib.entries.values()) == [
        ("article", "10.5555/3012.0001"), ("inproceedings", "10.5555/3012.0002"),
        ("misc", "10.5555/3012.0001")]
    year = _page(outdir, "years/2030").get_text(" ", strip=True)
    assert all(title in year for title in ("Synthetic Journal Article", "Synthetic Workshop",
                                           "Synthetic Preprint"))
    assert "doi:10.5555/3012.0001" in (outdir / "searchindex.js").read_text()


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
    with pytest.raises(NewPageError, match="doi:10.5555/3012.0001 has a commentary already"):
        new_page(srcdir, "DOI:10.5555/3012.0001")


def test_ids_of_every_source_name_one_canonical_text():
    assert str(parse_paper_id("https://dx.doi.org/10.5555/3012.0001")) == "doi:10.5555/3012.0001"
    assert parse_paper_id("arXiv:3012.00501v2").paper.label == "arXiv:3012.00501"
