"""Accessible and valid, better than furo alone: axe, the Nu HTML Checker and the keyboard.

Every check reads the real site (conftest's ``built_site``) in Debian's Chromium, as
test_browser does; the HTML checker reads every page the build wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import JAVA_OPTIONS, copy_root, sphinx_build
from test_browser import AXE, CHROMIUM, browser, site_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.toolchain, pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install Debian's package (apt-get install chromium), as .ci/run does",
)]
#: The Nu HTML Checker is not vendored: `npm install vnu-jar` and point this at vnu.jar.
VNU_JAR = Path(os.environ.get("VNU_JAR", "node_modules/vnu-jar/build/dist/vnu.jar"))
COMMENTARY = "papers/exploring-the-limits-of-large-scale-pre-training.html"
#: Both searches with results, so that axe also sees what their scripts write (the
#: paper search's results and facets).
PAGES = ["index.html", COMMENTARY, "writing.html", "search.html?q=scaling",
         "paper-search.html?q=scaling", "404.html"]
#: A desktop and a phone: furo's drawers take over below 63em.
WIDTHS = [1280, 390]
#: Resolves once the page has drawn two more frames: its handlers of what changed before
#: (a resize, a scroll) have run by then.
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
#: axe's verdict, one line per failing element, for a readable assertion.
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(" ")}`))"""


def _tag_pages(outdir: Path) -> list[str]:
    """The generated pages of tags and years."""
    return sorted(str(p.relative_to(outdir))
                  for folder in ("tags", "years") for p in outdir.glob(f"{folder}/*.html"))


@pytest.fixture(scope="module")
def outdir(built_site) -> Path:
    return Path(built_site[0].outdir)


@pytest.fixture(scope="module")
def axe_js() -> str:
    if not AXE.is_file():
        pytest.skip(f"no axe-core at {AXE}: `npm install axe-core@4` and set AXE_CORE_JS "
                    "to its axe.min.js, as .ci/run does")
    return str(AXE)


def _open(browser, url: str, scheme: str, width: int):  # noqa: F811
    page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 800})
    page.goto(url)
    if "/search.html" in url:
        page.wait_for_selector("#search-results ul.search li")
    elif "paper-search.html" in url:
        page.wait_for_selector(".paper-search-facet")
    return page


def axe_in_every_view(page, axe_js: str,
                       then: Callable[[], None] = lambda: None) -> dict[tuple[str, int], list]:
    """axe's findings on ``page`` in each colour scheme and width (``then`` done in each
    before axe runs), as a reader sees it who switches the system's scheme and resizes
    the window: one load for the four views. A page opened for each took four times as
    long, three quarters of it loading the page and axe's own 0.5 MB of script."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=axe_js)
    found, backgrounds = {}, set()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            # The page's own resize handlers (which blocks scroll, and so take focus) run
            # in the next frame: axe run before them saw 390 px with 1280's answers.
            page.evaluate(NEXT_FRAMES)
            then()
            found[scheme, width] = page.evaluate(AXE_RUN)
    assert len(backgrounds) == 2, "the page did not change with the colour scheme"
    return {view: findings for view, findings in found.items() if findings}


def _as_read(page) -> None:
    """The page as a reader has it halfway through: every ``<details>`` open, a paper's
    preview showing if the page links one, and scrolled back up a little, which brings
    out furo's button back to the top."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    previewing = page.locator("a[aria-describedby^='paper-preview']").first
    if previewing.count():
        previewing.blur()
        previewing.focus()
        page.locator(".paper-preview:popover-open").wait_for()
    # Two scrolls in two frames: furo shows the button on a scroll up, past 64 px.
    # Instant: furo's smooth scrolling would be only a few pixels on its way.
    for top in ("document.documentElement.scrollHeight", "scrollY - 100"):
        page.evaluate(f'window.scrollTo({{top: {top}, behavior: "instant"}})')
        page.evaluate(NEXT_FRAMES)
    if page.evaluate("scrollY") > 64:
        page.locator("html.show-back-to-top").wait_for()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_nothing(browser, site_url, axe_js, path):  # noqa: F811
    """In every view, as loaded and as read."""
    page = _open(browser, site_url + path, "light", WIDTHS[0])
    loaded = axe_in_every_view(page, axe_js)
    read = axe_in_every_view(page, axe_js, lambda: _as_read(page))
    page.close()
    assert (loaded, read) == ({}, {})


def test_axe_finds_nothing_on_tag_and_year_pages(browser, site_url, outdir, axe_js):  # noqa: F811
    pages = _tag_pages(outdir)
    assert {"tags/index.html", "years/index.html"} <= set(pages)
    for path in pages:
        page = _open(browser, site_url + path, "light", WIDTHS[0])
        assert axe_in_every_view(page, axe_js) == {}, path
        page.close()


