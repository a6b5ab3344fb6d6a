"""What a reader sees: the seed page in headless Debian Chromium, driven by Playwright."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install Debian's package (apt-get install chromium), as .ci/run does",
)
# As root and on a closed network: no sandbox, and no background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SEED = "papers/exploring-the-limits-of-large-scale-pre-training.html"


@pytest.fixture(scope="module")
def site_url(built_site):
    app, _ = built_site
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(app.outdir))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
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

    card = page.locator("div.paper-card")
    assert card.locator(".paper-card-title").inner_text() == (
        "Exploring the Limits of Large Scale Pre-training")
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
    assert bibtex.locator("button.paper-copy-bibtex").is_visible()
    assert errors == []
    page.close()


def test_card_follows_the_theme_into_dark_mode(browser, site_url):
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(site_url + SEED)
        colours[scheme] = page.locator("div.paper-card").evaluate(
            "card => [getComputedStyle(card).backgroundColor, getComputedStyle(card).color]")
        page.close()
    assert colours["light"] != colours["dark"]
    # The text keeps its contrast: light on dark, dark on light.
    assert _luminance(colours["light"][0]) > _luminance(colours["light"][1])
    assert _luminance(colours["dark"][0]) < _luminance(colours["dark"][1])


def _luminance(css_colour: str) -> float:
    red, green, blue = (float(part) for part in re.findall(r"[0-9.]+", css_colour)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
