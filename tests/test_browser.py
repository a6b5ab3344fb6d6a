"""What a reader sees: the seed page in headless Debian Chromium, driven by Playwright."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlcommentary.data.testing import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install Debian's package (apt-get install chromium), as .ci/run does",
)]
# As root and on a closed network: no sandbox, and no background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SEED = "papers/exploring-the-limits-of-large-scale-pre-training.html"
#: axe-core is not vendored: `npm install axe-core@4` anywhere and point this at axe.min.js.
AXE = Path(os.environ.get("AXE_CORE_JS", "node_modules/axe-core/axe.min.js"))


@pytest.fixture(scope="module")
def site_url(built_site):
    app, _ = built_site
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(app.outdir))
    handler.log_message = lambda *args: None
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as root:
        yield f"{root}/"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module's tests (other modules import this fixture)."""
    if CHROMIUM is None:
        pytest.skip("no Chromium: install Debian's package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_reader_opens_the_abstract_and_the_bibtex(browser, site_url):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    page.goto(site_url + SEED)

    card = page.get_by_role("region", name="Paper arXiv:2110.02095")
    # The page's heading is the paper's title: the card does not say it again.
    assert page.locator("h1").inner_text().startswith(
        "Exploring the Limits of Large Scale Pre-training")
    assert card.locator(".paper-card-title").count() == 0
    assert card.locator(".paper-card-authors").inner_text() == (
        "Samira Abnar, Mostafa Dehghani, Behnam Neyshabur, Hanie Sedghi")

    abstract = card.locator("details.paper-card-abstract")
    assert not abstract.locator("p").is_visible()
    abstract.locator("summary").click()
    assert abstract.locator("p").is_visible()
    assert abstract.locator("p").inner_text().startswith("Recent developments in large-scale")

    bibtex = card.locator("details.paper-card-bibtex")
    assert not bibtex.locator("pre").is_visible()
    bibtex.locator("summary").click()
    assert bibtex.locator("pre").is_visible()
    assert bibtex.locator("pre").inner_text().startswith("@misc{abnar2021exploring,")
    assert bibtex.get_by_role("button", name="Copy BibTeX entry").is_visible()
    assert errors == []
    page.close()


def test_card_follows_the_theme_into_dark_mode(browser, site_url):
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(site_url + SEED)
        colours[scheme] = page.locator("div.paper-card").evaluate(
            "card => [getComputedStyle(card).backgroundColor, getComputedStyle(card).color]")
        # No underline in the BibTeX, where furo's dark code style underlines @misc: in
        # a card of links it reads as one.
        assert page.locator(".paper-card-bibtex .nc").evaluate(
            "name => getComputedStyle(name).textDecorationLine") == "none"
        page.close()
    assert colours["light"] != colours["dark"]
    # The text keeps its contrast: light on dark, dark on light.
    assert _luminance(colours["light"][0]) > _luminance(colours["light"][1])
    assert _luminance(colours["dark"][0]) < _luminance(colours["dark"][1])


def _luminance(css_colour: str) -> float:
    red, green, blue = (float(part) for part in re.findall(r"[0-9.]+", css_colour)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb() colours."""
    def relative(css_colour: str) -> float:
        channels = [float(part) / 255 for part in re.findall(r"[0-9.]+", css_colour)[:3]]
        red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                            for c in channels)
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue
    lighter, darker = sorted((relative(first), relative(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tags_and_copy_button_stand_out_from_the_card(browser, site_url, scheme):
    """WCAG 1.4.11: a component's boundary has 3:1 against what is around it."""
    page = browser.new_page(color_scheme=scheme)
    page.goto(site_url + SEED)
    page.locator("details.paper-card-bibtex summary").click()
    card = page.locator("div.paper-card").evaluate("card => getComputedStyle(card).backgroundColor")
    for component in (*page.locator(".paper-card .paper-tag").all(),
                      page.get_by_role("button", name="Copy BibTeX entry")):
        border = component.evaluate(
            "e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).borderTopColor]")
        assert border[0] != "0px" and _contrast(border[1], card) >= 3, (component, border, card)
    page.close()


def test_copy_button_copies_and_says_so(browser, site_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + SEED)
    page.locator("details.paper-card-bibtex summary").click()
    entry = page.locator(".paper-card-bibtex pre").inner_text()
    page.get_by_role("button", name="Copy BibTeX entry").click()
    expect_status(page, "Copied")
    assert page.evaluate("navigator.clipboard.readText()") == entry
    context.close()


def test_without_the_clipboard_api_the_entry_is_selected(browser, site_url):
    """Plain http has no navigator.clipboard: the entry is selected for Ctrl+C."""
    page = browser.new_page()
    page.add_init_script("delete Navigator.prototype.clipboard")
    page.goto(site_url + SEED)
    page.locator("details.paper-card-bibtex summary").click()
    page.get_by_role("button", name="Copy BibTeX entry").click()
    entry = page.locator(".paper-card-bibtex pre").inner_text()
    assert page.evaluate("String(getSelection())").strip() == entry.strip()
    # execCommand("copy") either copies the selection or leaves it to the reader.
    expect_status(page, re.compile(r"^(Copied|Entry selected: press Ctrl\+C to copy)$"))
    page.close()


def expect_status(page, text) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".paper-card-bibtex").get_by_role("status")).to_have_text(text)


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "stylesheet-only"])
def test_printed_page_shows_the_abstract_and_the_bibtex(browser, site_url, tmp_path,
                                                        javascript):
    if shutil.which("pdftotext") is None:
        pytest.skip("no pdftotext: install Debian's poppler-utils")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(site_url + SEED)
    page.pdf(path=tmp_path / "page.pdf")
    context.close()
    text = subprocess.run(["pdftotext", tmp_path / "page.pdf", "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Recent developments in large-scale" in text
    assert "@misc{abnar2021exploring," in text
    assert not re.search(r"\bCopy\b", text)
    # furo's skip link is fixed to the screen, off it until focused: printed, it was
    # drawn over the card.
    assert "Skip to content" not in text


def test_printing_opens_the_folded_parts_and_restores_them(browser, site_url):
    """For browsers that do not know ::details-content: paper-card.js opens them."""
    page = browser.new_page()
    page.goto(site_url + SEED)
    page.locator("details.paper-card-bibtex summary").click()
    opened = "[...document.querySelectorAll('.paper-card details')].map(d => d.open)"
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(opened) == [True, True]
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    assert page.evaluate(opened) == [False, True]
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_passes_axe(browser, site_url, scheme):
    if not AXE.is_file():
        pytest.skip(f"no axe-core at {AXE}: `npm install axe-core@4` and set AXE_CORE_JS "
                    "to its axe.min.js")
    page = browser.new_page(color_scheme=scheme)
    page.goto(site_url + SEED)
    for summary in page.locator(".paper-card summary").all():
        summary.click()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run("div.paper-card")).violations
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)""")
    assert violations == []
    page.close()


#: The right edge of what a page shows outside the boxes that scroll on their own.
RIGHT_EDGE = """() => Math.max(0, ...[...document.querySelectorAll("article *")]
    .filter(el => !el.parentElement.closest(".math-scroll, .math-wrapper, pre, .table-wrapper"))
    .map(el => el.getBoundingClientRect().right))"""


@pytest.mark.parametrize(("width", "stacked"), [(390, True), (1280, False)])
def test_on_a_phone_the_cards_facts_take_its_width(browser, site_url, width, stacked):
    """Beside its label's column, a quoted sentence ran to a dozen lines of three words
    at 390 px: there each label leads its value's line, and the pages that discuss the
    paper are a list as wide as the card; wider, labels keep a column of their own."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site_url + SEED)
    facts = page.locator("dl.paper-card-facts")
    label = facts.locator("dt", has_text="Discussed in").bounding_box()
    value = facts.locator("ul.paper-discussions").bounding_box()
    card = facts.bounding_box()
    if stacked:
        assert value["y"] >= label["y"] + label["height"] - 1
        assert value["width"] > 0.9 * card["width"]
    else:
        assert value["x"] >= label["x"] + label["width"]
        assert abs(value["y"] - label["y"]) < 2
    page.close()


