"""Parallel and incremental builds, and the non-HTML builders."""

from __future__ import annotations

import functools
import gc
import json
import os
import re
import subprocess
import sys
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docutils import nodes
from helpers import (build, copy_root, process_environment, read_in_order, sphinx_build, written,
                     written_in_order)
from mlcommentary.buildscale import builder, collector
from mlcommentary.buildscale.builder import LARGE_PAGE, HTMLBuilder, spread
from mlcommentary.buildscale.templates import SHARED_FOLDER_VARIABLE
from mlcommentary.data.bibtex import bibtex_entry, surname
from mlcommentary.data.ids import parse_paper_id
from mlcommentary.data.metadata import PaperRecord
from mlcommentary.data.tags import tag_key
from mlcommentary.data.tex import segments
from mlcommentary.internals import ENV_PER_PAGE
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxParallelError
from sphinx.testing.util import SphinxTestApp
from sphinx.util.parallel import make_chunks


def pages(outdir) -> dict[str, str]:
    return {str(p.relative_to(outdir)): p.read_text() for p in sorted(outdir.rglob("*.html"))}


@pytest.fixture(scope="module")
def serial_pages(tmp_path_factory) -> dict[str, str]:
    """The test site's pages, built serially: the parallel writer's large pages do
    not come into it."""
    app = SphinxTestApp("html", srcdir=copy_root("site", tmp_path_factory.mktemp("serial")))
    app.build()
    app.cleanup()
    assert app.warning.getvalue() == ""
    return pages(app.outdir)


@pytest.mark.parametrize("large_page", [LARGE_PAGE, 0])
def test_parallel_build_gives_the_same_pages(make_app, tmp_path, monkeypatch, large_page,
                                             serial_pages):
    """Also when every page waits for its writer as a pickle (0), as large ones do."""
    monkeypatch.setattr("mlcommentary.buildscale.builder.LARGE_PAGE", large_page)
    parallel = build(make_app, copy_root("site", tmp_path / "parallel"), parallel=2)
    assert parallel.is_parallel_allowed("read") and parallel.is_parallel_allowed("write")
    assert parallel.warning.getvalue() == ""
    assert pages(parallel.outdir) == serial_pages
    # The backlink from beta, read in the other process, reached alpha.
    assert 'Discussed in' in pages(parallel.outdir)["papers/alpha.html"]
    assert 'href="beta.html"' in pages(parallel.outdir)["papers/alpha.html"]



@pytest.mark.parametrize("parallel", [1, 2])
def test_doctrees_wait_on_disk_not_in_memory(make_app, tmp_path, parallel):
    """At 10,000 commentaries, the doctrees Sphinx held between reading and writing
    were most of the build's memory."""
    app = make_app("html", srcdir=copy_root("site", tmp_path), parallel=parallel)
    held_after_reading = []
    app.connect("env-updated", lambda app, env: held_after_reading.append(
        len(env._write_doc_doctree_cache)), priority=900)
    app.build()
    app.cleanup()
    assert app.warning.getvalue() == ""
    assert held_after_reading == [0]
    # None of the pages written is still held as bytes either (with -j 2, the main
    # process loads each one to hand it to a writer).
    assert {"papers/alpha", "papers/beta", "index"}.isdisjoint(app.env._pickled_doctree_cache)
    assert "Discussed in" in (app.outdir / "papers" / "alpha.html").read_text()


def site_of_many_pages(tmp_path):
    """The test site and 120 short pages: enough for four chunks of a -j 2 build."""
    srcdir = copy_root("site", tmp_path)
    (srcdir / "notes").mkdir()
    for n in range(120):
        (srcdir / "notes" / f"note-{n:03d}.md").write_text(
            f"---\norphan: true\n---\n# Note {n}\n\nSome prose.\n")
    return srcdir


def built_with_a_slow_writer(app, on_resolved):
    """``app``, the many-page site with -j 2, built with its writer slowed so that the
    main process is ahead of it, and ``on_resolved`` called as each page is resolved:
    the page written first and the chunks, as the builder made them."""
    assert isinstance(app.builder, HTMLBuilder)
    main = os.getpid()

    def slow_writer(*args: object) -> None:
        if os.getpid() != main:
            time.sleep(0.03)

    app.connect("html-page-context", slow_writer)
    app.connect("doctree-resolved", on_resolved)
    app.build()
    app.cleanup()
    assert app.warning.getvalue() == ""
    docnames = sorted(app.env.found_docs)
    first, chunks = spread(docnames, set(app.env.domains["paper"].listings(docnames)), 1)
    assert len(chunks) >= 4
    return first, chunks


