"""Paper previews: what a reader gets on hovering or focusing a link to a paper.

The site is built by a real ``sphinx-build`` and opened from disk (``file://``) in
Debian's Chromium: the previews must need no server and no request.
"""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import copy_root, sphinx_build
from test_accessibility import axe_in_every_view, axe_js  # noqa: F401 (a fixture)
from test_browser import browser  # noqa: F401 (a fixture)

#: The page's weight may grow by this much per distinct paper it links to (issue 8).
BYTES_PER_PAPER = 1536
PAGE = "papers/one.html"
#: What the previews' switch-off adds to a copy of the site: the output as it was before them.
WITHOUT_PREVIEWS = """
def setup(app):
    from mlcommentary.sphinx_ext import previews
    previews.EmbedPreviews.builders = ("no such builder",)
"""


def _built(tmp_path_factory, name: str, *options: str, conf_extra: str = "",
           builder: str = "html") -> Path:
    srcdir = copy_root("previews", tmp_path_factory.mktemp(name))
    with (srcdir / "conf.py").open("a") as conf:
        conf.write(conf_extra)
    outdir = srcdir.parent / "out"
    result = sphinx_build(srcdir, outdir, *options, builder=builder)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return _built(tmp_path_factory, "serial")


@pytest.fixture(scope="module")
def site_without_previews(tmp_path_factory) -> Path:
    return _built(tmp_path_factory, "without", conf_extra=WITHOUT_PREVIEWS)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(), "html.parser")


# -- the pages, as written ---------------------------------------------------------


def test_a_paper_linked_twice_is_embedded_once(site):
    soup = _soup(site / PAGE)
    links = soup.select("a.paper-ref")
    described = [link["aria-describedby"] for link in links]
    previews = soup.select(".paper-preview")
    # Related, and two papers of the prose, one of them twice.
    assert len(links) == 4
    assert sorted(p["id"] for p in previews) == sorted(set(described)) == [
        "paper-preview-3012-00012", "paper-preview-3012-00013"]
    for preview in previews:
        assert preview["popover"] == "manual"


def test_every_paper_link_on_every_page_has_its_preview(site):
    """Whoever made the link: the role, Related, the indexes, the tag and year pages."""
    pages = {"index.html", PAGE, "papers/two.html", "notes.html", "tags/scaling.html",
             "years/2030.html"}
    for page in sorted(site.rglob("*.html")):
        soup = _soup(page)
        links = soup.select("a.paper-ref")
        assert bool(links) == (str(page.relative_to(site)) in pages), page
        for link in links:
            assert len(soup.select(f"#{link['aria-describedby']}.paper-preview")) == 1


def test_preview_says_what_the_paper_is_and_where_the_link_goes(site):
    soup = _soup(site / "papers/two.html")
    preview = soup.select_one("#paper-preview-3012-00011")
    assert [p.get_text() for p in preview.select("p")] == [
        "Synthetic Scaling of Placeholder Models",
        "Ada Example, Bo Placeholder, Cy Fixture et al. · 3 Dec 2030",
        # "e.g." and "et al." end no sentence; the third sentence is left out.
        "We scale synthetic models (e.g. Placeholder nets) to 10^12 parameters. Their loss "
        "falls as a power law (Example et al. 3011) in compute.",
        "Commentary on this site",
    ]
    outside = _soup(site / PAGE).select_one("#paper-preview-3012-00013")
    assert outside.select_one(".paper-preview-destination").get_text() == "arXiv abstract page"


def test_math_from_arxiv_is_laid_out_and_labelled_in_unicode(site):
    """MathML, as on the card; each formula labelled with its Unicode form, which is what
    a screen reader reads in a link's description (see the browser test below)."""
    preview = _soup(site / "notes.html").select_one("#paper-preview-3012-00014")
    title, _, abstract, _ = preview.select("p")
    assert [math["aria-label"] for math in title.select("math")] == ["μ", "10¹²"]
    assert title.select_one("math msup") is not None
    # Two sentences, counted with each formula whole: "$d=256$." ends the first.
    assert [math["aria-label"] for math in abstract.select("math")] == ["α", "d=256", "10³×"]
    assert abstract.get_text().endswith("wider models.")
    assert "$" not in preview.get_text()