def test_no_page_reaches_past_a_phone_screen(browser, site_url, built_site):
    app, _ = built_site
    pages = sorted(str(path.relative_to(app.outdir)) for path in app.outdir.rglob("*.html")
                   if "_static" not in path.parts)
    page = browser.new_page(viewport={"width": 390, "height": 800})
    wide = {}
    for path in pages:
        page.goto(site_url + path)
        edges = (page.evaluate("document.documentElement.scrollWidth"),
                 page.evaluate(RIGHT_EDGE))
        if max(edges) > 390:
            wide[path] = edges
    page.close()
    # Every kind of page was looked at: home, search, a commentary, tags and years.
    assert {"index.html", "search.html", "tags/index.html", "years/index.html"} <= set(pages)
    assert any(path.startswith("papers/") for path in pages)
    assert wide == {}


def test_the_map_is_reached_by_keyboard_named_and_themed(browser, site_url):
    """The seed commentary's map: its one neighbour (the writing guide, which discusses
    the paper) is a link that Tab reaches and that says what it is, and the picture
    takes the card's colours in either scheme."""
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(site_url + SEED)
        link = page.get_by_role("link", name="Discusses it: Writing a commentary")
        assert link.count() == 1
        for _ in range(300):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('svg.paper-map-picture') !== null"):
                break
        else:
            raise AssertionError("Tab never reached the map")
        assert page.evaluate("document.activeElement.querySelector('title').textContent") == (
            "Discusses it: Writing a commentary")
        # Focus shows: a ring on the link, and the box's edge.
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        assert page.evaluate(
            "getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth") == "2px"
        colours = page.evaluate("""() => {
            const card = getComputedStyle(document.querySelector('div.paper-card'));
            const box = getComputedStyle(document.querySelector('.paper-map-paper rect'));
            const title = getComputedStyle(document.querySelector('.paper-map-title'));
            return [card.backgroundColor, box.fill, title.fill];
        }""")
        assert colours[0] == colours[1], colours
        # The title is as far from the box's colour as the card's text from the card's.
        assert abs(_luminance(colours[2]) - _luminance(colours[1])) > 100, colours
        page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_search_page_has_one_box_on_the_screen_to_search_again(browser, site_url, width):
    """Below 63em furo's box is in the closed navigation drawer: the results page keeps
    one in its text, holding the query, and only there."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site_url + "search.html?q=scaling")
    page.wait_for_selector("#search-results li")
    shown = page.locator('input[name="q"]:visible')
    assert shown.count() == 1
    assert shown.get_attribute("aria-label") == "Search"
    assert shown.input_value() == "scaling"
    shown.fill("transfer")
    shown.press("Enter")
    # Over HTTP it goes where the sidebar's goes: the paper search (paper-search.js).
    page.wait_for_url("**/paper-search.html?q=transfer*")
    page.close()
