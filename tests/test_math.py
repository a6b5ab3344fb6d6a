"""Math by authors (MyST dollarmath, amsmath) and by arXiv (TeX in titles, abstracts and
comments): MathML in HTML, real math in the PDF, Unicode where only plain text fits, and
broken TeX left as arXiv wrote it, without a warning.

The site is ``tests/roots/test-math`` (synthetic records of December 3012) plus a page
citing every paper of the real recorded arXiv responses, whose abstracts carry math.
"""

from __future__ import annotations

import json
import random
import unicodedata

import pytest
from bs4 import BeautifulSoup
from conftest import FUTURE_MONTH, RESPONSES_DIR
from helpers import copy_root, sphinx_build
from hypothesis import example, given
from hypothesis import strategies as st
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_pdf_epub import build, needs_latex, pdf_pages

from mlcommentary.sphinx_ext.mathml import rich_nodes
from mlcommentary.data.tex import is_valid_math, plain_math, plain_text, segments

MUP = r"Scaling $\mu$P to $10^{12}$ parameters"
UNBALANCED = r"The $\alpha-trick costs $5 and $10 of {braces"
#: Math as arXiv's own pages render it (MathJax): a digit after the closing dollar, and
#: display math in brackets.
ARXIV_MATH = r"A $\sim$100 GeV mass, and \[E = mc^2\] in \emph{display}, \textbf{really}."
UNCOMPILABLE = r"Rendering $x^$ and $\bm{w}$ and $\foo{y}$ breaks nothing"


# -- tex.py: the one definition of arXiv's math ---------------------------------------

@pytest.mark.parametrize(("text", "plain"), [
    (MUP, "Scaling μP to 10¹² parameters"),
    (r"$\mathcal{O}(n^{1/2})$ for $x_{ij}$ and $\log n$", "𝒪(n⁽1/2⁾) for xᵢⱼ and log n"),
    (r"save 25\% with $\alpha = 0.5$", "save 25% with α = 0.5"),
    (UNBALANCED, UNBALANCED),
    (UNCOMPILABLE, UNCOMPILABLE),
    (ARXIV_MATH, "A ∼100 GeV mass, and E = mc² in display, really."),
])
def test_plain_text_is_unicode_and_broken_tex_stays_as_written(text, plain):
    assert plain_text(text) == plain


#: Math whose plain text must keep its meaning (issue 17): EPUB, feeds, descriptions and
#: accessible names read it.
MEANINGFUL_PLAIN_TEXT = [
    (r"$\|x\|_2$", "‖x‖₂"),  # a norm, not a ratio
    (r"$1 \le t \le \dim X$", "1 ≤ t ≤ dim X"),
    (r"$\Pr[A] = \det M$", "Pr[A] = det M"),
    (r"$n\log n$", "n log n"),
    (r"$(\log n)$", "(log n)"),
    (r"$\tfrac{r}{2}$", "r/2"),
    (r"$f\colon X \to Y$", "f: X → Y"),
    (r"$\max(a, b)$", "max(a, b)"),
    (r"$\max_i x_i$", "maxᵢ xᵢ"),
    (r"$\sum_{i=1}^{n} x_i$", "∑ᵢ₌₁ⁿ xᵢ"),
    # A script Unicode has no characters for is between its script parentheses: where
    # it ends is part of its meaning, and no TeX is left.
    (r"$\lim_{n\to\infty} a_n$", "lim₍n→∞₎ aₙ"),
    (r"$\sup_{x \in X} f$", "sup₍x ∈ X₎ f"),
    (r"$x^{\alpha+1}$", "x⁽α+1⁾"),
    (r"$e^{-x^2}$", "e⁽-x²⁾"),
    (r"$x_\alpha$", "x₍α₎"),
    (r"$\frac{a+b}{2}$", "(a+b)/2"),  # not a + b/2
    (r"$\tfrac{1}{n}$", "1/n"),
    (r"$\frac{a}{b+c}$", "a/(b+c)"),
]

#: Display math as a reader's tools read it (an equation's accessible name): each row
#: of an alignment apart from the next.
MEANINGFUL_PLAIN_DISPLAY = [
    (r"a &= b \\ c &= d", "a = b; c = d"),
    (r"\begin{align} x &= 1 \\ y &= 2 \\ \end{align}", "x = 1; y = 2"),
]


@pytest.mark.parametrize(("tex", "plain"), MEANINGFUL_PLAIN_DISPLAY)
def test_plain_display_math_keeps_rows_apart(tex, plain):
    assert plain_math(tex) == plain