@dataclass
class SlowlyWritten:
    """One build of the many-page site with -j 2 and a slowed writer, and what was
    noted during it."""

    app: SphinxTestApp
    first: str
    chunks: list[list[str]]
    #: For each reading process, the pages it read and what it sent of each table.
    sent: list[tuple[set[str], dict[str, set[str]]]] = field(default_factory=list)
    #: For each page, the pages written by the time it was resolved.
    written_by: dict[str, set[str]] = field(default_factory=dict)
    #: For each page, the pages resolved before it still alive, and the collector's
    #: frozen count, as it was resolved.
    when_resolved: dict[str, tuple[set[str], int]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def slowly_written(tmp_path_factory):
    """Built as ``sphinx-build`` builds it, so buildscale's collector runs as an author's
    build runs it; each test below asks something else of the same build."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", [str(Path(sys.executable).with_name("sphinx-build"))])
        app = SphinxTestApp("html", srcdir=site_of_many_pages(tmp_path_factory.mktemp("many")),
                            parallel=2)
    noted = SlowlyWritten(app, "", [])
    resolved: dict[str, weakref.ref] = {}

    def note_sent(app, env, docnames, other) -> None:
        noted.sent.append((set(docnames), {name: set(getattr(other, name))
                                           for name in ENV_PER_PAGE
                                           if name != "files_to_rebuild"}))

    def note_resolved(app, doctree, docname: str) -> None:
        noted.written_by[docname] = {
            page.relative_to(app.outdir).with_suffix("").as_posix()
            for page in app.outdir.rglob("*.html")}
        noted.when_resolved[docname] = ({name for name, page in resolved.items() if page()},
                                        gc.get_freeze_count())
        resolved[docname] = weakref.ref(doctree)

    app.connect("env-merge-info", note_sent)
    was_enabled, thresholds = gc.isenabled(), gc.get_threshold()
    try:
        noted.first, noted.chunks = built_with_a_slow_writer(app, note_resolved)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if was_enabled:
            gc.enable()
    return noted


@pytest.mark.slow  # paced by sleeps, so that one process runs ahead
def test_a_reading_process_sends_back_only_the_pages_it_read(slowly_written):
    """Each sent back every page read before it was forked: at 10,000 pages the main
    process spent 42 s unpickling them. The pages are the same (the test above)."""
    sent = slowly_written.sent
    assert len(sent) >= 3
    for docnames, tables in sent:
        for name, pages in tables.items():
            assert pages <= docnames, name
    # Each chunk's own: every page's title came back from the process that read it.
    assert set().union(*(tables["titles"] for _, tables in sent)) == set().union(
        *(docnames for docnames, _ in sent))


@pytest.mark.slow  # paced by sleeps, so that one process runs ahead
def test_the_main_process_resolves_at_most_one_chunk_ahead_of_the_writers(slowly_written):
    """With -j 2, Sphinx's main process had resolved the whole site by the time its one
    writer was half done: at 10,000 commentaries it held 1.3 GB."""
    first, chunks, written_by = (slowly_written.first, slowly_written.chunks,
                                 slowly_written.written_by)
    # While it resolves chunk k, chunk k - 1 is being written, and all before it are.
    for k in range(2, len(chunks)):
        done = {first}.union(*chunks[:k - 1])
        assert all(done <= written_by[docname] for docname in chunks[k]), k
    app = slowly_written.app
    assert len(list(app.outdir.rglob("*.html"))) >= len(app.env.found_docs)


@pytest.mark.slow  # paced by sleeps, so that one process runs ahead
def test_the_main_process_lets_a_chunk_go_once_its_writer_has_it(make_app, tmp_path):
    """Sphinx keeps a chunk's resolved pages in the main process until they are written,
    for a callback that does not use them: with -j 2, two chunks at a time, which each of
    the collector's full passes walked (56 s of the main process's 155 s of writing at
    10,000 commentaries). A build of its own: its pass at every page would hide what
    the collector's own passes free."""
    resolved: dict[str, weakref.ref] = {}
    alive_when_resolved: dict[str, set[str]] = {}

    def note_alive(app, doctree, docname: str) -> None:
        gc.collect()
        alive_when_resolved[docname] = {name for name, page in resolved.items() if page()}
        resolved[docname] = weakref.ref(doctree)

    app = make_app("html", srcdir=site_of_many_pages(tmp_path), parallel=2)
    # What the test process held before the build stays out of the passes above: each
    # walks only what the build made, not every module and fixture of the session.
    gc.freeze()
    try:
        _first, chunks = built_with_a_slow_writer(app, note_alive)
    finally:
        gc.unfreeze()
    # As chunk k is resolved, chunk k - 1 is being written: the main process holds none
    # of it, nor of any chunk before.
    for k in range(1, len(chunks)):
        assert not alive_when_resolved[chunks[k][0]] & set().union(*chunks[:k]), k


