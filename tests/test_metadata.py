"""The metadata file: sorted, diffable, written atomically, never with less than it held."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import time

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import FUTURE_MONTH
from helpers import copy_root, sphinx_build

from mlcommentary.data.arxiv import ArxivFetcher
from mlcommentary.data.metadata import (
    RECORD_SCHEMA,
    SCHEMA_VERSION,
    MetadataFile,
    MetadataFileError,
    PaperRecord,
)
from mlcommentary.data.testing import synthetic_entry


def record(n: int, **changes) -> PaperRecord:
    fields = dict(id=f"{FUTURE_MONTH}.{n:05d}", version=1, title=f"Synthetic paper {n}",
                  authors=("Ada Example",), published="2030-12-01", updated="2030-12-01",
                  primary_category="cs.LG", categories=("cs.LG",), abstract="Synthetic.")
    return PaperRecord(**{**fields, **changes})


def test_missing_file_is_empty(tmp_path):
    loaded = MetadataFile(tmp_path / "arxiv.json").load()
    assert loaded.records == {} and loaded.problems == []



def test_a_load_checks_again_only_the_records_whose_json_changed(tmp_path, monkeypatch):
    """After a build notes its pages in the file, the next one would otherwise check
    every record against the schema again: ten seconds at 20,000 records."""
    store = MetadataFile(tmp_path / "arxiv.json")
    store.save({r.id: r for r in (record(1), record(2), record(3))})
    cache = tmp_path / "records.pickle"
    store.load(cache=cache)
    store.save({}, {record(1).id: "papers/one"})
    checked = []
    from_json = PaperRecord.from_json.__func__
    monkeypatch.setattr(PaperRecord, "from_json", classmethod(
        lambda cls, data: checked.append(data.get("id")) or from_json(cls, data)))

    loaded = store.load(cache=cache)
    assert checked == [] and loaded.commentaries == {record(1).id: "papers/one"}
    assert loaded.records == {r.id: r for r in (record(1), record(2), record(3))}

    text = store.path.read_text(encoding="utf-8")
    store.path.write_text(text.replace("Synthetic paper 2", "Paper Two, Renamed")
                          .replace('"2030-12-01"', '"2030-12-32"', 1), encoding="utf-8")
    loaded = store.load(cache=cache)
    assert sorted(checked) == [record(1).id, record(2).id]
    assert loaded.records[record(2).id].title == "Paper Two, Renamed"
    assert record(1).id not in loaded.records and "2030-12-32" in loaded.problems[0]

def test_save_is_sorted_diffable_and_round_trips(tmp_path):
    store = MetadataFile(tmp_path / "_data" / "arxiv.json")
    records = {r.id: r for r in (record(3), record(1, authors=("Zoë Ünïcode",)), record(2))}
    assert store.save(records) is True
    text = store.path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == ["schema_version", "papers", "commentaries"]
    assert data["schema_version"] == SCHEMA_VERSION
    assert list(data["papers"]) == sorted(records)
    assert "Zoë Ünïcode" in text  # readable in a diff, not \u escapes
    assert text.endswith("}\n") and text.count("\n") > 30  # one field a line
    assert store.load().records == records
    assert oct(store.path.stat().st_mode & 0o777) == "0o644"


def test_unchanged_content_is_not_rewritten(tmp_path):
    store = MetadataFile(tmp_path / "arxiv.json")
    store.save({"3012.00001": record(1)})
    os.utime(store.path, (1, 1))
    assert store.save({"3012.00001": record(1)}) is False
    assert store.path.stat().st_mtime == 1


def test_save_merges_with_what_the_file_holds(tmp_path):
    path = tmp_path / "arxiv.json"
    MetadataFile(path).save({"3012.00001": record(1)})
    # Another build, which never saw record 1, saves record 2.
    MetadataFile(path).save({"3012.00002": record(2)})
    assert sorted(MetadataFile(path).load().records) == ["3012.00001", "3012.00002"]


def test_a_bad_record_is_reported_and_kept(tmp_path):
    store = MetadataFile(tmp_path / "arxiv.json")
    store.save({"3012.00001": record(1)})
    data = json.loads(store.path.read_text())
    data["papers"]["3012.00002"] = {"id": "3012.00002", "title": 7}
    store.path.write_text(json.dumps(data))
    loaded = store.load()
    assert list(loaded.records) == ["3012.00001"]
    [problem] = loaded.problems
    assert problem.startswith("record '3012.00002': ")
    store.save({"3012.00003": record(3)})
    assert json.loads(store.path.read_text())["papers"]["3012.00002"] == {
        "id": "3012.00002", "title": 7}


@pytest.mark.parametrize(("content", "message"), [
    ('{"schema_version": 1, "papers": {', "not valid JSON (line 1, column 34"),
    ("[1, 2]", "not a paper metadata file"),
    ('{"schema_version": 99, "papers": {}}', "written by a newer version"),
    (b"\xff\xfe not text", "cannot read"),
])
def test_an_unusable_file_is_named_and_never_overwritten(tmp_path, content, message):
    path = tmp_path / "arxiv.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = path.read_bytes()
    store = MetadataFile(path)
    with pytest.raises(MetadataFileError, match=re.escape(message)) as err:
        store.load()
    assert str(path) in str(err.value)
    with pytest.raises(MetadataFileError):
        store.save({"3012.00001": record(1)})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arxiv.json", "arxiv.json.lock"]


def test_a_read_only_file_is_not_written(tmp_path):
    store = MetadataFile(tmp_path / "arxiv.json")
    store.save({"3012.00001": record(1)})
    store.path.chmod(0o444)
    with pytest.raises(MetadataFileError, match="read-only"):
        store.save({"3012.00002": record(2)})
    assert list(store.load().records) == ["3012.00001"]


def _save_many(path, first: int, count: int) -> None:
    store = MetadataFile(path)
    for n in range(first, first + count):
        store.save({f"{FUTURE_MONTH}.{n:05d}": record(n)})


def test_two_writers_at_once_keep_every_record(tmp_path):
    path = tmp_path / "arxiv.json"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_save_many, args=(path, first, 25)) for first in (1, 101)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    expected = [f"{FUTURE_MONTH}.{n:05d}" for n in [*range(1, 26), *range(101, 126)]]
    assert sorted(MetadataFile(path).load().records) == expected


def _rewrite_forever(path) -> None:
    store = MetadataFile(path)
    big = "x" * 2000
    n = 0
    while True:
        n += 1
        store.save({f"{FUTURE_MONTH}.{m:05d}": record(m, abstract=f"{big} {n}")
                    for m in range(1, 400)})


def test_a_writer_killed_mid_write_leaves_a_whole_file(tmp_path):
    path = tmp_path / "arxiv.json"
    MetadataFile(path).save({"3012.99999": record(99999)})
    context = multiprocessing.get_context("fork")
    for delay in (0.15, 0.3, 0.45, 0.6):
        writer = context.Process(target=_rewrite_forever, args=(path,))
        writer.start()
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        records = MetadataFile(path).load().records  # whole JSON, or this raises
        assert "3012.99999" in records


def test_records_without_optional_fields_or_with_unknown_ones_load(tmp_path):
    """Records written with fewer fields, or by a later minor version with more, still load."""
    path = tmp_path / "arxiv.json"
    data = record(1).to_json()
    for optional in ("comment", "journal_ref", "doi", "venue", "updated"):
        data.pop(optional, None)
    data["affiliations"] = [["Somewhere"]]
    path.write_text(json.dumps({"schema_version": 1, "papers": {"3012.00001": data}}))
    loaded = MetadataFile(path).load()
    assert loaded.problems == [] and loaded.records["3012.00001"] == record(1, updated=None)


def test_a_schema_2_file_is_read_as_it_was_and_written_as_schema_3(tmp_path):
    """Schema 2 wrote every field, null or not; schema 3 leaves out what a record does
    not know. The same records either way, and the commentaries kept."""
    path = tmp_path / "arxiv.json"
    old = {**record(1).to_json(), "comment": None, "journal_ref": None, "doi": None}
    path.write_text(json.dumps({"schema_version": 2, "papers": {"3012.00001": old},
                                "commentaries": {"3012.00001": "papers/one"}}))
    store = MetadataFile(path)
    before = store.load()
    assert store.save({"3012.00002": record(2)})
    written = json.loads(path.read_text())
    assert written["schema_version"] == SCHEMA_VERSION == 3
    assert "comment" not in written["papers"]["3012.00002"]
    after = store.load()
    assert after.records == {**before.records, "3012.00002": record(2)}
    assert after.commentaries == {"3012.00001": "papers/one"}


def test_the_schema_is_derived_from_the_record_fields():
    assert list(RECORD_SCHEMA["properties"]) == list(PaperRecord.__dataclass_fields__)
    # Exactly the fields without a default must be there.
    assert RECORD_SCHEMA["required"] == ["id", "title", "authors", "published"]
    assert RECORD_SCHEMA["properties"]["venue"] == {"type": ["string", "null"]}


@pytest.mark.parametrize(("date", "reason"), [
    ("2030-02-30", "day is out of range for month"),
    ("2030-13-01", "month must be in 1..12"),
    ("20301201", "is not a 'date'"),
    ("2030-12-01T00:00", "is not a 'date'"),
])
def test_dates_must_be_calendar_dates(date, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        PaperRecord.from_json({**record(1).to_json(), "updated": date})


def test_what_the_fetcher_produces_meets_the_file_schema(real_arxiv):
    """Every real recorded entry becomes a record that the file's schema takes as it is."""
    report = ArxivFetcher(real_arxiv.url, delay=0).fetch(real_arxiv.entries)
    assert len(report.records) >= 10 and not report.failures
    for rec in report.records.values():
        jsonschema.validate(rec.to_json(), RECORD_SCHEMA,
                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        assert PaperRecord.from_json(json.loads(json.dumps(rec.to_json()))) == rec


def _impossible_date_site(tmp_path):
    srcdir = copy_root("site", tmp_path)
    path = srcdir / "_data" / "arxiv.json"
    text = path.read_text(encoding="utf-8")
    alpha = text.index('"3012.00001": {')
    edited = text[:alpha] + text[alpha:].replace('"published": "2030-12-01"',
                                                 '"published": "2030-02-30"', 1)
    path.write_text(edited, encoding="utf-8")
    return srcdir, path


def _warning_about(stderr: str, path, arxiv_id: str) -> str:
    [line] = [line for line in stderr.splitlines() if "[paper.metadata_file]" in line]
    assert str(path) in line and repr(arxiv_id) in line and "2030-02-30" in line
    return line


def test_a_record_with_an_impossible_date_is_named_and_the_rest_builds(tmp_path):
    srcdir, path = _impossible_date_site(tmp_path)
    before = path.read_bytes()
    result = sphinx_build(srcdir, tmp_path / "out")
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    _warning_about(result.stderr, path, "3012.00001")
    beta = BeautifulSoup((tmp_path / "out" / "papers" / "beta.html").read_text(), "html.parser")
    card = beta.select_one("div.paper-card")
    assert card.select_one(".paper-card-title").get_text() == "Synthetic Paper Beta"
    assert "Author Number8" in card.select_one(".paper-card-authors").get_text()
    assert card.select_one("details.paper-card-abstract") is not None
    assert card.select_one("details.paper-card-bibtex pre").get_text().startswith("@misc{")
    assert path.read_bytes() == before


def test_a_save_keeps_the_bad_record_as_it_was(tmp_path, fake_arxiv):
    """arXiv has the paper and a new one is fetched: the hand-edited record is not replaced."""
    srcdir, path = _impossible_date_site(tmp_path)
    before = path.read_text(encoding="utf-8")
    start = before.index('    "3012.00001": {')
    bad_record = before[start:before.index("\n    }", start) + 6]
    fake_arxiv.add(synthetic_entry("3012.00001", "Synthetic Paper Alpha", ["Ada Example"]))
    fake_arxiv.add(synthetic_entry("3012.00009", "Synthetic Paper Nine", ["Ada Example"]))
    with (srcdir / "papers" / "beta.md").open("a") as page:
        page.write("\nBeta also cites {paper}`3012.00009`.\n")
    result = sphinx_build(srcdir, tmp_path / "out", "-D", "arxiv_offline=0",
                          "-D", f"arxiv_api_url={fake_arxiv.url}")
    assert result.returncode == 1, result.stderr
    _warning_about(result.stderr, path, "3012.00001")
    after = path.read_text(encoding="utf-8")
    assert "3012.00009" in json.loads(after)["papers"]  # the save did happen
    assert bad_record in after


def test_a_hand_edit_is_seen_by_the_next_build_whatever_it_kept(tmp_path):
    """A build keeps its last load of the file in the doctree folder; an edit that keeps
    the file's size and time to the second still reaches the next build, and a cache
    that cannot be read only means loading afresh."""
    srcdir, path = _impossible_date_site(tmp_path)
    fixed = path.read_text(encoding="utf-8").replace("2030-02-30", "2030-02-28")
    path.write_text(fixed, encoding="utf-8")
    first = sphinx_build(srcdir, tmp_path / "out")
    assert first.returncode == 0, first.stderr
    [cache] = (tmp_path / "out.doctrees").glob("*records*")

    stat = path.stat()
    path.write_text(fixed.replace("2030-02-28", "2030-02-30"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = sphinx_build(srcdir, tmp_path / "out")
    assert again.returncode == 1
    _warning_about(again.stderr, path, "3012.00001")

    path.write_text(fixed, encoding="utf-8")
    cache.write_bytes(b"not a pickle")
    repaired = sphinx_build(srcdir, tmp_path / "out")
    assert repaired.returncode == 0, repaired.stderr
    assert cache.read_bytes() != b"not a pickle"
