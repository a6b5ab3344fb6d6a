"""Which search finds papers best and lightest: Sphinx's own, Pagefind, MiniSearch.

Builds a benchmark site of each size (``sites.py``'s ``mixed-sources`` shape: arXiv,
DOI and OpenReview papers, venues, journal versions) and the site of real papers
(``real_site.py``), then asks each engine a fixed set of queries in Chromium, as a
reader does, one cold browser context a query, over a loopback HTTP server:

* ``sphinx``: Sphinx's ``search.html``, its ``searchindex.js`` and the extension's index
  entries for IDs, authors and titles it adds (``sphinx_ext/search.py``);
* ``pagefind``: the paper search page and its Pagefind index (``exports/paper_search.py``);
* ``minisearch``: MiniSearch 7 (npm) over one JSON file of the same papers' fields (no
  abstracts: with them the file is ten times larger), indexed in the browser;
* ``disk``: the paper search opened from disk (``file://``), as a reader without a
  server does: its page sends the query on to Sphinx's search, whose results count.

For each engine and site it prints the share of queries whose first result is right
(and whose right result is in the top three), the median bytes fetched until the first
result appears (as served, and gzipped as a CDN would serve them) and the median time
from navigation to it; and for each site the index's size and the time to make it.

    python bench/search.py [--sizes 1000 10000] [--no-real] [--work FOLDER]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

from bs4 import BeautifulSoup

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import sites  # noqa: E402
from mlcommentary.exports.paper_search import WEIGHTS  # noqa: E402 (sites puts _ext on the path)

REPO = BENCH.parent
PYTHON = Path(sys.executable)
SPHINX_BUILD = PYTHON.parent / "sphinx-build"
MINISEARCH = Path(tempfile.gettempdir()) / "ml-commentary-minisearch"
MINISEARCH_VERSION = "7.2.0"

#: How each engine is asked, and which elements are its results.
ENGINES = {
    "sphinx": ("search.html?q={}", "#search-results ul.search > li",
               "document.querySelector('#search-results p.search-summary')"
               " && !document.querySelector('#search-progress')?.textContent"),
    "pagefind": ("paper-search.html?q={}", ".paper-search-results > li",
                 "document.querySelector('.paper-search-status')?.textContent"),
    "minisearch": ("minisearch.html?q={}", "#minisearch-results > li",
                   "document.querySelector('#minisearch-summary')?.textContent"),
    "disk": ("paper-search.html?q={}", "#search-results ul.search > li",
             "document.querySelector('#search-results p.search-summary')"
             " && !document.querySelector('#search-progress')?.textContent"),
}
#: The engines asked from disk rather than over HTTP.
FROM_DISK = ("disk",)
#: Written into each result page before it loads: the moment the first result appears,
#: and whether the engine has said it found nothing.
WATCH = """
(selector) => {
  new MutationObserver((_, observer) => {
    if (window.__first === undefined && document.querySelector(selector)) {
      window.__first = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}
"""


# -- the queries --------------------------------------------------------------------------

def bench_queries(total: int) -> list[tuple[str, tuple[str, ...]]]:
    """Queries over a ``mixed-sources`` site of ``total`` commentaries, each with the
    pages any of which is a right first result."""
    plans = sites.plan_site(total, "mixed-sources")
    page = lambda n: f"papers/commentary-{n:05d}"  # noqa: E731
    # Papers spread over the site, one of each source (n % 3: arXiv, DOI, OpenReview).
    arxiv, doi, openreview = total // 7 * 3, total // 5 * 3 + 1, total // 3 * 3 - 1
    several = next(n for n in range(total // 2, total) if n % 6 == 5 and n % 3 == 2)
    journal = 30 * max(1, total // 90)
    math = next(n for n in range(total // 4, total) if n % 3 == 0)
    # A tag's or a year's own page, which lists them all, is as right as any of them.
    tagged = lambda tag: (f"tags/{tag}", *(page(p.n) for p in plans if tag in p.tags))  # noqa: E731
    venue = lambda name: tuple(page(n) for n in range(1, total + 1)  # noqa: E731
                               if sites.record(n, True).venue == name
                               or (sites.journal_version(n) and name.startswith("Journal")))
    mentioned = {}
    for plan in plans:
        for m in plan.cited + plan.related:
            if m > total:
                mentioned.setdefault(m, []).append(page(plan.n))
    unowned = [m for m in sorted(mentioned) if not sites.journal_version(m)][:3]
    record = lambda n: sites.record(n, True)  # noqa: E731
    queries = [
        (sites.paper_id(arxiv), (page(arxiv),)),
        (f"{sites.paper_id(arxiv)}v1", (page(arxiv),)),
        (f"arXiv:{sites.paper_id(arxiv)}", (page(arxiv),)),
        (sites.paper_id(math), (page(math),)),
        (f"arXiv:{sites.paper_id(math)}v1", (page(math),)),
        (sites.paper_id(doi, True)[4:], (page(doi),)),
        (sites.paper_id(doi, True), (page(doi),)),
        (sites.journal_version(journal)[4:], (page(journal),)),
        (sites.paper_id(openreview, True).split(":")[1], (page(openreview),)),
        (sites.paper_id(openreview, True), (page(openreview),)),
        (record(arxiv).authors[0], (page(arxiv),)),
        (record(several).authors[-1], (page(several),)),
        (record(doi).authors[0], (page(doi),)),
        (f"{record(openreview).authors[0]} {record(openreview).authors[-1]}", (page(openreview),)),
        (f"Synthetic Paper {arxiv}", (page(arxiv),)),
        (f"Synthetic Paper {doi}", (page(doi),)),
        (f"synthetic paper {openreview}", (page(openreview),)),
        (f"Synthetic Paper {math} μP", (page(math),)),
        (_plain_title(record(math).title), (page(math),)),
        (_plain_title(record(doi).title), (page(doi),)),
        ("vision", tagged("vision")),
        ("robustness", tagged("robustness")),
        ("audio", tagged("audio")),
        ("Journal of Synthetic Results", venue("Journal of Synthetic Results")),
        ("Synthetic Conference 3030", venue("Synthetic Conference 3030")),
        ("2030", ("years/2030", *(page(n) for n in range(1, total + 1)))),
    ]
    for m in unowned:
        queries.append((sites.paper_id(m, True).removeprefix("doi:"), tuple(mentioned[m])))
        queries.append((f"Synthetic Paper {m}", tuple(mentioned[m])))
    return queries


def _plain_title(title: str) -> str:
    return title.replace(r"$\mu$P", "μP").replace("$10^{12}$", "10¹²")


# -- the sites ----------------------------------------------------------------------------

def build(source: Path, *extra: str, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run([str(SPHINX_BUILD), "-b", "html", "-j", "auto", "-q", str(source),
                    str(source / "_build" / "html"), "-d", str(source / "_build" / "doctrees"),
                    *extra], check=True, env=env)
    return time.perf_counter() - started


def bench_site(work: Path, total: int) -> tuple[Path, float | None]:
    root = work / f"site-{total}"
    if (root / "_build" / "html" / "index.html").exists():  # built by an earlier run:
        build(root)  # brought up to date, its time not a clean build's
        return root, None
    sites.make_site(root, total, "ext", "mixed-sources")
    return root, build(root)


def real_site(work: Path) -> tuple[Path, float, list]:
    import os

    import real_site
    with real_site.real_servers() as (settings, environ):
        root = real_site.make_real_site(work / "site-real", settings)
        seconds = build(root, env={**os.environ, **environ,
                                   "PYTHONPATH": str(REPO / "_ext")})
    return root, seconds, real_site.REAL_QUERIES


# -- the engines' indexes -----------------------------------------------------------------

def pagefind_index(root: Path) -> tuple[float, int]:
    """Time to make the paper search's index again from its documents (each of its
    parts in turn, as the build makes them), and its size."""
    parts = [folder for folder in (root / "_build" / "doctrees" / "mlcommentary-search").iterdir()
             if folder.is_dir()]
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        for part in parts:
            subprocess.run([str(PYTHON), "-m", "pagefind", "--site", str(part),
                            "--output-path", str(Path(scratch, part.name))],
                           check=True, capture_output=True)
        seconds = time.perf_counter() - started
    return seconds, _size(root / "_build" / "html" / "pagefind")


def minisearch_index(root: Path) -> tuple[float, int]:
    """Write MiniSearch's page and its papers' JSON (from the same documents); the
    time to write them and the JSON's size."""
    if not (MINISEARCH / "node_modules" / "minisearch").exists():
        subprocess.run(["npm", "install", "--silent", "--prefix", str(MINISEARCH),
                        f"minisearch@{MINISEARCH_VERSION}"], check=True)
    started = time.perf_counter()
    papers = []
    documents = root / "_build" / "doctrees" / "mlcommentary-search"
    for path in sorted(documents.rglob("*.html"), key=lambda path: path.name):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = dict(span["data-pagefind-meta"].split(":", 1)
                    for span in soup.select("span[data-pagefind-meta]"))
        # Each part by its kind, which its weight tells (paper_search.WEIGHTS).
        parts: dict[float, list[str]] = {}
        for part in soup.select("p[data-pagefind-weight]"):
            parts.setdefault(float(part["data-pagefind-weight"]), []).append(part.get_text())
        text = lambda kind: " ".join(parts.get(WEIGHTS[kind], ()))  # noqa: E731
        papers.append({"id": len(papers), "url": meta["url"], "title": text("title"),
                       "ids": text("id"), "authors": text("author"), "venue": text("venue"),
                       "heading": text("heading"), "tags": text("tag")})
    html = root / "_build" / "html"
    (html / "minisearch-papers.json").write_text(json.dumps(papers), encoding="utf-8")
    shutil.copy(MINISEARCH / "node_modules" / "minisearch" / "dist" / "umd" / "index.js",
                html / "minisearch.js")
    (html / "minisearch.html").write_text(MINISEARCH_PAGE, encoding="utf-8")
    return time.perf_counter() - started, (html / "minisearch-papers.json").stat().st_size


MINISEARCH_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>MiniSearch</title><script src="minisearch.js"></script></head><body>
<ol id="minisearch-results"></ol><p id="minisearch-summary"></p>
<script>
fetch("minisearch-papers.json").then((r) => r.json()).then((papers) => {
  const index = new MiniSearch({
    fields: ["title", "ids", "authors", "venue", "heading", "tags"], storeFields: ["url", "title"],
    searchOptions: { boost: { ids: 10, title: 6, authors: 5, venue: 3, tags: 3, heading: 2 },
                     prefix: true, fuzzy: 0.1 } });
  index.addAll(papers);
  const query = new URLSearchParams(location.search).get("q");
  const found = index.search(query);
  for (const hit of found.slice(0, 10)) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = hit.url;
    link.textContent = hit.title;
    item.append(link);
    document.getElementById("minisearch-results").append(item);
  }
  document.getElementById("minisearch-summary").textContent = `found ${found.length}`;
});
</script></body></html>
"""


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


# -- asking the engines -------------------------------------------------------------------

class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # a page closed while its last requests were answered


def serve(folder: Path) -> Server:
    server = Server(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ask(browser, base: str, folder: Path, engine: str, query: str) -> dict:
    address, results, finished = ENGINES[engine]
    context = browser.new_context()
    # Every response, the page's and its workers' (Pagefind fetches its index in one),
    # with the moment it ended.
    fetched: list[tuple[str, int, float]] = []

    def note(request) -> None:  # noqa: ANN001
        try:
            fetched.append((request.url, request.sizes()["responseBodySize"],
                            request.timing["startTime"] + request.timing["responseEnd"]))
        except Exception:  # noqa: BLE001 (finished as the page closed: after the result)
            pass

    context.on("requestfinished", note)
    page = context.new_page()
    page.add_init_script(f"({WATCH})({json.dumps(results)})")
    page.goto(base + address.format(quote(query)))
    page.wait_for_function(f"window.__first !== undefined || ({finished})", timeout=120_000)
    if page.evaluate("window.__first === undefined"):  # finished, and found nothing
        context.close()
        return {"top": [], "bytes": None, "gzip": None, "ms": None}
    first, origin = page.evaluate("[window.__first, performance.timeOrigin]")
    before = [(url, size) for url, size, ended in fetched if ended <= origin + first]
    # The top three, once the engine has finished (Sphinx adds its results one by one).
    page.wait_for_function(finished, timeout=120_000)
    top = page.eval_on_selector_all(results + " a", "links => links.map(a => a.href)")
    context.close()
    return {"top": [_docname(href, base) for href in _firsts(top)], "ms": first,
            "bytes": sum(size for _, size in before),
            "gzip": sum(_gzipped(folder, name, base) for name, _ in before)}


def _firsts(hrefs: list[str]) -> list[str]:
    """The first link of each result (Sphinx's results link their page once or more)."""
    seen = []
    for href in hrefs:
        if href.split("#")[0] not in [s.split("#")[0] for s in seen]:
            seen.append(href)
    return seen[:3]


def _docname(href: str, base: str) -> str:
    path = urlsplit(href).path.removeprefix(urlsplit(base).path)
    return re.sub(r"(\.html|/)$", "", path)


@functools.cache
def _gzipped(folder: Path, name: str, base: str) -> int:
    path = folder / urlsplit(name).path.removeprefix(urlsplit(base).path)
    if path.is_dir():
        path = path / "index.html"
    data = path.read_bytes() if path.is_file() else b""
    # Pagefind's own files are gzipped already; a CDN sends them as they are.
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))