def test_remote_text_stays_text(site):
    html = (site / PAGE).read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    preview = _soup(site / PAGE).select_one("#paper-preview-3012-00013")
    assert preview.select_one(".paper-preview-title").get_text() == (
        "Tags <b>& Ampersands</b> in a Synthetic Title")


def test_previews_stay_out_of_search(site):
    terms = (site / "searchindex.js").read_text().split('"terms"')[1]
    # The author of the paper that has no commentary: named by its preview only.
    assert '"ivi"' not in terms and '"ivy"' not in terms
    assert '"synthet"' in terms


def test_previews_do_not_describe_the_page(site):
    """A short page: sphinxext-opengraph reads on after its text, but not into the previews."""
    description = _soup(site / "notes.html").select_one('meta[property="og:description"]')
    assert description["content"] == (
        "See Tags <b>& Ampersands</b> in a Synthetic Title. Math in a title: the muP paper.")


def test_a_page_without_paper_links_is_as_before(site, site_without_previews):
    assert (site / "plain.html").read_text() == (site_without_previews / "plain.html").read_text()


@pytest.mark.parametrize("page", ["index.html", PAGE, "papers/two.html"])
def test_page_weight_per_distinct_paper(site, site_without_previews, page):
    papers = len({a["aria-describedby"] for a in _soup(site / page).select("a.paper-ref")})
    assert papers
    grown = (site / page).stat().st_size - (site_without_previews / page).stat().st_size
    print(f"{page}: +{grown} bytes for {papers} papers")
    assert 0 < grown <= BYTES_PER_PAPER * papers


def test_parallel_build_writes_the_same_pages(site, tmp_path_factory):
    parallel = _built(tmp_path_factory, "parallel", "-j", "2")
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(parallel) for p in parallel.rglob("*.html"))
    _, differ, errors = filecmp.cmpfiles(site, parallel, pages, shallow=False)
    assert differ == errors == []


@pytest.mark.parametrize("builder", ["text", "epub"])
def test_other_builders_get_no_previews(tmp_path_factory, builder):
    with_previews = _built(tmp_path_factory, builder, builder=builder)
    without = _built(tmp_path_factory, builder + "-without", builder=builder,
                     conf_extra=WITHOUT_PREVIEWS)
    if builder == "text":
        assert (with_previews / "papers/one.txt").read_text() == (
            without / "papers/one.txt").read_text()
    names = {p.name for p in with_previews.rglob("*")}
    assert not any(name.startswith(("paper-preview", "floating-ui")) for name in names)


# -- in the browser ----------------------------------------------------------------


def _open(browser, site: Path, width: int = 1280, scheme: str = "light", **context):
    page = browser.new_context(viewport={"width": width, "height": 800},
                               color_scheme=scheme, **context).new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((site / PAGE).as_uri())
    page.wait_for_load_state("load")
    page.requests, page.errors = requests, errors
    return page


def _open_preview(page):
    return page.locator(".paper-preview:popover-open")


