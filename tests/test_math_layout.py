"""Math where it is hard to place: in page titles (the sidebar, the EPUB's navigation, the
PDF's "Discussed in", the accessibility tree), equation numbers (amsmath rows, the same in
HTML and PDF, anchors that stay), and formulas wider than a phone.

The site is ``tests/roots/test-math-layout``: synthetic records of May 2027.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from helpers import copy_root, epubcheck_messages, sphinx_build
from test_browser import AXE, CHROMIUM, RIGHT_EDGE, browser  # noqa: F401 (a fixture)
from test_pdf_epub import needs_java, needs_latex, pdf_pages

TITLE = "Bundles over 𝔽ₑ: a commentary"
#: Where the page's equations are, in order: (1), the align's rows (2) and (3), (4).
NUMBERS = ["(1)", "(2)", "(3)", "(4)"]


def _build(srcdir, outdir, builder="html"):
    result = sphinx_build(srcdir, outdir, builder=builder)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return outdir


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("math-layout")
    srcdir = copy_root("math-layout", tmp_path)
    return srcdir, _build(srcdir, tmp_path / "html")


def soup(outdir, page: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / page).read_text(encoding="utf-8"), "html.parser")


# -- point 7: headings with math ---------------------------------------------------------

def test_sidebar_shows_a_title_with_its_math_laid_out(site):
    _, outdir = site
    for page in ("papers/bundles.html", "papers/chains.html", "index.html"):
        [link] = [a for a in soup(outdir, page).select(".sidebar-tree a")
                  if "Bundles" in a.get_text()]
        assert "\\" not in link.get_text() and "mathbb" not in link.get_text(), page
        math = link.select_one("math")
        assert math is not None and math["aria-label"] == "𝔽ₑ", page


@pytest.fixture(scope="module")
def book(site, tmp_path_factory):
    """The site's EPUB, and the folder it was made from."""
    srcdir, _ = site
    outdir = _build(srcdir, tmp_path_factory.mktemp("math-layout-epub"), builder="epub")
    [book] = outdir.glob("*.epub")
    return book, outdir


def test_epub_navigation_names_the_page_with_its_math_as_text(book):
    with zipfile.ZipFile(book[0]) as epub:
        nav = ElementTree.fromstring(epub.read("nav.xhtml"))
        ncx = ElementTree.fromstring(epub.read("toc.ncx"))
    in_nav = [a.text for a in nav.findall(".//{*}nav//{*}a")]
    in_ncx = [text.text for text in ncx.findall(".//{*}navLabel/{*}text")]
    assert TITLE in in_nav and TITLE in in_ncx
    assert "Math layout over ℝ" in in_nav and "Math layout over ℝ" in in_ncx  # the home page
    assert not [text for text in in_nav + in_ncx if "\\" in text]


