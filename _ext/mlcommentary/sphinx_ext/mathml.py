"""Math in HTML as MathML, written at build time; arXiv's math as each other output takes it.

Browsers and EPUB readers lay MathML out natively, so a page's math needs no script
and no request to anyone at read time, from ``file://`` too. Registered as an HTML
math renderer, it serves the authors' math (MyST ``$...$``, ``$$...$$``, amsmath
environments) and arXiv's alike, on the site's pages and the EPUB's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

from .. import internals
from .nodes import is_part
from ..data.memo import remembered
from ..data.tex import latex_math, math_only_characters, math_problem, plain_math, segments

logger = logging.getLogger(__name__)
#: A paper's title is on every page that cites it: its math is converted once.
_convert = remembered(convert)




#: The cell latex2mathml adds to each numbered row of an ``align``, counting from (1) in
#: every formula.
_ROW_NUMBER = re.compile(r"<mtd><mtext>\((\d+)\)</mtext></mtd>")
#: A line break that ends an environment of numbered rows: pdflatex numbers the empty
#: row after it.
_LAST_BREAK = re.compile(r"\\\\\s*(?=\\end\{(?:align|gather|alignat|flalign|eqnarray)\}\s*$)")
#: The environments of numbered rows that latex2mathml lays out only as an ``align``
#: (it runs a gather's rows together and prints an eqnarray's ``&``): each as one.
_AS_ALIGN = re.compile(
    r"\s*\\begin\{(?P<name>gather|alignat|flalign|eqnarray)\}(?:\{\d+\})?(?P<rows>.*)"
    r"\\end\{(?P=name)\}\s*", re.DOTALL)
#: The label MyST gives an unlabelled amsmath environment: a new uuid4 in every build.
_RANDOM_LABEL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _named_by_its_text(node: nodes.Node) -> bool:
    """Whether ``node`` is in a heading, a link or a card's title: Chromium names those by
    their text and leaves MathML out of it ("Bundles over : a commentary")."""
    while (node := node.parent) is not None:
        if isinstance(node, (nodes.title, nodes.reference)) or is_part(node, "title"):
            return True
    return False


@remembered
def _display(tex: str) -> str:
    """A display's MathML, its rows numbered as in an ``align`` whatever the environment."""
    match = _AS_ALIGN.fullmatch(tex)
    if match is None:
        return convert(tex, display="block")
    rows = match["rows"]
    if match["name"] == "eqnarray":  # three columns, "a &=& b": align's two, "a &= b"
        rows = re.sub(r"&([^&\\]*)&", r"&\1", rows)
    markup = convert(f"\\begin{{align}}{rows}\\end{{align}}", display="block")
    # A gather's rows are centred; as an align's, they would sit to the right.
    return markup.replace('columnalign="right"', 'columnalign="center"') \
        if match["name"] == "gather" else markup


def _mathml(self: HTML5Translator, node: nodes.Element, display: str) -> str:
    tex = node.astext()
    # arXiv's math was checked before it became a node (rich_nodes); an author's is now.
    problem = None if node.get("arxiv_tex") else math_problem(tex)
    if problem is None:
        try:
            markup = _display(tex) if display == "block" else _convert(tex, display=display)
        except Exception as err:  # latex2mathml raises many kinds of error on malformed TeX
            # Some say nothing but their name: MissingSuperScriptOrSubscriptError.
            problem = str(err) or re.sub(r"(?<!^)(?=[A-Z])", " ", type(err).__name__) \
                .removesuffix(" Error").lower()
    if problem is not None:
        logger.warning("math that cannot be rendered, shown as TeX: %s (%s)", tex.strip(),
                       problem, type="paper", subtype="math", location=node)
        return f'<span class="math-error">{self.encode(tex)}</span>'
    # latex2mathml gives a one-column table an empty spacing, which MathML's grammar
    # (epubcheck's) rejects: no value is the default spacing.
    markup = markup.replace(' columnspacing=""', "")
    if label := node.get("aria_label") or (_named_by_its_text(node) and plain_math(tex)):
        markup = markup.replace("<math ", f'<math aria-label="{html.escape(label)}" ', 1)
    return markup


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    # arXiv's display math stays in its paragraph (an abstract is one): MathML's
    # block display is phrasing content, laid out on a line of its own.
    if node.get("arxiv_display"):
        self.body.append(_mathml(self, node, "block"))
    else:
        # Chromium may break a line after a formula (an atomic inline) even before a
        # comma, unless the formula's parent says nowrap (paper-math.css): a comma, a
        # full stop or a title's colon went to the next line alone. Math shown as TeX
        # is text, and wraps as text does.
        markup = _mathml(self, node, "inline")
        self.body.append(f'<span class="paper-math">{markup}</span>'
                         if markup.startswith("<math") else markup)
    raise nodes.SkipNode