@pytest.mark.slow  # paced by sleeps, so that one process runs ahead
def test_the_collector_frees_each_chunk_handed_over_and_freezes_what_lives(slowly_written):
    """A resolved page is a web of references that only the collector frees, and by the
    time its writer has it, it is old enough to wait for a full pass. Those passes also
    walked all the caches that resolving had filled: at 10,000 commentaries with -j 2,
    23 passes took 28 s of the main process's 132 s of writing."""
    chunks, when_resolved = slowly_written.chunks, slowly_written.when_resolved
    for k in range(1, len(chunks)):
        alive, frozen = when_resolved[chunks[k][0]]
        # Freed without a pass of the test's own, and what outlived them frozen.
        assert not alive & set().union(*chunks[:k]), k
        assert frozen > when_resolved[chunks[k - 1][-1]][1], k


def test_the_listings_are_spread_over_the_chunks_and_none_is_written_first() -> None:
    """In Sphinx's order a site's listings came last, in one chunk, and the home page
    first: the main process resolved the one, and then the other alone, while the
    writer waited."""
    docnames = ["index", *(f"papers/{n:03d}" for n in range(200)), "tags/a", "tags/b"]
    first, chunks = spread(docnames, {"index", "tags/a", "tags/b"}, 1)
    assert first == "papers/000"
    # Neither in the first chunk, which the writer waits for, nor in the last, which the
    # main process waits for.
    assert [chunk[0] for chunk in chunks[1:4]] == ["index", "tags/a", "tags/b"]
    assert all(chunk[0].startswith("papers/") for chunk in (chunks[0], *chunks[4:]))
    # Every page once; the rest in Sphinx's order and chunks.
    assert sorted([first, *(d for chunk in chunks for d in chunk)]) == sorted(docnames)
    assert [[d for d in chunk if d.startswith("papers/")] for chunk in chunks] == make_chunks(
        [f"papers/{n:03d}" for n in range(1, 200)], 1)
    # A site of one chunk: the large pages go in it all the same, first.
    assert spread(["a", "b", "c", "d", "e", "f"], {"a", "e"}, 1) == ("b", [["a", "e", "c", "d", "f"]])


def test_a_serial_build_writes_the_listings_first(make_app, tmp_path):
    """Written last, as their names put them (tags/, years/), each listing came on top
    of all that writing had gathered: at 10,000 commentaries the build peaked at
    1,017 MB writing them (Python 3.13), and at 732 MB written first."""
    app = build(make_app, copy_root("site", tmp_path))
    order = written_in_order(app)
    listings = app.env.domains["paper"].listings(order)
    assert {"index", "map", "tags/vision"} <= set(listings)
    assert order[:len(listings)] == sorted(listings)
    assert sorted(order) == sorted(app.env.found_docs)


def test_a_writer_that_fails_fails_the_build(make_app, tmp_path):
    """The main process now waits for its writers: a writer's error ends the wait."""
    app = make_app("html", srcdir=site_of_many_pages(tmp_path), parallel=2)
    main = os.getpid()

    def break_a_page(app, pagename: str, *args: object) -> None:
        if os.getpid() != main and pagename == "notes/note-060":
            raise RuntimeError("the writer broke")

    app.connect("html-page-context", break_a_page)
    with pytest.raises(SphinxParallelError, match="the writer broke"):
        app.build()
    app.cleanup()
    assert not (app.outdir / "notes" / "note-060.html").exists()


