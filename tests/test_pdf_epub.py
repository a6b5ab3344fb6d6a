"""The PDF and the EPUB as `make latexpdf` and `make epub` write them, read as a reader's
tools read them: LaTeX's own log, the PDF's text, epubcheck, and Chromium for the book's CSS."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest
from conftest import REPO
from helpers import copy_root, epubcheck_messages, make
from test_make import OFFLINE

pytestmark = pytest.mark.toolchain

LATEXMK = shutil.which("latexmk")
needs_latex = pytest.mark.skipif(
    LATEXMK is None,
    reason="no latexmk: install Debian's latexmk texlive-latex-recommended "
           "texlive-latex-extra texlive-fonts-recommended tex-gyre, as .ci/run does")
needs_java = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="no java for epubcheck: install Debian's default-jre-headless, as .ci/run does")
COMMENTARIES = sorted(p.stem for p in (REPO / "papers").glob("*.md"))


def build(target: str, site, builddir):
    result = make(target, f"SOURCEDIR={site}", f"BUILDDIR={builddir}", f"O={OFFLINE}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return builddir / target.removesuffix("pdf")


def pdf_pages(pdf) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("no pdftotext to read the PDF: install Debian's poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]  # each page ends with a form feed


def undefined_references(latexdir) -> list[str]:
    """What the last LaTeX run of each document left undefined, from its log."""
    found = []
    for log in latexdir.glob("*.log"):
        # TeX breaks log lines at 79 characters, in the middle of a label too.
        text = log.read_text(errors="replace").replace("\n", "")
        found += re.findall(r"Warning: (?:Hyper r|R)eference `[^']*' on page \d+ undefined", text)
        found += re.findall(r"There were undefined references", text)
    return found


@pytest.fixture(scope="module")
def site_pdf(tmp_path_factory):
    latexdir = build("latexpdf", REPO, tmp_path_factory.mktemp("pdf"))
    return latexdir, latexdir / "mlcommentary.pdf"


@needs_latex
def test_site_pdf_links_every_paper_reference(site_pdf):
    """The card's anchor gets a \\label: the home page's list, the guide's references
    and the card itself all point at it (before, three undefined references)."""
    latexdir, pdf = site_pdf
    assert pdf.stat().st_size > 0
    assert undefined_references(latexdir) == []
    tex = (latexdir / "mlcommentary.tex").read_text()
    for paper in COMMENTARIES:
        assert re.search(rf"\\label{{\\detokenize{{papers/{paper}:paper-[0-9-]+}}}}", tex)


@needs_latex
def test_site_pdf_reads_as_a_book(site_pdf):
    _, pdf = site_pdf
    pages = pdf_pages(pdf)
    # The contents are titled as such, not after the first toctree's caption.
    assert re.search(r"^\s*Contents\s*$", pages[0], re.M)
    # No page left nearly empty before the last (a book class's blank page after the
    # title or the contents, or a card pushed whole to the next page).
    short = [number for number, page in enumerate(pages[:-1], 1)
             if len([line for line in page.splitlines() if line.strip()]) < 20]
    assert short == []


@needs_latex
def test_commentaries_cross_referencing_each_other_compile_without_undefined_references(
        tmp_path):
    latexdir = build("latexpdf", copy_root("site", tmp_path), tmp_path / "build")
    [pdf] = latexdir.glob("*.pdf")
    assert undefined_references(latexdir) == []
    # alpha's reference to beta, beta's to alpha, and the index's to both.
    tex = next(latexdir.glob("*.tex")).read_text()
    assert len(re.findall(r"\\hyperref\[\\detokenize\{papers/(?:alpha|beta):paper-", tex)) >= 4
    # Without the site's pills, commas tell tags apart: in alpha's card, in the index.
    text = " ".join(" ".join(pdf_pages(pdf)).split())
    assert "Tags vision, scaling" in text
    assert "(2030). Tags: vision, scaling" in text


@needs_latex
@needs_java
def test_a_site_of_every_source_as_a_book_and_an_epub(tmp_path):
    """arXiv and DOI commentaries citing each other: no undefined reference in the PDF,
    each card's links and BibTeX as its source has them, and a clean EPUB."""
    site = copy_root("sources", tmp_path)
    latexdir = build("latexpdf", site, tmp_path / "pdf")
    assert undefined_references(latexdir) == []
    [pdf] = latexdir.glob("*.pdf")
    text = " ".join(" ".join(pdf_pages(pdf)).split())
    assert "Published in Journal of Synthetic Results" in text
    assert "@article{example2030synthetic," in text and "@inproceedings{" in text
    tex = next(latexdir.glob("*.tex")).read_text()
    assert "https://doi.org/10.5555/3012.0003" in tex
    assert re.search(r"\\hyperref\[\\detokenize\{papers/journal:paper-doi-10-5555-3012-0003", tex)
    [book] = build("epub", site, tmp_path / "epub").glob("*.epub")
    assert epubcheck_messages(book) == []


