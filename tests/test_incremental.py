"""What an incremental build publishes is what a clean build of the same sources would.

Whoever uploads ``_build/html`` after an edit publishes every file in it: a page left
from an earlier build (a deleted commentary, a tag no page has now, a draft still
listed) is published too. Real ``sphinx-build`` processes, serial and ``-j 2``, on the
tags test site (synthetic papers of December 3012).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers import ROOTS, sphinx_build

PAGES = ("a", "b", "c", "d")
#: Tags an edit may give a page: new ones, and spellings of the site's that differ by case.
TAGS = ("scaling", "Scaling", "vision", "transfer learning", "optimisation", "Optimisation")
#: What may differ between two builds of the same sources: when they were made.
_TIMES = re.compile(rb"<updated>[^<]*</updated>")


def output_differences(incremental: Path, clean: Path) -> list[str]:
    """The files that are in one folder only or differ, times aside; the doctrees are
    the build's own, not published."""
    def files(folder: Path) -> set[str]:
        return {path.relative_to(folder).as_posix() for path in folder.rglob("*")
                if path.is_file()}

    ours, theirs = files(incremental), files(clean)
    return ([f"only in the incremental build: {name}" for name in sorted(ours - theirs)]
            + [f"only in the clean build: {name}" for name in sorted(theirs - ours)]
            + [f"differs: {name}" for name in sorted(ours & theirs)
               if _TIMES.sub(b"", (incremental / name).read_bytes())
               != _TIMES.sub(b"", (clean / name).read_bytes())])


def _page(site: Path, name: str) -> Path:
    return site / "papers" / f"{name}.md"


def _set_draft(site: Path, name: str, draft: bool) -> None:
    page = _page(site, name)
    if page.is_file():
        text = page.read_text(encoding="utf-8").removeprefix("---\ndraft: true\n---\n")
        page.write_text(("---\ndraft: true\n---\n" if draft else "") + text, encoding="utf-8")


def _set_tags(site: Path, name: str, tags: tuple[str, ...]) -> None:
    page = _page(site, name)
    if page.is_file():
        text = re.sub(r"\n:tags:[^\n]*", "", page.read_text(encoding="utf-8"))
        if tags:
            text = re.sub(r"(```\{paper\} \S+)", rf"\1\n:tags: {', '.join(tags)}", text)
        page.write_text(text, encoding="utf-8")


def _delete(site: Path, name: str) -> None:
    _page(site, name).unlink(missing_ok=True)


def _rename(site: Path, name: str) -> None:
    if _page(site, name).is_file():
        _page(site, name).rename(_page(site, name + "-renamed"))


def _unclaim(site: Path, name: str) -> None:
    """The page stops claiming its paper: no card, the paper is only mentioned."""
    page = _page(site, name)
    if page.is_file():
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"```\{paper\} (\S+)\n(:tags:[^\n]*\n)?```",
                               r"On {paper}`\1`.", text), encoding="utf-8")


def _mention(site: Path, name: str, other: str, words: str) -> None:
    """The page's one sentence that mentions another page's paper, said anew: the other
    card quotes it, and both maps show the link."""
    page = _page(site, name)
    if page.is_file():
        text = re.sub(r"\nSee [^\n]*\n", "\n", page.read_text(encoding="utf-8"))
        paper = f"3012.{101 + PAGES.index(other):05d}"
        page.write_text(text + f"\nSee {{paper}}`{paper}` for {words}.\n", encoding="utf-8")


EDITS = st.one_of(
    st.tuples(st.just(_set_draft), st.sampled_from(PAGES), st.booleans()),
    st.tuples(st.just(_set_tags), st.sampled_from(PAGES),
              st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple)),
    st.tuples(st.just(_delete), st.sampled_from(PAGES)),
    st.tuples(st.just(_rename), st.sampled_from(PAGES)),
    st.tuples(st.just(_unclaim), st.sampled_from(PAGES)),
    st.tuples(st.just(_mention), st.sampled_from(PAGES), st.sampled_from(PAGES),
              st.sampled_from(("the method", "a counterpoint"))),
)