def _nu_errors(outdir: Path, pages: list[Path]) -> list[str]:
    """What the Nu HTML Checker finds in ``pages``, pages of ``outdir``."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.skip(f"no Nu HTML Checker: needs java (Debian default-jre-headless) and "
                    f"vnu.jar at {VNU_JAR} (`npm install vnu-jar`, then set VNU_JAR), "
                    "as .ci/run does")
    result = subprocess.run([java, *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--format", "json",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    return [f"{m['url'].removeprefix(outdir.as_uri())}:{m.get('lastLine')}: {m['message']}"
            for m in messages if m["type"] in ("error", "non-document-error")]


def test_every_page_is_valid_html(outdir):
    pages = sorted(outdir.rglob("*.html"))
    assert len(pages) >= 5
    assert _nu_errors(outdir, pages) == []


@pytest.fixture(scope="module")
def mapped_site(tmp_path_factory) -> Path:
    """The tags test root with commentaries that mention each other: maps on the
    commentaries, on the tag page and on the map page."""
    srcdir = copy_root("tags", tmp_path_factory.mktemp("maps"))
    for name, mentions in {"a": "3012.00102 3012.00103 3012.00104", "b": "3012.00101",
                           "c": "3012.00101 3012.00102"}.items():
        page = srcdir / "papers" / f"{name}.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nSee " + ", ".join(
            f"{{paper}}`{paper}`" for paper in mentions.split()) + ".\n", encoding="utf-8")
    outdir = srcdir.parent / "html"
    result = sphinx_build(srcdir, outdir)
    assert result.returncode == 0, result.stderr
    return outdir


def test_maps_pass_axe_and_the_nu_checker(browser, mapped_site, axe_js):  # noqa: F811
    for path in ("papers/a.html", "tags/scaling.html", "map.html"):
        page = _open(browser, mapped_site.joinpath(path).as_uri(), "light", WIDTHS[0])
        assert page.locator("svg.paper-map-picture").count() == 1, path
        assert axe_in_every_view(page, axe_js) == {}, path
        page.close()
    # The pages with maps: the root's index shows its toctree's caption as Sphinx writes
    # it (role="heading" with no level), which is not the maps' concern.
    assert _nu_errors(mapped_site, [*mapped_site.glob("papers/*.html"),
                                    *mapped_site.glob("tags/*.html"),
                                    mapped_site / "map.html"]) == []


def _tab_through(page, limit: int = 80, until_drawer: bool = False) -> list[dict]:
    """Each element Tab reaches, in order, until focus comes back round (or enters the
    sidebar drawer)."""
    reached = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const box = e.getBoundingClientRect();
            // The ring may be drawn on the element or on its child (a tag's pill).
            const ringed = [e, ...e.children].map(x => getComputedStyle(x)).some(style =>
                (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== "none");
            return {html: e.outerHTML.slice(0, 120), inDrawer: !!e.closest(".sidebar-drawer"),
                    onScreen: box.right > 0 && box.left < innerWidth && box.width > 0, ringed};
        }""")
        if focused is None or (reached and focused["html"] == reached[0]["html"]):
            break
        reached.append(focused)
        if until_drawer and focused["inDrawer"]:
            break
    return reached


def test_tab_skips_the_closed_drawer_on_a_phone(browser, site_url):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(site_url + COMMENTARY)
    reached = _tab_through(page)
    assert reached, "Tab reached nothing"
    assert [r["html"] for r in reached if r["inDrawer"] or not r["onScreen"]] == []
    # The keyboard opens it (its button is the first Tab stop), and then Tab goes into it.
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    menu = page.get_by_role("button", name="Site navigation")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Site navigation")
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(400)
    reached = _tab_through(page, until_drawer=True)
    assert reached[-1]["inDrawer"] and reached[-1]["onScreen"]
    # Escape closes it and gives the focus back to the button; Tab leaves the drawer again.
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Site navigation")
    page.wait_for_timeout(400)
    assert not any(r["inDrawer"] for r in _tab_through(page))
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_is_visible_everywhere(browser, site_url, scheme):  # noqa: F811
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 800})
    page.goto(site_url + COMMENTARY)
    reached = _tab_through(page)
    assert any("sidebar-search" in r["html"] for r in reached)
    assert [r["html"] for r in reached if not r["ringed"]] == []
    page.close()


def test_the_paper_search_as_its_script_draws_it_is_valid_html(browser, site_url, tmp_path):  # noqa: F811
    """The Nu checker reads files: the search page is given to it as the script left it,
    with results and facets."""
    page = _open(browser, site_url + "paper-search.html?q=scaling", "light", 1280)
    drawn = tmp_path / "paper-search.html"
    drawn.write_text("<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"),
                     encoding="utf-8")
    page.close()
    assert "paper-search-facet" in drawn.read_text(encoding="utf-8")
    assert _nu_errors(tmp_path, [drawn]) == []