@pytest.fixture(scope="module")
def site_epub(tmp_path_factory):
    builddir = tmp_path_factory.mktemp("epub")
    [book] = build("epub", REPO, builddir).glob("*.epub")
    return book


@needs_java
def test_site_epub_passes_epubcheck(site_epub):
    assert [line for line in epubcheck_messages(site_epub)
            if line.startswith(("FATAL ", "ERROR ", "WARNING "))] == []


@needs_java
def test_epub_of_a_site_without_tags_passes_epubcheck(tmp_path):
    """Its tags overview, listed by no toctree and linked from no tag, is no page of the
    book: epubcheck rejects a page of the spine that nothing links to (OPF-096)."""
    [book] = build("epub", copy_root("math-layout", tmp_path), tmp_path / "build").glob("*.epub")
    assert epubcheck_messages(book) == []


def test_site_epub_navigation_lists_every_commentary(site_epub):
    with zipfile.ZipFile(site_epub) as book:
        nav = ElementTree.fromstring(book.read("nav.xhtml"))
        ncx = ElementTree.fromstring(book.read("toc.ncx"))
    listed = {a.get("href") for a in nav.findall(".//{*}nav//{*}a")}
    listed_ncx = {content.get("src") for content in ncx.findall(".//{*}content")}
    for paper in COMMENTARIES:
        assert f"papers/{paper}.xhtml" in listed
        assert f"papers/{paper}.xhtml" in listed_ncx


def test_site_epub_carries_no_build_state(site_epub):
    """Doctrees beside the book, never in its folder (where they land without -d:
    Sphinx 9 then leaves them out of the .epub but warns about each, fatal under -W)."""
    with zipfile.ZipFile(site_epub) as book:
        names = book.namelist()
    assert [name for name in names if name.endswith((".doctree", ".pickle"))] == []
    assert not list(site_epub.parent.rglob("*.doctree"))


def test_epub_card_labels_show_one_colon(site_epub, tmp_path):
    """As rendered: docutils writes a colon and Sphinx's epub.css adds another after it."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    if CHROMIUM is None:
        pytest.skip("no Chromium to render the book's pages: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with zipfile.ZipFile(site_epub) as book:
        book.extractall(tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((tmp_path / "papers" / f"{COMMENTARIES[0]}.xhtml").as_uri())
            labels = page.eval_on_selector_all(".paper-card dt", """dts => dts.map(dt => {
                const after = getComputedStyle(dt, "::after").content;
                return dt.textContent + (after.startsWith('"') ? JSON.parse(after) : "");
            })""")
        finally:
            browser.close()
    assert "Submitted:" in labels
    assert [label for label in labels if not re.fullmatch(r"[^:]+:", label)] == []


@needs_latex
def test_bibtex_copied_from_the_pdf_is_the_entry(tmp_path):
    """A long line of BibTeX (here the authors) is broken where BibTeX allows, not
    wrapped by LaTeX with continuation marks, which a copied entry would carry."""
    from pybtex.database import parse_string

    from mlcommentary.data.bibtex import bibtex_entry
    from mlcommentary.data.ids import parse_paper_id
    from mlcommentary.data.metadata import PaperRecord

    site = copy_root("search", tmp_path)
    latexdir = build("latexpdf", site, tmp_path / "build")
    [pdf] = latexdir.glob("*.pdf")
    text = "\f".join(pdf_pages(pdf))
    copied = re.search(r"^ *(@misc\{.*?^ *\}) *$", text, re.M | re.S)[1]
    record = PaperRecord.from_json(
        json.loads((site / "_data" / "arxiv.json").read_text())["papers"]["3012.00021"])
    expected = bibtex_entry(record, parse_paper_id("3012.00021v1"), "zyxwomir3012quasicrystal")
    assert max(map(len, expected.splitlines())) > 100  # long enough to need breaking

    def read(bibtex: str):
        [(key, entry)] = parse_string(bibtex, "bibtex").entries.items()
        return (key, {name: " ".join(value.split()) for name, value in entry.fields.items()},
                [str(person) for person in entry.persons["author"]])

    assert read(copied) == read(expected)