def _equation(tex: str, block: nodes.math_block) -> nodes.math_block:
    """One equation of ``block``, located where the block is (for its warnings)."""
    equation = nodes.math_block(tex, tex)
    equation.source, equation.line = block.source, block.line
    return equation


def visit_displaymath(self: HTML5Translator, node: nodes.math_block) -> None:
    # furo wraps a display in a container that takes its ids: an id names one element.
    wrapped = node.parent is not None and node.parent.get("ids") == node["ids"]
    opened = nodes.Element(classes=node["classes"]) if wrapped else node
    self.body.append(self.starttag(opened, "div", CLASS="math"))
    # Sphinx separates a block's equations with blank lines (one per line of
    # the ``math`` directive); amsmath's environments arrive whole.
    markup = "".join(_mathml(self, _equation(part, node), "block")
                     for part in node.astext().split("\n\n") if part.strip())
    if node["number"]:
        # An align's rows carry its numbers, from the one NumberEquations gave it.
        first = node["number"] - 1
        markup, rows = _ROW_NUMBER.subn(
            lambda row: f'<mtd class="paper-eqno"><mtext>({first + int(row[1])})</mtext></mtd>',
            markup)
        number = "" if rows else f"({get_node_equation_number(self, node)})"
        self.body.append(f'<span class="eqno">{number}')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(markup)
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _numbers_taken(block: nodes.math_block) -> int:
    """How many equation numbers ``block`` takes in the PDF: one, or the numbered rows of
    an environment of rows."""
    tex = block.astext()
    if not block.get("nowrap") or not (tex.lstrip().startswith("\\begin{align}")
                                       or _AS_ALIGN.fullmatch(tex)):
        return 1
    try:
        return len(_ROW_NUMBER.findall(_display(tex)))
    except Exception:  # noqa: BLE001 (latex2mathml's many errors; the writer warns of them)
        return 1


class NumberEquations(SphinxTransform):
    """A page's equations numbered as pdflatex numbers them: an ``align`` takes a number
    per row (Sphinx gave it one, and latex2mathml numbered its rows from 1 again, so
    "(1)" showed twice). An unlabelled environment is named by its number, where MyST
    names it anew in each build, and a link to it broke."""

    # After docutils moved each equation's target onto it (PropagateTargets, 260).
    default_priority = 300

    def apply(self, **kwargs) -> None:  # noqa: ANN003
        equations = self.env.domains["math"].equations
        docname = self.env.docname
        taken = 0
        for block in self.document.findall(nodes.math_block):
            if block.get("number") is None:
                continue
            block["number"] = taken + 1
            if _LAST_BREAK.search(tex := block.astext()):
                # No empty numbered row in the PDF: latex2mathml leaves it out.
                block[:] = [nodes.Text(_LAST_BREAK.sub("", tex))]
            taken += _numbers_taken(block)
            if _RANDOM_LABEL.fullmatch(block["label"]):
                equations.pop(block["label"], None)
                old_id = nodes.make_id(f"equation-{block['label']}")
                block["label"] = f"{docname}-{block['number']}"
                new_id = nodes.make_id(f"equation-{block['label']}")
                if (target := self.document.ids.pop(old_id, None)) is not None:
                    target["ids"] = [new_id if i == old_id else i for i in target["ids"]]
                    self.document.ids[new_id] = target
            equations[block["label"]] = (docname, block["number"])


class ArxivMathPerFormat(SphinxPostTransform):
    """arXiv's math as each output can take it: ASCII TeX for pdflatex, Unicode in
    text, man and texinfo output (not TeX); the HTML math renderer takes it as it is,
    for pages and the EPUB's alike."""

    # After the ReferencesResolver (10), which builds the link text of {paper} roles.
    default_priority = 20

    def run(self, **kwargs) -> None:  # noqa: ANN003
        builder = self.env.domains["paper"].builder
        output = builder.format
        if output == "html":
            return
        for math in list(self.document.findall(nodes.math)):
            if not math.get("arxiv_tex"):
                continue
            tex = math.astext()
            if output == "latex":
                latex = latex_math(tex)
                # Sphinx writes math nodes inline; a display is LaTeX's own \[...\].
                math.replace_self(nodes.raw("", f"\\[{latex}\\]", format="latex")
                                  if math.get("arxiv_display") else nodes.math(latex, latex))
            else:
                math.replace_self(nodes.Text(plain_math(tex)))


