"""arXiv's text is untrusted: hostile or odd metadata is escaped in every output."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from helpers import build, copy_root
from pybtex.database import parse_string

from mlcommentary.data.testing import synthetic_entry
from mlcommentary.data.metadata import clean_text

#: Valid math becomes math; TeX that is no math LaTeX and MathML both know stays text.
MATH, NOT_MATH = "$\\mathbb{F}_e$", "$\\input{/etc/passwd}$"
TITLE = (f"<script>alert('title')</script> \"quoted\" 'single' {MATH} {NOT_MATH} "
         "\u202eevil\u202c مرحبا Zoe\u0301 bell\x07 } unbalanced {")
AUTHORS = ["<img src=x onerror=alert(1)>", '"><script>alert(2)</script>', "محمد علي",
           "Zoe\u0301 Example", "Nul\x00 Byte", "Ada and Bo", "{Brace"] + [
           f"Author {n}" for n in range(493)]
ABSTRACT = ("javascript:alert(3) <script>alert(4)</script> " * 2000)[:100_000]
SERVED_TITLE = '<script>alert("served")</script> & "quotes"'


def hostile_record() -> dict:
    return {
        "id": "3012.00001", "version": 1, "title": TITLE, "authors": AUTHORS,
        "published": "2030-12-01", "updated": "2030-12-01", "primary_category": "cs.LG",
        "categories": ["cs.LG", "<b>bold</b>"],
        "comment": "data:text/html,<script>alert(5)</script>",
        "journal_ref": '"onmouseover="alert(6)', "doi": "javascript:alert(7)",
        "abstract": ABSTRACT, "source": "arxiv-api",
    }


@pytest.fixture
def hostile_site(tmp_path, fake_arxiv):
    srcdir = copy_root("hostile", tmp_path)
    (srcdir / "_data").mkdir()
    (srcdir / "_data" / "arxiv.json").write_text(json.dumps(
        {"schema_version": 1, "papers": {"3012.00001": hostile_record()}}))
    fake_arxiv.add(synthetic_entry("3012.00002", SERVED_TITLE, ["x\" onclick=\"alert(8)"],
                                   summary="<iframe src=javascript:alert(9)>"))
    return srcdir, {"arxiv_api_url": fake_arxiv.url}


def test_html_escapes_everything(make_app, hostile_site):
    srcdir, overrides = hostile_site
    app = make_app("html", srcdir=srcdir, confoverrides=overrides)
    app.build()
    assert app.warning.getvalue() == ""
    html = (app.outdir / "index.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    main = page.select_one("[role=main]")

    assert "alert" not in "".join(s.get_text() for s in page.find_all("script"))
    assert not main.find_all(["img", "iframe", "b"])
    assert not [a for tag in main.find_all(True) for a in tag.attrs if a.startswith("on")]
    hrefs = [a["href"] for a in main.select("a[href]") if not a["href"].startswith("#")]
    assert hrefs and all(h.startswith(("https://arxiv.org/", "https://doi.org/")) for h in hrefs)
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in html

    card = main.select_one("div.paper-card")
    title = card.select_one(".paper-card-title")
    [math] = title.find_all("math")  # MathML, as the browser's own math
    assert math.get_text() == "𝔽e"
    assert title.get_text() == clean_text(TITLE).replace(MATH, "𝔽e")
    assert "\u202e" not in html and "\x07" not in html and "\x00" not in html
    assert "مرحبا" in html and "Zoe\u0301" in html
    authors = card.select_one(".paper-card-authors")
    assert authors.select_one("summary").get_text() == "and 495 more"
    assert authors.get_text().count("Author ") == 493
    assert ABSTRACT.strip()[:200] in card.select_one(".paper-card-abstract").get_text()
    # Not a DOI, so not a link.
    badge = card.select_one(".paper-card-published .paper-badge")
    assert badge.name == "span" and badge.get_text() == 'Published in "onmouseover="alert(6)'
    # The served paper's title is text too, in the reference and in :related:.
    assert [a.get_text() for a in main.select("a.paper-ref")] == [SERVED_TITLE, SERVED_TITLE]

    bibtex = card.select_one(".paper-card-bibtex pre").get_text()
    [entry] = parse_string(bibtex, "bibtex").entries.values()
    assert entry.fields["eprint"] == "3012.00001"
    assert len(entry.persons["author"]) == 500


def test_latex_and_text_escape_everything(make_app, hostile_site):
    srcdir, overrides = hostile_site
    latex = build(make_app, srcdir, "latex", confoverrides=overrides)
    assert latex.warning.getvalue() == ""
    tex = next(latex.outdir.glob("*.tex")).read_text()
    assert r"\(\mathbb{F}_e\)" in tex  # math, as math
    assert r"\$\textbackslash{}input\{/etc/passwd\}\$" in tex  # the rest, as text
    assert "\x07" not in tex and "\u202e" not in tex
    assert not re.search(r"(?<!\\)\$\\mathbb|(?<!textbackslash\{\})input\{", tex)

    text = make_app("text", srcdir=srcdir, confoverrides=overrides)
    text.build()
    assert text.warning.getvalue() == ""
    out = (text.outdir / "index.txt").read_text()
    assert "Author 492" in out and "<script>alert('title')</script>" in out