@pytest.mark.parametrize(("text", "plain"), MEANINGFUL_PLAIN_TEXT)
def test_plain_text_keeps_the_maths_meaning(text, plain):
    assert plain_text(text) == plain


def test_only_math_both_outputs_can_show_is_math():
    assert [s.tex for s in segments(MUP) if s.is_math] == [r"\mu", "10^{12}"]
    assert not any(s.is_math for s in segments(UNBALANCED))
    # Would not compile: a missing superscript, a package Sphinx does not load, a typo.
    assert [s.tex for s in segments(UNCOMPILABLE) if s.kind == "math"] == [
        "x^", r"\bm{w}", r"\foo{y}"]
    assert not any(s.is_math for s in segments(UNCOMPILABLE))
    assert not is_valid_math(r"\begin{align} a \end{align}")


@given(st.lists(st.sampled_from([*"$\\{}^_ aμx%()", r"\mu", r"\frac", "$$"])).map("".join))
@example(r"$\frac\frac($")
@example(r"$\frac^a$")
def test_any_text_splits_back_into_itself_and_never_raises(text):
    assert "".join(s.source for s in segments(text)) == text
    plain_text(text)
    rich_nodes(text)


# -- TeX fragments that must never stop the PDF --------------------------------------

#: A real abstract's math (issue 17): a Unicode letter right after a control word.
TILDE_THETA = r"$\tildeΘ(\sqrt{\log N}\cdot\varepsilon^{-2})$ samples suffice"
#: The pieces arXiv's TeX is made of, the ones that mix badly most of all.
_PIECES = ["$", "$", "{", "}", "\\", "^", "_", " ", "x", "2", "Θ", "α", "λ", "≤", "→", "∑",
           "𝒪", "é", r"\tilde", r"\hat", r"\sqrt", r"\frac", r"\mathbb", r"\log", r"\cdot",
           r"\emph", r"\textbf", r"\%", r"\$", r"\(", r"\)", r"\[", r"\]", r"\\", "~", "&",
           "#", r"\begin{align}", r"\end{align}", r"\left(", r"\right)", r"\over", r"\bm"]


def tex_fragments(count: int, seed: int = 17) -> list[str]:
    """``count`` fragments of arXiv-like TeX, the same on every run (a failure can be
    read again), each a random mix of ``_PIECES``."""
    rng = random.Random(seed)
    return [TILDE_THETA] + ["".join(rng.choices(_PIECES, k=rng.randint(1, 14)))
                            for _ in range(count - 1)]


