"""furo's sidebar, rendered once per build: furo's markup with our accessibility fixes, cut
when long."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import build, copy_root, sphinx_build
from test_incremental import output_differences

from furo_sidebar import ACCESSIBILITY_FIXES, AROUND, HEAD, LONGEST_LIST


def site(tmp_path, pages: int):
    srcdir = copy_root("navigation", tmp_path)
    (srcdir / "pages").mkdir(exist_ok=True)  # git keeps no empty folder
    for n in range(1, pages + 1):
        (srcdir / "pages" / f"page-{n:03d}.md").write_text(f"# Page {n}\n\nText.\n")
    return srcdir


def sidebar(outdir, docname: str):
    page = BeautifulSoup((outdir / f"{docname}.html").read_text(), "html.parser")
    return page.select_one(".sidebar-tree")


def canonical(tree) -> str:
    """The markup with each element's attributes in one order."""
    for tag in [tree, *tree.find_all(True)]:
        tag.attrs = dict(sorted(tag.attrs.items()))
    return str(tree)


def built_alone(srcdir: Path, *options: str) -> Path:
    """``srcdir`` built with -W, for a module's fixture; the output folder."""
    outdir = srcdir.with_name(srcdir.name + "-html")
    result = sphinx_build(srcdir, outdir, *options)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="module")
def short_sites(tmp_path_factory) -> tuple[Path, Path]:
    """A site of furo's own length, built with our sidebar and with furo's alone."""
    root = tmp_path_factory.mktemp("short")
    return (built_alone(site(root / "ours", LONGEST_LIST)),
            built_alone(site(root / "furo", LONGEST_LIST), "-D", "extensions=myst_parser"))


@pytest.fixture(scope="module")
def sixty_kept(tmp_path_factory) -> tuple[Path, Path]:
    """Sixty pages built once with -W: the folder they were built in, and a copy of it as
    the build left it, times and all, which the tests only read."""
    root = tmp_path_factory.mktemp("sixty")
    work, kept = root / "work", root / "kept"
    built_alone(site(work, 60))
    shutil.copytree(work, kept)
    return work, kept


@pytest.fixture(scope="module")
def sixty(sixty_kept) -> Path:
    """The sixty pages' output."""
    _, kept = sixty_kept
    return kept / "navigation-html"


@pytest.mark.parametrize("docname", ["index", "pages/page-003", "about", "about/details"])
def test_short_site_gets_furos_sidebar_with_our_fixes(short_sites, docname):
    """A furo release that changes its markup fails here: ours would not follow."""
    ours, furos = short_sites
    furo_tree = sidebar(furos, docname)
    for selector, attributes in ACCESSIBILITY_FIXES.items():
        assert furo_tree.select(selector), f"furo has no {selector} any more"
        for tag in furo_tree.select(selector):
            tag.attrs.update(attributes)
    assert canonical(sidebar(ours, docname)) == canonical(furo_tree)


def test_long_lists_are_cut_around_the_current_page(sixty):
    tree = sidebar(sixty, "pages/page-030")
    links = [a.get_text() for a in tree.select("li.toctree-l1 > a")]
    assert links == [
        *(f"Page {n}" for n in range(1, HEAD + 1)), "… more",
        *(f"Page {n}" for n in range(30 - AROUND, 30 + AROUND + 1)), "… more",
        "About",
    ]
    # Where the reader is, and how to reach the rest: the page listing them all.
    current = tree.select_one("li.current-page > a")
    assert current.get_text() == "Page 30" and current["href"] == "#"
    assert {a["href"] for a in tree.select("li.paper-nav-more > a")} == {"../index.html"}
    # furo's collapsible markup, for the nested page.
    assert tree.select_one("li.has-children > input.toctree-checkbox")
    assert len(str(tree)) < 6000


def test_every_page_is_reachable(sixty):
    """From any page: its sidebar, or the index its '… more' links lead to."""
    index_links = {a["href"] for a in BeautifulSoup(
        (sixty / "index.html").read_text(), "html.parser").select("[role=main] a")}
    reachable = {a["href"].removeprefix("../") for a in sidebar(sixty, "pages/page-030").select("a")}
    reachable |= index_links
    assert {f"pages/page-{n:03d}.html" for n in range(1, 61)} <= reachable


def test_sidebar_does_not_grow_with_the_site(make_app, tmp_path, sixty):
    large = build(make_app, site(tmp_path, 120))
    assert large.warning.getvalue() == ""
    # The same page, twice the pages: the same sidebar.
    assert str(sidebar(large.outdir, "pages/page-030")) == str(sidebar(sixty, "pages/page-030"))


def _written(result) -> set[str]:
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", result.stdout))


@pytest.fixture
def sixty_as_built(sixty_kept) -> tuple[Path, Path]:
    """The sixty pages' source and output, put back as their build left them where it
    left them (Sphinx takes up a build only in the folders it was made in): each edit's
    test starts from that build."""
    work, kept = sixty_kept
    shutil.rmtree(work)
    shutil.copytree(kept, work)
    return work / "navigation", work / "navigation-html"


@pytest.mark.parametrize(("edit", "written"), [
    # A page added at the end of the list: the sidebars that show its neighbours, and
    # the page after it, whose link to the previous page is now to it.
    (lambda pages: (pages / "page-061.md").write_text("# Page 61\n\nText.\n"),
     {"index", "about", *(f"pages/page-{n:03d}" for n in range(60 - AROUND, 62))}),
    # Retitled in the middle: the pages around it, and the page listing it.
    (lambda pages: (pages / "page-030.md").write_text("# Page thirty\n\nText.\n"),
     {"index", *(f"pages/page-{n:03d}" for n in range(30 - AROUND, 30 + AROUND + 1))}),
    # Added at the head of the list, which every page shows: every page.
    (lambda pages: (pages / "page-000.md").write_text("# Page 0\n\nText.\n"),
     {"index", "about", "about/details", "tags/index", "years/index", "map",
      *(f"pages/page-{n:03d}" for n in range(0, 61))}),
])
def test_an_edit_writes_the_pages_whose_sidebar_it_changed_and_no_more(
        tmp_path, sixty_as_built, edit, written):
    """Sphinx writes only the pages it read (and their parents), and would leave the old
    sidebar on every other page; writing them all made a new commentary take minutes at
    10,000 pages. What is published equals a clean build's."""
    srcdir, outdir = sixty_as_built
    edit(srcdir / "pages")
    assert _written(sphinx_build(srcdir, outdir)) == written
    _written(sphinx_build(srcdir, tmp_path / "clean"))
    assert output_differences(outdir, tmp_path / "clean") == []
