"""The fetcher, with the real arxiv client, against the loopback arXiv."""

from __future__ import annotations

from conftest import FUTURE_MONTH

from mlcommentary.data.testing import synthetic_entry
from mlcommentary.data.arxiv import ArxivFetcher


def fetcher(server, **kwargs) -> ArxivFetcher:
    kwargs.setdefault("delay", 0)
    kwargs.setdefault("timeout", 5)
    return ArxivFetcher(server.url, **kwargs)


def test_real_responses_become_records(real_arxiv):
    ids = ["1707.08567", "astro-ph/0601001", "quant-ph/0201082", "2104.12255", "1111.2011",
           "math/0211159", "astro-ph/9812133", "1312.2021", "2402.16893"]
    report = fetcher(real_arxiv).fetch(ids)
    assert report.failures == [] and report.not_found == []
    assert len(real_arxiv.requests) == report.requests == 1
    records = report.records
    assert sorted(records) == sorted(ids)
    # 34 authors, one with a non-ASCII name.
    assert len(records["1707.08567"].authors) == 34 and "Dirk Wübben" in records["1707.08567"].authors
    # Old-style IDs keep their archive; journal references and cross-lists come through.
    assert records["astro-ph/0601001"].journal_ref == "ActaAstron.56:1-50,2006"
    assert records["quant-ph/0201082"].categories == ("quant-ph", "cs.PL")
    assert records["math/0211159"].primary_category == "math.DG"
    # A title that is literally "0" is still a title.
    assert records["2104.12255"].title == "0"
    # The classic feed wraps titles and abstracts; records hold them on one line.
    classic = records["1111.2011"]
    assert classic.title == ("Quantum Criticality for Extended Nodes on a Bethe Lattice "
                             "in the Large Connectivity Limit")
    assert "\n" not in classic.abstract and "  " not in classic.abstract
    assert (classic.version, classic.published, classic.updated) == (2, "2011-11-08", "2012-04-02")
    assert classic.doi == "10.1103/PhysRevB.85.115117"
    assert records["2402.16893"].categories == ("cs.CR", "cs.AI", "cs.CL")


def test_ids_arxiv_does_not_have_are_reported_not_found(real_arxiv):
    # Replayed as recorded: arXiv silently leaves the unknown ID out.
    report = fetcher(real_arxiv).fetch(["0808.05394", "1707.08567"])
    assert report.not_found == ["0808.05394"]
    assert list(report.records) == ["1707.08567"]


def test_arxivs_rejection_is_reported_with_its_reason(real_arxiv):
    report = fetcher(real_arxiv).fetch(["abc"])
    [failure] = report.failures
    assert failure.subtype == "rejected" and failure.ids == ["abc"]
    assert "incorrect id format for abc" in failure.reason


def test_batches_hold_at_most_100_ids(fake_arxiv):
    ids = [f"{FUTURE_MONTH}.{n:05d}" for n in range(1, 251)]
    for arxiv_id in ids:
        fake_arxiv.add(synthetic_entry(arxiv_id, f"Synthetic paper {arxiv_id}", ["Ada Example"]))
    report = fetcher(fake_arxiv).fetch(ids)
    assert sorted(report.records) == ids
    assert [len(r.id_list) for r in fake_arxiv.requests] == [100, 100, 50]
    assert report.requests == 3


def test_requests_are_spaced_by_the_delay(fake_arxiv):
    ids = [f"{FUTURE_MONTH}.{n:05d}" for n in range(1, 301)]
    fetcher(fake_arxiv, delay=0.5).fetch(ids)
    times = [r.at for r in fake_arxiv.requests]
    assert len(times) == 3
    assert all(later - earlier >= 0.5 for earlier, later in zip(times, times[1:]))