def _build(site: Path, jobs: str) -> None:
    # Not -W: an edit may leave an empty index or a tag's two spellings, which warn;
    # the property is about what is published either way.
    result = sphinx_build(site, site / "_build" / "html", "-j", jobs, strict=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> tuple[Path, Path]:
    """The tags site and its first build (serial, furo, into its ``_build``), kept
    aside: each test and example starts from a copy at the same path, so that its
    builds are incremental ones of that build."""
    base = tmp_path_factory.mktemp("incremental")
    site, kept = base / "site", base / "kept"
    shutil.copytree(ROOTS / "test-tags", site)
    _build(site, "1")
    site.rename(kept)
    return site, kept


def _restored(built_site: tuple[Path, Path]) -> Path:
    site, kept = built_site
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(kept, site)
    return site


@pytest.fixture
def site(built_site: tuple[Path, Path]) -> Path:
    """The tags site as its first build left it."""
    return _restored(built_site)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
# Each example is a few real builds (seconds each): a few examples, the same ones in
# every run (CI must not land or fail by chance; INCREMENTAL_EXAMPLES asks for more),
# and no shrinking, which would take minutes of builds: the failing sequence is
# printed as drawn.
@settings(max_examples=int(os.environ.get("INCREMENTAL_EXAMPLES", "5")), deadline=None,
          derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(EDITS, min_size=1, max_size=3))
def test_an_incremental_build_publishes_what_a_clean_build_does(built_site, jobs, edits):
    site = _restored(built_site)
    for edit, *arguments in edits:
        edit(site, *arguments)
        _build(site, jobs)
    incremental = site.with_name("incremental")
    shutil.rmtree(incremental, ignore_errors=True)
    (site / "_build").rename(incremental)
    _build(site, jobs)
    assert output_differences(incremental / "html", site / "_build" / "html") == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_draft_leaves_its_tag_and_year_pages_and_feeds(site, jobs):
    """The reported case: a commentary made a draft after a build."""
    out = site / "_build" / "html"
    listings = ("tags/scaling.html", "tags/scaling.xml", "tags/transfer-learning.html",
                "years/2030.html", "index.html", "atom.xml")
    for page in listings:
        assert "Paper B" in (out / page).read_text(encoding="utf-8"), page
    _set_draft(site, "b", True)
    _build(site, jobs)
    for page in listings[:2] + listings[3:]:
        assert "Paper B" not in (out / page).read_text(encoding="utf-8"), page
    # Paper B was the tag's one commentary: its page and feed are gone.
    assert not (out / "tags" / "transfer-learning.html").exists()
    assert not (out / "tags" / "transfer-learning.xml").exists()


@pytest.mark.parametrize("theme", ["furo", "alabaster"])
def test_a_draft_leaves_the_navigation_of_every_page(site, tmp_path, theme):
    """Under furo, furo_sidebar writes the pages whose sidebar or previous and next links
    showed the draft; under a theme whose sidebar is the whole tree (alabaster's), every
    page. Either way, what is published is a clean build's."""

    def build(outdir: Path) -> None:
        result = sphinx_build(site, outdir, "-D", f"html_theme={theme}", strict=False)
        assert result.returncode == 0, result.stderr

    # The site's own theme is furo, which its first build had; another starts afresh.
    outdir = site / "_build" / "html"
    if theme != "furo":
        shutil.rmtree(site / "_build")
        build(outdir)
    assert "Paper B" in (outdir / "papers" / "d.html").read_text()
    _set_draft(site, "b", True)
    build(outdir)
    # The clean build's sources are the site's, without the builds kept in it.
    published = (site / "_build").rename(tmp_path / "published") / outdir.name
    build(tmp_path / "clean")
    assert output_differences(published, tmp_path / "clean") == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_tag_gone_from_a_fresh_environment_is_no_crash(site, jobs):
    """The environment lost (a moved folder, a deleted pickle), then a tag renamed: the
    last build's page of the old tag is neither read nor published."""
    out = site / "_build" / "html"
    (site / "_build" / "html.doctrees" / "environment.pickle").unlink()
    _set_tags(site, "b", ("scaling", "transfer"))
    result = sphinx_build(site, out, "-j", jobs)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "mlcommentary-pages" not in result.stderr
    assert not (out / "tags" / "transfer-learning.html").exists()
    assert not (out / "tags" / "transfer-learning.xml").exists()
    assert "Paper B" in (out / "tags" / "transfer.html").read_text(encoding="utf-8")


def test_the_extensions_new_styles_replace_an_earlier_builds(site):
    """After an upgrade of the extension its CSS differs from what the last build copied:
    the next build copies it again, with no warning (-W would fail the build on one)."""
    outdir = site / "_build" / "html"
    styles = outdir / "_static" / "paper-math.css"
    current = styles.read_text(encoding="utf-8")
    styles.write_text("/* an earlier version's styles */\n", encoding="utf-8")
    result = sphinx_build(site, outdir)
    assert result.returncode == 0, result.stderr
    assert styles.read_text(encoding="utf-8") == current