def _apart(first: dict, second: dict) -> bool:
    return (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
            or first["y"] + first["height"] <= second["y"]
            or second["y"] + second["height"] <= first["y"])


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("where", ["top", "bottom"])
def test_hover_shows_the_preview_beside_the_link(browser, site, width, where):
    page = _open(browser, site, width)
    link = page.locator("p a.paper-ref[href^='https://arxiv.org']").first
    # At the window's top or bottom edge: the preview finds room on the other side.
    link.evaluate("(link, where) => link.scrollIntoView({block: where === 'top' ? 'start' "
                  ": 'end'})", where)
    assert _open_preview(page).count() == 0
    link.hover()
    preview = _open_preview(page)
    preview.wait_for()
    assert preview.get_attribute("id") == "paper-preview-3012-00013"
    assert [line for line in preview.inner_text().splitlines() if line] == [
        "Tags <b>& Ampersands</b> in a Synthetic Title", "Ivy Proxy · 17 Dec 2030",
        "An abstract with <script>alert(1)</script> in it, which is text. Nothing more.",
        "arXiv abstract page"]
    box, link_box = preview.bounding_box(), link.bounding_box()
    assert _apart(box, link_box), (box, link_box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800
    # The native tooltip would cover the preview.
    assert link.get_attribute("title") is None

    page.keyboard.press("Escape")
    assert _open_preview(page).count() == 0
    # Files from disk, nothing else: no request leaves the page.
    assert [url for url in page.requests if not url.startswith("file://")] == []
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_math_in_a_preview_is_laid_out_and_read_as_unicode(browser, site, scheme, tmp_path):
    page = _open(browser, site, scheme=scheme)
    page.goto((site / "notes.html").as_uri())
    link = page.locator("a[aria-describedby='paper-preview-3012-00014']").first
    link.hover()
    preview = _open_preview(page)
    preview.wait_for()
    # Laid out by the browser: a superscript sits above the baseline of its base.
    base, exponent = (preview.locator(".paper-preview-title msup > *").nth(i).bounding_box()
                      for i in range(2))
    assert exponent["y"] < base["y"] and exponent["x"] > base["x"]
    preview.screenshot(path=tmp_path / f"preview-math-{scheme}.png")
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    described = {node.get("description", {}).get("value") for node in tree["nodes"]
                 if node.get("role", {}).get("value") == "link"}
    # Chromium puts a space after each formula's label (the "." after "d=256").
    assert ("Scaling μ P to 10¹² Parameters Jo Surrogate · 19 Dec 2030 We tune α once, at "
            "d=256 . It transfers to 10³× wider models. arXiv abstract page") in described
    page.close()


def test_pointer_can_move_onto_the_preview(browser, site):
    page = _open(browser, site)
    link = page.locator("a[aria-describedby='paper-preview-3012-00012']").nth(1)
    link.hover()
    preview = _open_preview(page)
    preview.wait_for()
    preview.hover()
    page.wait_for_timeout(600)
    assert preview.is_visible()
    page.mouse.move(0, 0)
    preview.wait_for(state="hidden")
    page.close()


def test_keyboard_focus_shows_the_preview(browser, site):
    page = _open(browser, site)
    target = "paper-preview-3012-00012"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-describedby')") == target:
            break
    else:
        pytest.fail("Tab never reached a link to the paper")
    preview = _open_preview(page)
    preview.wait_for()
    assert preview.get_attribute("id") == target
    page.keyboard.press("Escape")
    assert _open_preview(page).count() == 0
    page.keyboard.press("Tab")
    page.close()


def test_screen_readers_get_the_preview_as_the_description(browser, site):
    from playwright.sync_api import expect

    page = _open(browser, site)
    link = page.locator("a[aria-describedby='paper-preview-3012-00013']").first
    expect(link).to_have_accessible_description(re.compile(
        r"^Tags <b>& Ampersands</b> in a Synthetic Title Ivy Proxy · 17 Dec 2030 An abstract"
        r".* arXiv abstract page$"))
    page.close()


def test_a_tap_follows_the_link(browser, site):
    page = _open(browser, site, 390, has_touch=True, is_mobile=True)
    page.get_by_role("link", name="the second commentary").tap()
    page.wait_for_url(re.compile(r"/papers/two\.html#paper-3012-00012$"))
    page.close()


def test_no_axe_violations_with_a_preview_open(browser, site, axe_js):  # noqa: F811
    page = _open(browser, site)

    def hover() -> None:  # again in each view: the link moves as the width changes
        page.locator("p a.paper-ref").first.hover()
        _open_preview(page).wait_for()
    assert axe_in_every_view(page, axe_js, hover) == {}
    page.close()
