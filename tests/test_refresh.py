"""``make refresh-metadata`` says what arXiv changed and which records no page uses,
and removes those only when asked (PRUNE=1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import copy_root, make, sphinx_build

from mlcommentary.data.sentences import counted
from mlcommentary.data.testing import synthetic_entry

USED = {"3012.00011", "3012.00012", "3012.00013", "3012.00014"}
UNUSED = {"3012.00015", "3012.00016"}


@pytest.fixture
def site(tmp_path: Path, fake_arxiv) -> Path:
    """The test-refresh site, with arXiv's records newer than the site's for three papers."""
    def entry(number: str, title: str, **changes) -> None:
        fake_arxiv.add(synthetic_entry(f"3012.000{number}", title, ["Ada Example"], **changes))

    entry("11", "Synthetic Eleven, Revised", version=3, updated="2031-02-03")
    entry("12", "Synthetic Twelve", doi="10.9999/synthetic.12",
          journal_ref="Journal of Synthetic Results 1 (2031)")
    entry("13", "Synthetic Thirteen", version=2, updated="2031-01-05",
          comment="This paper has been withdrawn by the authors due to an error in Eq. 3")
    for number, title in (("14", "Fourteen"), ("15", "Fifteen"), ("16", "Sixteen")):
        entry(number, f"Synthetic {title}")
    return copy_root("refresh", tmp_path)


def refresh(site: Path, url: str, *extra: str):
    return make("refresh-metadata", f"SOURCEDIR={site}", f"BUILDDIR={site.parent / 'build'}",
                f"O=-D arxiv_api_url={url}", *extra)


def stored(site: Path) -> dict:
    return json.loads((site / "_data" / "arxiv.json").read_text())


def test_refresh_reports_what_changed_per_paper(site, fake_arxiv):
    result = refresh(site, fake_arxiv.url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()

    def said(base: str) -> str:
        [line] = [line for line in lines if line.startswith(f"arXiv:{base}:")]
        return line

    assert said("3012.00011") == (
        "arXiv:3012.00011: new version v3 of 2031-02-03 (was v1); title changed from "
        "'Synthetic Eleven' to 'Synthetic Eleven, Revised'")
    assert said("3012.00012") == (
        "arXiv:3012.00012: now has the DOI 10.9999/synthetic.12; now has the journal "
        "reference 'Journal of Synthetic Results 1 (2031)'")
    assert said("3012.00013") == (
        "arXiv:3012.00013: new version v2 of 2031-01-05 (was v1); withdrawn ('This paper "
        "has been withdrawn by the authors due to an error in Eq. 3')")
    assert not [line for line in lines if line.startswith(("arXiv:3012.00014", "arXiv:3012.0001"
                                                           "5", "arXiv:3012.00016"))]
    assert "refreshed 6 records; 3 changed as above" in lines
    # Information, not warnings: -W is on and the refresh succeeded.
    assert "WARNING" not in result.stderr
    assert any(line.endswith("holds 2 records that no page uses: 3012.00015, 3012.00016 "
                             "(make refresh-metadata PRUNE=1 removes them)") for line in lines)
    papers = stored(site)["papers"]
    assert papers["3012.00011"]["version"] == 3
    assert papers["3012.00013"]["comment"].startswith("This paper has been withdrawn")
    # Never pruned by default.
    assert set(papers) == USED | UNUSED


def test_prune_removes_only_the_records_no_page_uses(site, fake_arxiv):
    before = stored(site)
    result = refresh(site, fake_arxiv.url, "PRUNE=1")
    assert result.returncode == 0, result.stdout + result.stderr
    after = stored(site)
    assert set(after["papers"]) == USED
    assert after["commentaries"] == before["commentaries"]
    assert any(line.endswith("that no page uses from "
                             f"{site / '_data' / 'arxiv.json'}: 3012.00015, 3012.00016")
               for line in result.stdout.splitlines())
    # Pruned records are not fetched: the one request asked for the used papers only.
    [request] = fake_arxiv.requests
    assert set(request.id_list) == USED


def test_an_ordinary_build_neither_lists_nor_prunes(site, fake_arxiv):
    before = (site / "_data" / "arxiv.json").read_text()
    result = sphinx_build(site, site.parent / "html", "-D", f"arxiv_api_url={fake_arxiv.url}")
    assert result.returncode == 0, result.stderr
    assert "no page uses" not in result.stdout
    assert fake_arxiv.requests == []
    assert (site / "_data" / "arxiv.json").read_text() == before


def test_prune_without_refresh_removes_without_fetching(site, fake_arxiv):
    result = sphinx_build(site, site.parent / "html", "-D", f"arxiv_api_url={fake_arxiv.url}",
                          "-D", "arxiv_prune=1")
    assert result.returncode == 0, result.stderr
    assert set(stored(site)["papers"]) == USED
    assert fake_arxiv.requests == []


def test_the_counts_it_says_read_as_english():
    """One record, not "1 records" nor "1 record(s)": a new site's first counts are ones."""
    assert counted(1, "record") == "1 record"
    assert counted(0, "record") == "0 records"
    assert counted(12, "paper") == "12 papers"