def run_queries(folder: Path, queries: list, engines: list[str]) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    server = serve(folder)
    served = f"http://127.0.0.1:{server.server_port}/"
    figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])
        for engine in engines:
            base = folder.as_uri() + "/" if engine in FROM_DISK else served
            answers = [(query, expected, ask(browser, base, folder, engine, query))
                       for query, expected in queries]
            figures[engine] = summarise(answers)
            for query, expected, answer in answers:
                if not answer["top"] or answer["top"][0] not in expected:
                    print(f"    {engine} missed {query!r}: {answer['top'][:3]}", flush=True)
        browser.close()
    server.shutdown()
    return figures


def summarise(answers: list) -> dict:
    found = [answer for _, _, answer in answers if answer["ms"] is not None]
    return {
        "top1": sum(bool(a["top"]) and a["top"][0] in e for _, e, a in answers) / len(answers),
        "top3": sum(any(t in e for t in a["top"][:3]) for _, e, a in answers) / len(answers),
        "bytes": statistics.median(a["bytes"] for a in found) if found else None,
        "gzip": statistics.median(a["gzip"] for a in found) if found else None,
        "ms": statistics.median(a["ms"] for a in found) if found else None,
    }


def report(name: str, pages: int, build_seconds: float, figures: dict, indexes: dict) -> None:
    built = "built before" if build_seconds is None else f"built in {build_seconds:.1f} s"
    print(f"\n{name}: {pages} pages, {built}")
    print(f"  {'engine':<11}{'top-1':>7}{'top-3':>7}{'KB to 1st':>11}{'gzip KB':>9}"
          f"{'ms to 1st':>11}{'index KB':>10}{'index s':>9}")
    for engine, got in figures.items():
        size, seconds = indexes[engine]
        print(f"  {engine:<11}{got['top1']:>7.0%}{got['top3']:>7.0%}"  # noqa: E501
              f"{_kb(got['bytes']):>11}{_kb(got['gzip']):>9}"
              f"{'-' if got['ms'] is None else round(got['ms']):>11}"
              f"{_kb(size):>10}{'' if seconds is None else f'{seconds:.2f}':>9}", flush=True)