@needs_java
def test_epub_pages_carry_mathml_declared_in_the_manifest(book):
    """EPUB readers lay MathML out (issue 17, point 6): the book's pages have the site's
    MathML, and EPUB asks each page with MathML to say so in the manifest."""
    book, _ = book
    with zipfile.ZipFile(book) as epub:
        opf = ElementTree.fromstring(epub.read("content.opf"))
        items = {item.get("href"): item.get("properties", "").split()
                 for item in opf.findall(".//{*}manifest/{*}item")}
        with_math = {href for href in items if href.endswith(".xhtml")
                     and b"<math" in epub.read(href)}
        bundles = epub.read("papers/bundles.xhtml").decode()
    assert {"papers/bundles.xhtml", "papers/chains.xhtml"} <= with_math
    assert with_math == {href for href, properties in items.items() if "mathml" in properties}
    # The align's rows numbered as in the HTML, the title's 𝔽ₑ as MathML with its name.
    assert '<mtext>(3)</mtext>' in bundles and 'aria-label="𝔽ₑ"' in bundles
    assert epubcheck_messages(book) == []


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_epub_page_at_390_px_keeps_wide_math_in_its_own_box(book, browser, scheme):  # noqa: F811
    """As a reading system built on a browser engine lays the book's page out."""
    _, outdir = book
    page = browser.new_page(color_scheme=scheme, viewport={"width": 390, "height": 900})
    page.goto((outdir / "papers" / "bundles.xhtml").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for block in page.locator("div.math:has(.eqno)").all():
        number, math = block.locator(".eqno").bounding_box(), block.locator("math").bounding_box()
        assert number["x"] >= math["x"] + math["width"], (number, math)
    page.close()


def test_latex_names_the_page_with_its_math_as_math(site, tmp_path):
    srcdir, _ = site
    outdir = _build(srcdir, tmp_path / "latex", builder="latex")
    tex = next(outdir.glob("*.tex")).read_text(encoding="utf-8")
    link = tex[tex.index(r"\hyperref[\detokenize{papers/bundles::doc}]"):][:200]
    assert r"{Bundles over \(\mathbb{F}_e\): a commentary}" in link
    assert r"\textbackslash{}mathbb" not in tex


def _names(page, role: str) -> list[str]:
    """The names Chromium's own accessibility tree gives the page's ``role``s, without
    their spaces: Chromium puts one on each side of a formula ("𝔽ₑ : a")."""
    cdp = page.context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return ["".join(node["name"]["value"].split()) for node in tree
            if node.get("role", {}).get("value") == role and not node.get("ignored")]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
def test_accessibility_tree_reads_the_math_in_headings_links_and_cards(site, browser):  # noqa: F811
    _, outdir = site
    title, paper = "".join(TITLE.split()), "Spinchainsof³Heatoms"
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto((outdir / "papers" / "bundles.html").as_uri())
        if width == 390:  # the sidebar is a drawer: open it
            page.locator("button.nav-overlay-icon").click()
            page.wait_for_timeout(400)
        assert title in _names(page, "heading")
        links = _names(page, "link")
        assert paper in links  # {paper} in the text
        assert links.count(title) == 1  # the sidebar's
        page.goto((outdir / "papers" / "chains.html").as_uri())
        assert title in _names(page, "link")  # the card's "Discussed in"
        page.close()
    page = browser.new_page()
    page.goto((outdir / "index.html").as_uri())
    assert paper in _names(page, "link")  # the paper index
    page.close()


# -- point 8: equation numbers -------------------------------------------------------------

def _numbers(outdir, page: str) -> list[str]:
    """The equation numbers a reader sees on ``page``, in order."""
    html = soup(outdir, page)
    found = []
    for block in html.select("article div.math"):
        eqno = block.select_one(".eqno")
        number = eqno.get_text().replace("¶", "").strip() if eqno else ""
        found += [number] if number else []
        found += [t.get_text() for t in block.select("mtd > mtext")
                  if re.fullmatch(r"\(\d+\)", t.get_text())]
    return found


def test_amsmath_rows_are_numbered_once_and_in_order(site):
    _, outdir = site
    assert _numbers(outdir, "papers/bundles.html") == NUMBERS
    # gather (2 rows), alignat (a row \nonumber), flalign, eqnarray (a row \notag),
    # gather* (none) and an unlabelled display (none).
    assert _numbers(outdir, "papers/chains.html") == [f"({n})" for n in range(1, 8)]
    # A reference to the equation after the align names the number it shows.
    reference = soup(outdir, "papers/bundles.html").select_one('a[href="#equation-eq-wide"]')
    assert reference.get_text() == "(4)"


def test_equation_anchors_are_the_same_from_build_to_build(site, tmp_path):
    srcdir, outdir = site
    again = _build(srcdir, tmp_path / "again")

    def anchors(directory):
        html = soup(directory, "papers/bundles.html")
        return [[a["href"] for a in block.select("a.headerlink")]
                for block in html.select("article div.math")]

    first = anchors(outdir)
    assert first == anchors(again)
    assert sum(first, []) == ["#equation-eq-energy", "#equation-papers-bundles-2",
                              "#equation-eq-wide"]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
def test_numbers_stand_at_the_right_edge_as_in_the_pdf(site, browser):  # noqa: F811
    _, outdir = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((outdir / "papers" / "bundles.html").as_uri())
    edges = page.evaluate("""() => [...document.querySelectorAll(
        "article div.math .eqno, article mtd > mtext")]
        .filter(number => /^\\(\\d+\\)/.test(number.textContent))
        .map(number => [number.textContent.replace("¶", ""),
                        Math.round(number.getBoundingClientRect().right)])""")
    assert [number for number, _ in edges] == NUMBERS
    assert len({right for _, right in edges}) == 1, edges
    page.close()


@needs_latex
def test_pdf_numbers_equations_as_the_html_does(site, tmp_path):
    srcdir, _ = site
    latexdir = _build(srcdir, tmp_path / "latex", builder="latex")
    subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                    "mathlayout.tex"], cwd=latexdir, capture_output=True, check=True,
                   timeout=300)
    text = unicodedata.normalize("NFKC", "\n".join(pdf_pages(latexdir / "mathlayout.pdf")))
    # The numbers at the ends of lines: the bundles page's, then the chains page's.
    assert re.findall(r"\((\d)\)\s*$", text, re.MULTILINE) == [
        "1", "2", "3", "4", *map(str, range(1, 8))]
    assert "And (4), a display" in text  # the reference, as in the HTML
    # Each page's (1) is its own link target.
    log = (latexdir / "mathlayout.log").read_text(errors="replace")
    assert "destination with the same identifier" not in log