@pytest.mark.slow  # paced by sleeps, so that one process runs ahead
def test_a_writer_that_fails_while_the_next_chunk_is_handed_over_fails_the_build(
        make_app, tmp_path, monkeypatch):
    """Sphinx's ``add_task`` ends the other writers and goes on when the result it polls
    for is a writer's error: the build then ended without the chunk's pages and without
    an error. Here the first chunk's writer fails while the main process still resolves
    the second, so the error arrives as the second is handed over."""
    app = make_app("html", srcdir=site_of_many_pages(tmp_path), parallel=2)
    main = os.getpid()
    # The chunks as the builder makes them, once it knows the listings.
    planned = []
    monkeypatch.setattr(builder, "spread", lambda *args: planned.append(spread(*args))
                        or planned[0])

    def break_a_page(app, pagename: str, *args: object) -> None:
        if os.getpid() != main and pagename == planned[0][1][0][0]:
            raise RuntimeError("the writer broke")

    def slow_resolving(app, doctree, docname: str) -> None:
        if os.getpid() == main and planned and docname in planned[0][1][1]:
            time.sleep(0.05)

    app.connect("html-page-context", break_a_page)
    app.connect("doctree-resolved", slow_resolving)
    with pytest.raises(SphinxParallelError, match="the writer broke"):
        app.build()
    app.cleanup()


def test_rendering_a_title_leaves_it_in_the_environment_alone(make_app, tmp_path):
    """Sphinx's ``render_partial`` left each page's title in a document of its own, kept
    alive by the environment: at 10,000 commentaries, 10,000 documents that each of the
    collector's full passes walked."""
    app = build(make_app, copy_root("site", tmp_path))
    assert app.warning.getvalue() == ""
    titles = [*app.env.titles.values(), *app.env.longtitles.values()]
    assert len(titles) > 4
    assert all(title.parent is None and title.document is None for title in titles)


def test_a_title_is_rendered_once_for_all_the_pages_that_show_it(make_app, tmp_path,
                                                                   monkeypatch):
    """A page's title is its page's, the previous page's "next", the next page's
    "previous", and every child's parent: at 10,000 pages, rendering it each time took
    most of 10 s. Rendered again only from another folder, where an image's address in
    it (imgmath's) is another."""
    rendered: list[str] = []
    sphinx_rendering = StandaloneHTMLBuilder.render_partial

    def counted(builder, node):  # noqa: ANN001, ANN202
        if isinstance(node, nodes.title):
            rendered.append(node.astext())
        return sphinx_rendering(builder, node)

    monkeypatch.setattr(StandaloneHTMLBuilder, "render_partial", counted)
    app = build(make_app, copy_root("site", tmp_path))
    assert app.warning.getvalue() == ""
    home = app.env.titles["index"]
    children = [docname for docname, (parent, _, _) in app.builder.relations.items()
                if parent == "index"]
    assert len(children) >= 3
    depths = {app.builder.get_target_uri(child).count("/") for child in children}
    assert rendered.count(home.astext()) <= 1 + len(depths)

    rendered.clear()
    title = home.deepcopy()
    app.builder.imgpath = "_images"
    markup = app.builder.render_partial(title)
    assert app.builder.render_partial(title) == markup
    app.builder.imgpath = "../../_images"
    assert app.builder.render_partial(title) == markup
    assert rendered == [title.astext()] * 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_skips_the_loaded_environment_and_is_left_as_found(
        make_app, tmp_path, enabled, monkeypatch):
    """Each full pass of CPython's collector walked the whole loaded environment: at
    10,000 commentaries, a fifth of a one-page edit; and of a cold build, what it read."""
    # As in `sphinx-build`'s process, the only one the collector is changed in.
    monkeypatch.setattr(sys, "argv", [str(Path(sys.executable).with_name("sphinx-build"))])
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    with (srcdir / "papers" / "alpha.md").open("a") as page:
        page.write("\nOne more sentence of prose.\n")
    was_enabled, thresholds = gc.isenabled(), gc.get_threshold()
    if not enabled:
        gc.disable()
    try:
        app = make_app("html", srcdir=srcdir)  # loads the environment, readies the builder
        assert not app.fresh_env_used
        pages = app.env.domains["paper"].data["pages"]
        assert gc.is_tracked(pages)
        # Frozen: no generation holds it, so no pass walks it.
        assert gc.get_freeze_count() > 0
        assert not any(tracked is pages for tracked in gc.get_objects())
        assert gc.isenabled() == enabled
        # What reading added is frozen too, before the pages are written.
        after_reading = []
        app.connect("env-get-updated", lambda app, env: after_reading.append(not any(
            tracked is env.domains["paper"].data["pages"]["papers/alpha"]
            for tracked in gc.get_objects())) or [])
        # And what was made after that (the paper search's documents), once writing
        # starts: else its garbage shifted the passes that free the written pages.
        made_after_reading: list[list] = []
        app.connect("env-get-updated", lambda app, env: made_after_reading.append([]) or [])
        # A full pass only every FULL_PASS_AFTER collections of the middle generation.
        while_writing = []
        app.connect("doctree-resolved", lambda *args: while_writing.append((
            gc.get_threshold(), not any(tracked is made_after_reading[0]
                                        for tracked in gc.get_objects()))))
        app.build()
        app.cleanup()
        assert after_reading == [True]
        assert while_writing == [((*thresholds[:2], collector.FULL_PASS_AFTER), True)]
        assert gc.get_freeze_count() == 0
        assert gc.isenabled() == enabled
        assert gc.get_threshold() == thresholds
    finally:
        # Should an assertion fail mid-build, the rest of the session collects as usual.
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if was_enabled:
            gc.enable()
    assert app.warning.getvalue() == ""
    assert written(app) == ["papers/alpha"]
    assert "One more sentence of prose." in (app.outdir / "papers" / "alpha.html").read_text()


