"""Pages that share well: Open Graph, the canonical address, the sitemap and the 404 page.

The real site, with one more commentary on a synthetic paper whose title is not the
page's heading, built by a real ``sphinx-build`` as Read the Docs builds it (with
``READTHEDOCS_CANONICAL_URL``), once for the module.
"""

from __future__ import annotations

import functools
import shutil
import xml.etree.ElementTree as ElementTree
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import REPO, sphinx_build
from test_browser import CHROMIUM, browser  # noqa: F401 (fixture)

from mlcommentary.data.testing import FakeArxiv, serving, synthetic_entry

BASE = "https://ml-commentary.example.org/en/latest/"
PREFIX = "/en/latest/"
TITLE_TEX = r"Scaling $\mu$P to $10^{12}$ Parameters — “Quoted” & Unbroken"
#: Open Graph is plain text: the title's math as Unicode.
TITLE = "Scaling μP to 10¹² Parameters — “Quoted” & Unbroken"
COMMENTARY = """\
# My own heading for it

```{paper} 3012.00001
:tags: scaling, optimisation
```

The first paragraph says why the paper matters at $\\alpha = 0.5$, with "quotes" &
an ampersand, over two lines.

The second paragraph is not the description.
"""
#: No paragraph of its own: a reference in a heading, whose preview has paragraphs.
TERSE = """\
# Terse

```{paper} 3012.00002
```

## Compared with {paper}`3012.00001`
"""
PREVIEWED = "Only a preview says this."
TERSE_ABSTRACT = "What the terse commentary's paper is about."


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    srcdir = tmp_path_factory.mktemp("site") / "src"
    shutil.copytree(REPO, srcdir, ignore=shutil.ignore_patterns(
        ".*", "_build", "tests", "bench", "__pycache__"))
    (srcdir / "papers" / "synthetic.md").write_text(COMMENTARY, encoding="utf-8")
    (srcdir / "papers" / "terse.md").write_text(TERSE, encoding="utf-8")
    outdir = srcdir.parent / "html"
    with FakeArxiv() as server, pytest.MonkeyPatch.context() as environment:
        server.add(synthetic_entry("3012.00001", TITLE_TEX, ["Ada Example"], summary=PREVIEWED))
        server.add(synthetic_entry("3012.00002", "Terse", ["Bo Example"],
                                   summary=TERSE_ABSTRACT))
        environment.setenv("READTHEDOCS_CANONICAL_URL", BASE)
        result = sphinx_build(srcdir, outdir, "-D", f"arxiv_api_url={server.url}")
    assert result.returncode == 0, result.stderr
    return outdir


def meta(outdir: Path, page: str) -> dict[str, list[str]]:
    soup = BeautifulSoup((outdir / page).read_text(encoding="utf-8"), "html.parser")
    found: dict[str, list[str]] = {}
    for tag in soup.select("meta[property], meta[name]"):
        found.setdefault(tag.get("property") or tag["name"], []).append(tag["content"])
    canonical = soup.select_one('link[rel="canonical"]')
    found["canonical"] = [canonical["href"]] if canonical else []
    return found


def test_a_commentary_shares_as_an_article(shared):
    tags = meta(shared, "papers/synthetic.html")
    assert tags["og:title"] == [TITLE]
    description = ("The first paragraph says why the paper matters at α = 0.5, with “quotes” "
                   "& an ampersand, over two lines.")
    assert tags["og:description"] == [description]
    assert tags["description"] == [description]
    assert tags["og:type"] == ["article"]
    assert tags["article:tag"] == ["scaling", "optimisation"]
    assert tags["og:url"] == tags["canonical"] == [BASE + "papers/synthetic.html"]
    assert tags["twitter:card"] == ["summary"]


def test_without_prose_the_abstract_describes_not_a_preview(shared):
    tags = meta(shared, "papers/terse.html")
    assert PREVIEWED in (shared / "papers" / "terse.html").read_text(encoding="utf-8")
    assert tags["og:description"] == tags["description"] == [TERSE_ABSTRACT]


def test_other_pages_keep_what_opengraph_finds(shared):
    tags = meta(shared, "writing.html")
    assert tags["og:type"] == ["website"]
    assert tags["og:title"] == ["Writing a commentary"]
    assert "article:tag" not in tags
    assert tags["og:url"] == tags["canonical"] == [BASE + "writing.html"]


def test_the_sitemap_lists_every_page_at_its_address(shared):
    root = ElementTree.parse(shared / "sitemap.xml").getroot()
    listed = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {str(p.relative_to(shared)) for p in shared.rglob("*.html")}
    assert listed == {BASE + page for page in pages - {"search.html", "404.html"}}
    assert BASE + "papers/synthetic.html" in listed


def test_a_local_build_claims_no_address(built_site):
    """Without Read the Docs' variable the site does not know where it will be read."""
    outdir = Path(built_site[0].outdir)
    assert meta(outdir, "index.html")["canonical"] == []
    assert not (outdir / "sitemap.xml").exists()


@pytest.fixture(scope="module")
def hosted(shared):
    """The site as Read the Docs serves it: under /en/latest/, 404.html for what is missing."""
    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            inside = path.startswith(PREFIX)
            return super().translate_path("/" + path.removeprefix(PREFIX) if inside
                                          else "/no such file")

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            if code != 404:
                return super().send_error(code, message, explain)
            body = (shared / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler,
                                                                     directory=str(shared)))
    with serving(server) as root:
        yield f"{root}{PREFIX}"


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's package "
                    "(apt-get install chromium), as .ci/run does")
@pytest.mark.parametrize("missing", ["gone.html", "papers/deep/er/still/gone.html"])
def test_the_404_page_works_at_any_depth(browser, hosted, missing):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and r.url != hosted + missing
            and failed.append(f"{r.status} {r.url}"))
    response = page.goto(hosted + missing)
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert failed == []
    # The site's own stylesheet applies, and the sidebar leads to the pages.
    assert page.locator(".sidebar-brand-text").evaluate("e => getComputedStyle(e).fontSize") == (
        "20.8px")
    page.locator(".sidebar-tree a", has_text="My own heading for it").click()
    assert page.url == hosted + "papers/synthetic.html"
    assert page.locator("h1").inner_text().startswith("My own heading for it")
    page.close()


def test_a_read_the_docs_build_publishes_the_feeds_sitemap_and_bibliography(shared):
    """Built as Read the Docs builds it (-W, its canonical URL): what readers subscribe to,
    what search engines crawl and what citers download are in the output, addressed
    absolutely."""
    feed = ElementTree.parse(shared / "atom.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = {link.get("href") for entry in feed.iter(f"{atom}entry")
               for link in entry.iter(f"{atom}link")}
    assert BASE + "papers/synthetic.html" in entries
    assert all(href.startswith(BASE) for href in entries)
    sitemap = ElementTree.parse(shared / "sitemap.xml").getroot()
    assert BASE + "papers/synthetic.html" in {loc.text for loc in sitemap.iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    bibliography = (shared / "papers.bib").read_text(encoding="utf-8")
    assert "3012.00001" in bibliography and "2110.02095" in bibliography