# -- point 9: math at 390 px ---------------------------------------------------------------

@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_at_390_px_nothing_scrolls_but_wide_math_in_its_own_focusable_box(
        site, browser, scheme):  # noqa: F811
    _, outdir = site
    page = browser.new_page(color_scheme=scheme, viewport={"width": 390, "height": 900})
    page.goto((outdir / "papers" / "bundles.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Nothing reaches past the screen's edge but inside a box that scrolls.
    assert page.evaluate(RIGHT_EDGE) <= 390
    # No number drawn over its equation.
    for block in page.locator("article div.math").all():
        eqno = block.locator(".eqno")
        if not eqno.count() or not eqno.inner_text().strip("¶ \n"):
            continue
        number, math = eqno.bounding_box(), block.locator("math").bounding_box()
        assert number["x"] >= math["x"] + math["width"] or \
            number["y"] >= math["y"] + math["height"], (number, math)
    # What is wider than the column scrolls in its own box, which the keyboard
    # reaches and a screen reader names.
    scrollers = page.evaluate("""() => [...document.querySelectorAll("article *")]
        .filter(el => el.scrollWidth > el.clientWidth + 1
                && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
        .map(el => [el.tabIndex, el.getAttribute("role"), el.getAttribute("aria-label"),
                    !!el.querySelector("math")])""")
    wide = [s for s in scrollers if s[3]]
    assert len(wide) == 2, scrollers  # the inline formula and the display
    for tab_index, role, label in (s[:3] for s in wide):
        assert tab_index == 0 and role == "group" and label, wide
    box = page.locator("[role=group][tabindex='0']").first
    box.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # (Scrolled smoothly: in a moment.)
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle(),
                           timeout=3000)
    if not AXE.is_file():
        pytest.skip(f"no axe-core at {AXE}: `npm install axe-core@4` and set AXE_CORE_JS "
                    "to its axe.min.js")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document)).violations
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)""")
    assert violations == []
    page.close()


#: For each inline formula followed at once by punctuation (in the text, in a heading,
#: after a link whose text ends in the formula), and each width of its block from 120 to
#: 600 px: whether the punctuation was laid out on a line below the formula's. Returns
#: how many formulas are followed by punctuation, and where one was left behind.
PUNCTUATION_ALONE = """() => {
    const alone = [];
    let followed = 0;
    for (const math of document.querySelectorAll("article math:not([display=block])")) {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        walker.currentNode = math.lastChild ?? math;
        let next;
        do { next = walker.nextNode(); } while (next && math.contains(next));
        if (!next || !/^[,.;:!?)]/.test(next.data)) continue;
        followed += 1;
        let block = math.parentElement;
        while (getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
        const punctuation = document.createRange();
        punctuation.setStart(next, 0);
        punctuation.setEnd(next, 1);
        for (let width = 120; width <= 600; width += 2) {
            block.style.width = `${width}px`;
            const formula = math.getBoundingClientRect();
            if (punctuation.getBoundingClientRect().top >= formula.bottom - 1)
                alone.push(`${math.textContent}${next.data[0]} at ${width} px`);
        }
        block.style.width = "";
    }
    return [followed, alone];
}"""


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
def test_punctuation_after_a_formula_stays_on_its_line(site, browser):  # noqa: F811
    """Chromium may break a line after a formula even before a comma: "over 𝔽ₑ" on one
    line and ", as do" on the next. It did, at a few widths in each hundred pixels."""
    _, outdir = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((outdir / "papers" / "bundles.html").as_uri())
    followed, alone = page.evaluate(PUNCTUATION_ALONE)
    # The heading's "𝔽ₑ:", the text's "𝔽ₑ," and a link's "[𝔽ₑ](…).".
    assert followed == 3 and alone == []
    page.close()