_LEFT_AT_EXIT = """
import os, sys
from sphinx.cmd.build import main

class Left:
    def __del__(self, write=os.write):
        write(1, b"finalized at exit")

if sys.argv[1] == "command-line":  # the process as the sphinx-build script starts it
    sys.argv[0] = os.path.join(os.path.dirname(sys.executable), "sphinx-build")
status = main(sys.argv[2:]) if len(sys.argv) > 2 else 0
left = Left()
left.itself = left  # a cycle: only the collector frees it
del left
sys.exit(status)
"""


def test_the_process_leaves_what_is_left_at_exit_to_the_operating_system(tmp_path):
    """The collector's last pass freed a 10,000-commentary build object by object at
    exit: 2.3 s of a 9 s edit."""
    script = tmp_path / "build.py"
    script.write_text(_LEFT_AT_EXIT)
    run = functools.partial(subprocess.run, capture_output=True, text=True, timeout=600,
                            env=process_environment())
    # Without a build, the last pass finalizes what is left.
    assert run([sys.executable, str(script), "hosted"]).stdout == "finalized at exit"
    srcdir = copy_root("site", tmp_path)
    for how, left in (("command-line", ""), ("hosted", "finalized at exit")):
        built = run([sys.executable, str(script), how, "-q", "-N", "-b", "html",
                     str(srcdir), str(tmp_path / how)])
        assert built.returncode == 0, built.stderr
        # A process that only hosts the build collects at exit as it always does.
        assert built.stdout == left, how
        assert (tmp_path / how / "papers" / "alpha.html").is_file()


def test_a_process_that_hosts_a_build_keeps_its_collector_as_it_was(make_app, tmp_path):
    kept = [object() for _ in range(3)]
    gc.freeze()  # the host's own long-lived objects
    try:
        app = build(make_app, copy_root("site", tmp_path))
        assert app.warning.getvalue() == ""
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # not unfrozen by the build
    finally:
        gc.unfreeze()
    assert kept



def test_a_process_that_hosts_a_build_keeps_none_of_its_answers(make_app, tmp_path):
    """The TeX, IDs, tags, surnames and BibTeX worked out for a build's pages are
    remembered while it runs, and forgotten when it ends: the next build in the same
    process (an edit in sphinx-autobuild, the next test) may be of another site."""
    remembered = (segments, parse_paper_id, tag_key, surname, bibtex_entry)
    app = make_app("html", srcdir=copy_root("site", tmp_path))
    while_built = []
    app.connect("build-finished", lambda app, exception: while_built.extend(
        function.cache_info().currsize for function in remembered))
    app.build()
    app.cleanup()
    assert app.warning.getvalue() == ""
    assert all(while_built), while_built
    assert [function.cache_info().currsize for function in remembered] == [0] * 5