# -- the site ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    """The math root, built once with -W: arXiv's math broken or not, no warning. With
    the recorded responses at hand, plus a page citing each of their papers."""
    from mlcommentary.data.testing import FakeArxiv, RealResponses, synthetic_entry

    tmp_path = tmp_path_factory.mktemp("math")
    srcdir = copy_root("math", tmp_path)
    real = (RealResponses.load(RESPONSES_DIR) if (RESPONSES_DIR / "MANIFEST.md").exists()
            else RealResponses())
    with FakeArxiv(real) as server:
        # Each fragment as a title, an abstract and a comment, for the one PDF below.
        for number, fragment in enumerate(tex_fragments(150), start=90001):
            server.entries[f"{FUTURE_MONTH}.{number}"] = synthetic_entry(
                f"{FUTURE_MONTH}.{number}", f"Fragment {number}: {fragment}", ["A. Fragment"],
                summary=fragment,
                comment=fragment)
        server.entries[f"{FUTURE_MONTH}.90000"] = synthetic_entry(
            f"{FUTURE_MONTH}.90000", "Math as arXiv renders it", ["A. Mathjax"],
            summary=ARXIV_MATH)
        (srcdir / "papers" / "real.md").write_text("# Real papers\n\n" + "".join(
            f"```{{paper}} {arxiv_id}\n```\n\n" for arxiv_id in sorted(server.entries)))
        result = sphinx_build(srcdir, tmp_path / "html", "-D", "arxiv_offline=0",
                              "-D", f"arxiv_api_url={server.url}")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return srcdir, tmp_path / "html"


def soup(outdir, page: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / page).read_text(encoding="utf-8"), "html.parser")


def test_arxiv_math_is_mathml_in_cards_indexes_and_links(math_site):
    _, outdir = math_site
    page = soup(outdir, "papers/mup.html")
    title = page.select_one(".paper-card-title")
    assert "$" not in title.get_text()
    assert [m.get_text() for m in title.select("math")] == ["μ", "1012"]
    assert title.select_one("math msup")  # 10 to the 12th, not "1012"
    assert page.select(".paper-card-abstract math")
    assert page.select_one(".paper-card-facts math msub")  # the comment's \ell_1
    entry = soup(outdir, "index.html").select_one('ul.paper-index a[href$="#paper-3012-00001"]')
    assert entry.select("math") and "$" not in entry.get_text()
    link = page.select_one('article a.paper-ref[href="#paper-3012-00001"]')
    assert link.select("math")
    # Plain text where only that fits: the tooltip and the page's <title>.
    assert link["title"] == "arXiv:3012.00001: Scaling μP to 10¹² parameters"
    assert page.title.get_text().startswith("Scaling laws, μP and 10¹²")


def test_search_results_name_pages_with_math_in_unicode(math_site):
    _, outdir = math_site
    script = (outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(script[script.index("(") + 1:script.rindex(")")])
    assert "Scaling laws, μP and 10¹²" in index["titles"]
    assert "Scaling laws, μP and 10¹²" in index["alltitles"]
    assert not [title for title in index["alltitles"] if "\\" in title or "^{" in title]


def test_authors_math_is_mathml_with_numbered_equations(math_site):
    _, outdir = math_site
    page = soup(outdir, "papers/mup.html")
    inline = page.select("article p > span.paper-math > math")
    assert "N≫n" in [m.get_text() for m in inline]
    display = page.select("article div.math")
    assert len(display) == 2  # $$...$$ (labelled) and amsmath's equation
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))  # furo wraps each display, and takes its id
    for block in display:
        assert block.select_one('math[display="block"]')
        assert block.select_one(".eqno")
    assert "\\" not in "".join(block.select_one("math").get_text() for block in display)
    # Nothing is fetched at read time: no MathJax, no script from anywhere else.
    scripts = [s.get("src", "") for s in page.select("script")]
    assert not [src for src in scripts if "mathjax" in src.lower() or "//" in src], scripts


def test_broken_tex_stays_text_as_arxiv_wrote_it(math_site):
    _, outdir = math_site
    page = soup(outdir, "papers/broken.html")
    titles = [t.get_text() for t in page.select(".paper-card-title")]
    assert titles == [UNBALANCED, UNCOMPILABLE]
    assert not page.select(".paper-card math")
    # The commentary that mentions them is named with its title's math as Unicode, where
    # Sphinx's own reference to a page would write "\\muP and 10^{12}".
    discussed = page.select_one('.paper-card a[href="mup.html"]')
    assert discussed.get_text() == "Scaling laws, μP and 10¹²"


def test_real_abstracts_have_their_math_rendered(math_site, real_responses):
    srcdir, outdir = math_site
    page = soup(outdir, "papers/real.html")
    abstracts = [a for a in page.select(".paper-card-abstract") if a.select("math")
                 and "Fragment" not in a.find_parent(class_="paper-card").get_text()]
    assert len(abstracts) >= 2
    for abstract in abstracts:
        assert "$" not in abstract.get_text()


def test_abstracts_render_the_math_arxivs_pages_render(math_site):
    _, outdir = math_site
    [card] = [card for card in soup(outdir, "papers/real.html").select(".paper-card")
              if "Math as arXiv renders it" in card.get_text()]
    abstract = card.select_one(".paper-card-abstract")
    assert [m.get_text() for m in abstract.select("math")] == ["~", "E=mc2"]  # latex2mathml's \sim
    # \[...\] is a display, as on arXiv's page: a block of its own.
    assert [m.get("display") for m in abstract.select("math")] == ["inline", "block"]
    assert "$" not in abstract.get_text() and "\\" not in abstract.get_text()
    assert abstract.select_one("em").get_text() == "display"
    assert abstract.select_one("strong").get_text() == "really"


#: An author's broken math: as written, the TeX the warning quotes, and why it says.
BROKEN_MATH = [
    ("$x^$", "x^", "missing super script or subscript"),
    # latex2mathml draws these without a word: a one-part fraction, a command's name.
    ("$\\frac{a$", "\\frac{a", "its braces do not pair"),
    ("$\\frac{a}$", "\\frac{a}", "a command lacks an argument, or an environment its end"),
    ("$\\arg z$", "\\arg z", "\\arg: not a command that can be rendered here"),
    ("$$\n\\frac{1}{2\n$$", "\\frac{1}{2", "its braces do not pair"),
]


@pytest.fixture(scope="module")
def broken_math(tmp_path_factory):
    """The math site with each of ``BROKEN_MATH`` in a paragraph of its own on one page,
    built once without -W; the build's result, each case's line, and the output."""
    tmp_path = tmp_path_factory.mktemp("broken-math")
    srcdir = copy_root("math", tmp_path)
    page = srcdir / "papers" / "broken.md"
    text, lines = page.read_text(), {}
    for written, _, _ in BROKEN_MATH:
        lines[written] = len(text.splitlines()) + 2
        text += f"\nA typo: {written}\n"
    page.write_text(text)
    return sphinx_build(srcdir, tmp_path / "html", strict=False), lines, tmp_path / "html"


@pytest.mark.parametrize(("written", "tex", "why"), BROKEN_MATH)
def test_an_authors_broken_math_gets_a_typed_warning_and_the_build_goes_on(
        broken_math, written, tex, why):
    result, lines, outdir = broken_math
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == len(BROKEN_MATH), warnings  # one each, none other
    assert f"broken.md:{lines[written]}: WARNING: math that cannot be rendered, shown as " \
           f"TeX: {tex} ({why}) [paper.math]" in result.stderr, warnings
    assert any(span.get_text().strip() == tex for span in
               soup(outdir, "papers/broken.html").select("span.math-error"))


def test_text_builder_writes_arxiv_math_as_unicode(math_site, tmp_path):
    srcdir, _ = math_site
    result = sphinx_build(srcdir, tmp_path / "text", builder="text")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text" / "papers" / "mup.txt").read_text(encoding="utf-8")
    assert "**Scaling μP to 10¹² parameters**" in text
    assert "12 pages; the ℓ₁ version" in text
    assert "𝒪(n⁽1/2⁾)" in text
    assert r"\mu" not in text.split("-[ BibTeX ]-")[0].split("\n", 2)[2]
    broken = (tmp_path / "text" / "papers" / "broken.txt").read_text(encoding="utf-8")
    assert f"**{UNBALANCED}**" in broken


@needs_latex
def test_pdf_compiles_with_the_math(math_site, tmp_path):
    srcdir, _ = math_site  # its metadata file now holds the real records too
    latexdir = build("latexpdf", srcdir, tmp_path)
    text = unicodedata.normalize("NFKC", "\n".join(pdf_pages(next(latexdir.glob("*.pdf")))))
    assert "Scaling μP to 1012 parameters" in text  # the 12 raised, as a superscript
    assert UNBALANCED.replace("{", "") in text.replace("{", "")
    tex = next(latexdir.glob("*.tex")).read_text(encoding="utf-8")
    assert r"Scaling \(\mu\)P to \(10^{12}\) parameters" in tex
    assert r"\begin{equation}" in tex
    assert r"mass, and \[E = mc^2\] in \sphinxstyleemphasis{display}" in tex
    # Greek letters and symbols outside math, in arXiv's text, are in the PDF too.
    assert "β-VAEs with γ ≤ 1 learn → disentangled codes" in text
    # (Δ comes back as ∆, INCREMENT, the glyph of math's \Delta.)
    assert "α-divergences, a λ sweep, and ∆ ≥ 0." in text
    # Every real response's TeX and every generated fragment are in the same PDF.
    assert "samples suffice" in text


# -- in the browser ----------------------------------------------------------------------

@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_math_is_laid_out_in_the_browser(math_site, scheme):
    from playwright.sync_api import sync_playwright

    _, outdir = math_site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(color_scheme=scheme, viewport={"width": 390, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: r.url.startswith("file:") or requests.append(r.url))
        page.goto((outdir / "papers" / "mup.html").as_uri())
        title = page.locator(".paper-card-title")
        assert "$" not in title.inner_text()
        maths = title.locator("math")
        assert maths.count() == 2
        for i in range(2):
            box = maths.nth(i).bounding_box()
            assert box["width"] > 0 and box["height"] > 0
        # The superscript sits higher than its base: laid out as math, not as text.
        base = title.locator("msup > mn").first.bounding_box()
        exponent = title.locator("msup > mrow").first.bounding_box()
        assert exponent["y"] < base["y"]
        # The math takes the text's colour, whatever the scheme.
        colours = title.evaluate(
            "t => [getComputedStyle(t).color, getComputedStyle(t.querySelector('math')).color]")
        assert colours[0] == colours[1]
        for block in page.locator("article div.math math").all():
            assert block.bounding_box()["width"] > 0
        browser.close()
    assert requests == []