def _kb(size: float | None) -> str:
    return "-" if size is None else f"{size / 1024:.0f}"


def measure(name: str, root: Path, build_seconds: float, queries: list, engines: list) -> dict:
    html = root / "_build" / "html"
    indexes = {"sphinx": (sites.sphinx_search_bytes(html), None)}
    seconds, size = pagefind_index(root)
    indexes["pagefind"] = (size, seconds)
    seconds, size = minisearch_index(root)
    indexes["minisearch"] = (size, seconds)
    indexes["disk"] = indexes["sphinx"]  # what the search from disk loads
    figures = run_queries(html, queries, engines)
    pages = sum(1 for _ in (root / "papers").glob("*.md"))
    report(name, pages, build_seconds, figures, indexes)
    return {"queries": len(queries), "figures": figures,
            "indexes": {engine: list(index) for engine, index in indexes.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--no-real", action="store_true", help="skip the real-paper site")
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary "
                        "folder); a site already built there is measured as it is")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="search-bench-"))
    results = {}
    if not options.no_real:
        root, seconds, queries = real_site(work)
        results["real"] = measure("real papers", root, seconds, queries, options.engines)
    for total in options.sizes:
        root, seconds = bench_site(work, total)
        results[str(total)] = measure(f"{total} commentaries", root, seconds,
                                      bench_queries(total), options.engines)
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