def test_new_reference_rewrites_the_referenced_papers_page(make_app, tmp_path):
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    with (srcdir / "papers" / "alpha.md").open("a") as page:
        page.write("\nAlpha also cites {paper}`3012.00002`.\n")

    app = build(make_app, srcdir)
    assert app.warning.getvalue() == ""
    # alpha was edited; beta's card now lists alpha; the map draws an arc between
    # them; nothing else changed.
    assert written(app) == ["map", "papers/alpha", "papers/beta"]
    beta = (app.outdir / "papers" / "beta.html").read_text()
    assert re.search(r"Discussed in.*?href=\"alpha.html\"", beta, re.S)


def test_pages_with_toctrees_are_read_last(make_app, tmp_path):
    """Read before the commentaries, the home page's toctree made reading each of them
    go through every entry of it: quadratic."""
    srcdir = copy_root("site", tmp_path)
    app = build(make_app, srcdir)
    read = read_in_order(app)
    assert read[-1] == "index" and set(read) >= {"index", "papers/alpha", "papers/beta"}
    # A page added: the home page's glob toctree is read again, after it.
    (srcdir / "papers" / "gamma.md").write_text("# Gamma\n\n```{paper} 3012.00003\n```\n")
    assert read_in_order(build(make_app, srcdir)) == ["papers/gamma", "index"]


def test_prose_edit_rewrites_only_that_page(make_app, tmp_path):
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    page = srcdir / "papers" / "alpha.md"
    page.write_text("Some new prose at the top.\n\n" + page.read_text())
    app = build(make_app, srcdir)
    # Not the index: its toctree shows alpha's title and sections, which are as they were.
    assert written(app) == ["papers/alpha"]



def test_the_edit_after_a_full_build_finds_the_metadata_file_in_the_cache(make_app, tmp_path, monkeypatch):
    """A full build notes its pages in the metadata file; the author's first edit after
    it used to compare every record with the cached load (2 s at 20,000 records)."""
    srcdir = copy_root("site", tmp_path)
    metadata = srcdir / "_data" / "arxiv.json"
    document = json.loads(metadata.read_text(encoding="utf-8"))
    del document["commentaries"]
    metadata.write_text(json.dumps(document, indent=2), encoding="utf-8")
    build(make_app, srcdir)
    assert "commentaries" in json.loads(metadata.read_text(encoding="utf-8"))
    compared = []
    to_json = PaperRecord.to_json
    monkeypatch.setattr(PaperRecord, "to_json",
                        lambda record: compared.append(record.id) or to_json(record))
    page = srcdir / "papers" / "alpha.md"
    page.write_text(page.read_text() + "\nMore prose.\n")
    app = build(make_app, srcdir)
    assert app.warning.getvalue() == ""
    assert compared == [] and written(app) == ["papers/alpha"]

@pytest.mark.parametrize("edit", ["# Alpha, renamed", "## A new section"])
def test_an_edit_to_what_a_toctree_shows_rewrites_the_toctrees_page(make_app, tmp_path, edit):
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    page = srcdir / "papers" / "alpha.md"
    text = page.read_text()
    page.write_text(text.replace("# Alpha", edit, 1) if edit.startswith("# ")
                    else f"{text}\n{edit}\n\nMore prose.\n")
    app = build(make_app, srcdir)
    # A new title shows in the sidebar of every page: all are written again, as a
    # clean build would write them; a section shows in the index's toctree only.
    assert written(app) == (sorted(app.env.found_docs) if edit.startswith("# ")
                            else ["index", "papers/alpha"])
    index = (app.outdir / "index.html").read_text()
    assert edit.lstrip("# ") in index.split('<div class="toctree-wrapper')[1]
    # An edit after it that changes neither leaves the index alone again.
    page.write_text(page.read_text() + "\nMore prose.\n")
    assert written(build(make_app, srcdir)) == ["papers/alpha"]


