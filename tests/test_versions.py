"""What became of a paper since its commentary, on its card in every output: a newer
version than the one cited, a withdrawal, a journal (a badge linking to the DOI)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from helpers import copy_root, sphinx_build
from test_accessibility import AXE_RUN, axe_js  # noqa: F401 (a fixture)
from test_browser import CHROMIUM, browser  # noqa: F401 (a fixture)

VERSION_NOTICE = "This commentary cites v1; the latest is v3, 12 Mar 2031."
WITHDRAWN = ("arXiv marks this paper as withdrawn. Its comment: “This paper has been "
             "withdrawn by the author due to an error in Theorem 2”")
PUBLISHED = "Published in Journal of Synthetic Results 7 (2031) 1-20"
DOI_URL = "https://doi.org/10.0000/synthetic.published"
CARD_AXE_RUN = AXE_RUN.replace("axe.run(document,", "axe.run('div.paper-card',")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("versions")
    srcdir = copy_root("versions", tmp_path)
    return srcdir, tmp_path


def build(site, builder: str):
    srcdir, tmp_path = site
    out = tmp_path / builder
    result = sphinx_build(srcdir, out, builder=builder)
    assert result.returncode == 0, result.stderr
    return out


def card(out, page: str):
    soup = BeautifulSoup((out / "papers" / f"{page}.html").read_text(encoding="utf-8"),
                         "html.parser")
    return soup.select_one("div.paper-card")


def test_html_card_says_what_became_of_the_paper(site):
    out = build(site, "html")

    versioned = card(out, "versioned")
    notice = versioned.select_one("p.paper-card-version")
    assert notice.get_text() == VERSION_NOTICE
    assert [(a.get_text(), a["href"]) for a in notice.select("a")] == [
        ("v1", "https://arxiv.org/abs/3012.00201v1"), ("v3", "https://arxiv.org/abs/3012.00201v3")]
    # The dates say when, no longer which version the commentary cites.
    assert "cites" not in versioned.select_one("dl.paper-card-facts").get_text()
    assert versioned.select_one(".paper-card-withdrawn, .paper-badge") is None

    withdrawn = card(out, "withdrawn")
    notice = withdrawn.select_one("div.paper-card-withdrawn")
    assert notice["role"] == "note" and "admonition" in notice["class"]
    assert notice.select_one(".admonition-title").get_text() == "Withdrawn"
    assert " ".join(notice.p.find_next_sibling("p").get_text().split()) == WITHDRAWN
    # The comment is the notice: not repeated among the facts.
    assert "Comment" not in withdrawn.select_one("dl.paper-card-facts").get_text()
    assert withdrawn.select_one("p.paper-card-version") is None

    published = card(out, "published")
    badge = published.select_one("p.paper-card-published a.paper-badge")
    assert (badge.get_text(), badge["href"]) == (PUBLISHED, DOI_URL)
    # It cites the latest version, v2: nothing to say about versions.
    assert published.select_one("p.paper-card-version, .paper-card-withdrawn") is None


def test_text_says_it_in_words(site):
    out = build(site, "text")
    page = {name: " ".join((out / "papers" / f"{name}.txt").read_text().split())
            for name in ("versioned", "withdrawn", "published")}
    assert VERSION_NOTICE in page["versioned"]
    assert f"Withdrawn: {WITHDRAWN}" in page["withdrawn"]
    assert PUBLISHED in page["published"]


def test_latex_has_a_warning_box_and_links_and_compiles(site):
    out = build(site, "latex")
    [tex] = out.glob("*.tex")
    source = tex.read_text(encoding="utf-8")
    assert r"\begin{sphinxadmonition}{warning}{Withdrawn}" in source
    published = PUBLISHED.replace("-", r"\sphinxhyphen{}")
    assert r"\sphinxhref{" + DOI_URL + "}{" + published + "}" in source
    assert r"\sphinxhref{https://arxiv.org/abs/3012.00201v3}{v3}" in source

    if shutil.which("latexmk") is None or shutil.which("pdftotext") is None:
        pytest.skip("no latexmk or pdftotext: install Debian's latexmk, TeX Live and "
                    "poppler-utils, as .ci/run does")
    run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                          tex.name], cwd=out, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    text = subprocess.run(["pdftotext", str(tex.with_suffix(".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    assert "arXiv marks this paper as withdrawn" in text and PUBLISHED in text
    assert "This commentary cites v1; the latest is v3" in text


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_browser_shows_them_in_furos_colours_and_axe_finds_nothing(site, scheme, browser,  # noqa: F811
                                                                  axe_js):  # noqa: F811
    """Under furo, in light and dark, on a desktop and a phone. axe reads the card only:
    the rest is furo's (the real site's is checked in test_accessibility)."""
    if CHROMIUM is None:
        pytest.skip("no Chromium: install Debian's package (apt-get install chromium)")
    srcdir, tmp_path = site
    out = tmp_path / "furo"
    result = sphinx_build(srcdir, out, "-D", "html_theme=furo")
    assert result.returncode == 0, result.stderr
    for width in (1280, 390):
        page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 800})
        for name in ("versioned", "withdrawn", "published"):
            page.goto((out / "papers" / f"{name}.html").as_uri())
            page.add_script_tag(path=axe_js)
            assert page.evaluate(CARD_AXE_RUN) == [], (name, width)
        # The badge takes furo's link colour, whichever the scheme.
        colours = page.evaluate("""() => {
            const badge = document.querySelector('.paper-badge');
            const probe = document.createElement('span');
            probe.style.color = 'var(--color-brand-content)';
            document.body.append(probe);
            return [getComputedStyle(badge).color, getComputedStyle(probe).color];
        }""")
        assert colours[0] == colours[1]
        page.close()