def plain_page_title(app: Sphinx, pagename: str, templatename: str,
                     context: dict[str, Any], doctree: nodes.document | None) -> None:
    """``<title>`` is plain text: the page title's math as Unicode (``10¹²``), where
    the theme's ``striptags`` would leave the bare digits of the MathML (``1012``)."""
    title = app.env.titles.get(pagename)
    if title is not None and any(title.findall(nodes.math)):
        context["title"] = html.escape(plain_node(title))


def note_plain_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for title in doctree.findall(nodes.title):
        if any(title.findall(nodes.math)):
            app.env.domains["paper"].plain_titles[title.astext()] = plain_node(title)


def plain_titles_in_search(app: Sphinx) -> list:
    """Search results name pages and sections by their titles' text, where math reads
    as its TeX (``\\muP and 10^{12}``): named in Unicode instead, before the index is
    written (which follows this event). Sphinx has no hook for the titles it indexes."""
    index = internals.search_index(app.builder)
    plain_titles = app.env.domains["paper"].plain_titles
    if index is None or not plain_titles:
        return []
    titles, all_titles = index.titles, index.section_titles
    for docname, title in titles.items():
        titles[docname] = plain_titles.get(title, title)
    for docname, sections in all_titles.items():
        all_titles[docname] = [(plain_titles.get(title, title), anchor)
                               for title, anchor in sections]
    return []


#: The LaTeX package written beside the document (``mlcommentary.sty``).
LATEX_PACKAGE = "mlcommentary"


#: Each page's equations from (1), as on its HTML page: Sphinx steps ``sphinxscope`` at the
#: start of each page. Their link targets then name the page too, or hyperref sends
#: every page's "(1)" to the first.
_EQUATIONS_PER_PAGE = r"""\AtBeginDocument{\@addtoreset{equation}{sphinxscope}%
\renewcommand{\theHequation}{\thesphinxscope.\arabic{equation}}}
"""


def declare_math_characters(app: Sphinx) -> None:
    """pdflatex stops at a character it has no glyph for in text, and arXiv writes Greek
    letters and symbols outside ``$`` too ("β-VAE", "≤ 5%"): each is declared as its
    math form, where pdflatex has it. Other engines read Unicode and skip this."""
    if app.builder.format != "latex":
        return
    lines = [f"\\DeclareUnicodeCharacter{{{ord(char):04X}}}{{\\ensuremath{{{command}}}}}"
             for char, command in math_only_characters().items()]
    package = Path(app.outdir) / f"{LATEX_PACKAGE}.sty"
    package.parent.mkdir(parents=True, exist_ok=True)
    package.write_text(f"\\ProvidesPackage{{{LATEX_PACKAGE}}}\n\\ifdefined\\DeclareUnicodeCharacter\n"
                       + "\n".join(lines) + "\n\\fi\n" + _EQUATIONS_PER_PAGE,
                       encoding="utf-8")
    app.add_latex_package(LATEX_PACKAGE)


def setup_mathml(app: Sphinx) -> None:
    # The only renderer besides Sphinx's MathJax: Sphinx chooses it.
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.add_transform(NumberEquations)
    app.add_post_transform(ArxivMathPerFormat)
    app.connect("html-page-context", plain_page_title)
    app.connect("doctree-resolved", note_plain_titles)
    app.connect("html-collect-pages", plain_titles_in_search)
    app.connect("builder-inited", declare_math_characters)


def rich_nodes(text: str) -> list[nodes.Node]:
    """``text`` as docutils nodes: ``math`` for its valid math, ``emphasis`` and
    ``strong`` for its \\emph and \\textbf, ``Text`` for the rest.

    The math nodes are marked ``arxiv_tex`` so that plain builders can write them as
    Unicode.
    """
    found: list[nodes.Node] = []
    for segment in segments(text):
        if segment.is_math:
            found.append(nodes.math(segment.tex, segment.tex, arxiv_tex=True,
                                    arxiv_display=segment.display))
        elif segment.kind in ("emphasis", "strong"):
            found.append(getattr(nodes, segment.kind)(segment.source, segment.tex))
        else:
            found.append(nodes.Text(segment.plain))
    return found


def plain_node(node: nodes.Node) -> str:
    """A node's text with its math as Unicode: a page title where an author wrote
    ``$\\mu$P`` reads like arXiv's ``μP``."""
    if isinstance(node, nodes.math):
        return plain_math(node.astext())
    if isinstance(node, nodes.Text):
        return node.astext()
    return "".join(plain_node(child) for child in node.children)