def test_new_commentary_turns_arxiv_links_into_site_links(make_app, tmp_path):
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    (srcdir / "papers" / "gamma.md").write_text("# Gamma\n\n```{paper} 3012.00003\n```\n")
    app = build(make_app, srcdir)
    # A new page in the sidebar of every page: all are written again (alpha links to
    # gamma's paper, the index and the year's page list it, among them).
    assert written(app) == sorted(app.env.found_docs)
    alpha = (app.outdir / "papers" / "alpha.html").read_text()
    assert 'href="gamma.html#paper-3012-00003"' in alpha
    assert "https://arxiv.org/abs/3012.00003" not in alpha.split('class="paper-card')[0]


def test_edited_metadata_rewrites_the_pages_showing_it(make_app, tmp_path):
    srcdir = copy_root("site", tmp_path)
    build(make_app, srcdir)
    metadata = srcdir / "_data" / "arxiv.json"
    metadata.write_text(metadata.read_text().replace("Synthetic Paper Alpha", "Alpha, Renamed"))
    app = build(make_app, srcdir)
    # Its card, the page linking to it, the paper indexes that list it (its tags'
    # and its year's pages among them) and the map; not the tags' and years' own
    # lists, which show no titles, though Sphinx alone would write them again as
    # those pages' toctrees.
    assert written(app) == ["index", "map", "papers/alpha", "papers/beta", "tags",
                            "tags/scaling", "tags/vision", "years/2030"]
    assert "Alpha, Renamed" in (app.outdir / "papers" / "beta.html").read_text()


@pytest.mark.sphinx("text", testroot="site")
def test_text_shows_a_plain_citation(app):
    app.build()
    assert app.warning.getvalue() == ""
    beta = (app.outdir / "papers" / "beta.txt").read_text()
    assert "Synthetic Paper Beta" in beta
    # Every author, the abstract and the BibTeX, nothing folded away.
    assert "Author Number8" in beta and "Synthetic abstract of Synthetic Paper Beta." in beta
    assert "@misc{number12030synthetic," in beta
    assert "Submitted: 15 Dec 2030; v3 of 16 Dec 2030 Categories" in " ".join(beta.split())
    assert "This commentary cites v2; the latest is v3, 16 Dec 2030." in " ".join(beta.split())
    # No pills in plain text: commas tell the tags apart.
    alpha = " ".join((app.outdir / "papers" / "alpha.txt").read_text().split())
    assert "Tags: vision, scaling" in alpha


@pytest.mark.sphinx("latex", testroot="site")
def test_latex_builds_with_cards(app):
    app.build()
    assert app.warning.getvalue() == ""
    tex = next(app.outdir.glob("*.tex")).read_text()
    assert "Synthetic Paper Beta" in tex and "Author Number8" in tex
    assert r"\sphinxhref{https://arxiv.org/abs/3012.00002v2}{arXiv:3012.00002v2}" in tex
    # Each card is a reference target (tests/test_pdf_epub.py compiles the links).
    assert r"\phantomsection\label{\detokenize{papers/beta:paper-3012-00002}}" in tex
    assert "details" not in tex


@pytest.mark.sphinx("epub", testroot="site")
def test_epub_builds_without_interactive_parts(app):
    app.build()
    assert app.warning.getvalue() == ""
    beta = (app.outdir / "papers" / "beta.xhtml").read_text()
    assert "Synthetic Paper Beta" in beta and "Author Number8" in beta
    assert "<details" not in beta


def _files(outdir: Path) -> dict[Path, bytes]:
    return {path.relative_to(outdir): path.read_bytes() for path in outdir.rglob("*")
            if path.is_file() and path.name != ".buildinfo"}


@pytest.fixture(scope="module")
def sphinx_alone(tmp_path_factory) -> dict[Path, bytes]:
    """The test site without ``mlcommentary.buildscale``, built serially by Sphinx."""
    root = tmp_path_factory.mktemp("without")
    srcdir = copy_root("site", root)
    conf = srcdir / "conf.py"
    conf.write_text(conf.read_text().replace(', "mlcommentary.buildscale"', ""))
    assert "buildscale" not in conf.read_text()
    result = sphinx_build(srcdir, root / "html")
    assert result.returncode == 0, result.stderr
    return _files(root / "html")


@pytest.mark.parametrize("parallel", [1, 2])
def test_buildscale_writes_the_same_site_as_sphinx_alone(tmp_path, parallel, sphinx_alone):
    """``mlcommentary.buildscale`` changes what a build holds and walks, never what it
    writes: the site with it, serial or parallel, and without it, file for file."""
    result = sphinx_build(copy_root("site", tmp_path), tmp_path / "html", "-j", str(parallel))
    assert result.returncode == 0, result.stderr
    written = _files(tmp_path / "html")
    assert len(written) > 10
    assert written == sphinx_alone


def test_templates_compiled_once_render_as_their_source_says(tmp_path, monkeypatch):
    """The second build renders furo's templates and the static files Sphinx renders
    from strings (``_t``) from what the first compiled, file for file the same; a
    template edited between builds is compiled again."""
    monkeypatch.delenv(SHARED_FOLDER_VARIABLE)
    srcdir = copy_root("tags", tmp_path)
    outdir, cache = tmp_path / "html", tmp_path / "html.doctrees" / "jinja-bytecode"
    # The site's own version of a template furo includes on every page, and a static
    # file of its own rendered as Sphinx renders basic.css_t.
    brand = srcdir / "_templates" / "sidebar" / "brand.html"
    brand.parent.mkdir(parents=True)
    brand.write_text('<p id="edition">{{ "first" }}</p>\n')
    static = srcdir / "_static" / "edition.css_t"
    static.parent.mkdir()
    static.write_text('/* {{ "first" }} edition of {{ project }} */\n')
    with (srcdir / "conf.py").open("a") as conf:
        conf.write('templates_path = ["_templates"]\nhtml_static_path = ["_static"]\n')

    def pages() -> dict[Path, bytes]:
        return {path.relative_to(outdir): path.read_bytes()
                for path in [*outdir.rglob("*.html"), *outdir.glob("_static/*.*s")]}

    assert sphinx_build(srcdir, outdir).returncode == 0
    compiled = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    first = pages()
    assert len(compiled) > 5 and b'<p id="edition">first</p>' in first[Path("index.html")]
    assert first[Path("_static/edition.css")] == b"/* first edition of Tags test */"
    result = sphinx_build(srcdir, outdir, "-E", "-a")
    assert result.returncode == 0, result.stderr
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == compiled
    assert pages() == first
    brand.write_text(brand.read_text().replace("first", "second"))
    static.write_text(static.read_text().replace("first", "second"))
    assert sphinx_build(srcdir, outdir).returncode == 0
    assert b'<p id="edition">second</p>' in pages()[Path("index.html")]
    assert pages()[Path("_static/edition.css")] == b"/* second edition of Tags test */"
    assert len(list(cache.iterdir())) == len(compiled) + 1


def test_a_site_with_its_own_template_bridge_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv(SHARED_FOLDER_VARIABLE)
    srcdir = copy_root("dates", tmp_path)
    with (srcdir / "conf.py").open("a") as conf:
        conf.write('template_bridge = "sphinx.jinja2glue.BuiltinTemplateLoader"\n')
    result = sphinx_build(srcdir, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "html" / "index.html").exists()
    assert not (tmp_path / "html.doctrees" / "jinja-bytecode").exists()


def test_builds_that_share_a_template_folder_compile_once(tmp_path):
    """Where the variable names a folder, a site built from an empty doctree folder
    renders from what another site's build compiled there, and writes the same pages."""
    shared = tmp_path / "compiled"
    first, second = copy_root("tags", tmp_path / "first"), copy_root("tags", tmp_path / "second")
    environ = {SHARED_FOLDER_VARIABLE: str(shared)}
    assert sphinx_build(first, tmp_path / "first-html", **environ).returncode == 0
    compiled = {path.name: path.stat().st_mtime_ns for path in shared.iterdir()}
    assert len(compiled) > 5
    assert sphinx_build(second, tmp_path / "second-html", **environ).returncode == 0
    assert {path.name: path.stat().st_mtime_ns for path in shared.iterdir()} == compiled
    assert not (tmp_path / "second-html.doctrees" / "jinja-bytecode").exists()
    assert _files(tmp_path / "second-html") == _files(tmp_path / "first-html")
