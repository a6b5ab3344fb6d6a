"""arXiv's text is TeX: its math and its escapes, split out for every kind of output.

One definition of what is math in a title, an abstract or a comment serves the
BibTeX entry (which keeps the TeX), the rich outputs (``mathml`` makes docutils ``math``
nodes of it: MathML in HTML, real math in LaTeX) and the plain ones (Unicode, as in
``μP to 10¹²``). Math that the site could not render, or that would not compile
in the PDF, stays text as arXiv wrote it, dollars and all: remote text is never
parsed as markup, and a broken title costs no warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import unicodeit
from latex2mathml import commands
from latex2mathml.converter import convert
from latex2mathml.symbols_parser import SYMBOLS
from latex2mathml.tokenizer import tokenize
from pylatexenc import latex2text, latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pylatexenc.latexwalker import LatexWalker
from pylatexenc.macrospec import MacroSpec

from .memo import remembered

#: Math in $$...$$, \[...\], $...$ or \(...\), and escaped specials such as \%. A
#: dollar opens math only before a non-space and closes it only after one, so "costs
#: $5 and $10" is text; a digit may follow it, as arXiv's MathJax has it ("$\sim$100").
_TEX = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<bracket>.+?)\\\]"
    r"|(?<!\\)\$(?=\S)(?P<inline>[^$]+?)(?<![\s\\])\$"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|\\(?P<escaped>[%&_#$])"
    r"|\\(?P<style>emph|textit|textbf)\{(?P<styled>[^{}$\\%&#_^~]*)\}",
    re.DOTALL,
)

#: Known to latex2mathml, so they would render in HTML, but undefined in LaTeX with
#: the amsmath and amssymb that Sphinx loads (or, like \def, not for a title): in
#: the PDF they would be compile errors.
_NOT_IN_LATEX = frozenset(
    r"\bm \cancel \bcancel \xcancel \bra \ket \braket \Bra \Ket \Braket \mathscr"
    r" \class \cssId \style \href \def \newcommand \renewcommand \DeclareMathOperator"
    r" \eqalign \eqalignno \coloneqq \Coloneqq \coloneq \eqqcolon \require".split())
#: What latex2mathml renders; any other command it shows as its name (``\\arg``).
_RENDERED = (frozenset(SYMBOLS)
             | {value for value in vars(commands).values()
                if isinstance(value, str) and value.startswith("\\")}
             | {name for value in vars(commands).values()
                if isinstance(value, (dict, set, frozenset, tuple, list))
                for name in value if isinstance(name, str) and name.startswith("\\")})
_KNOWN = _RENDERED - _NOT_IN_LATEX
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{")
#: Errors in inline math: a delimiter inside it (``\($x$\)``) ends or nests it, ``&``
#: belongs to an alignment, ``#`` to a macro, ``%`` comments out its end. Escaped
#: (``\$``), each is a character; a control symbol's backslash is taken in pairs.
_NOT_IN_INLINE = re.compile(r"(?<!\\)(?:\\\\)*(?:[$&#%]|\\[()\[\]])")
#: Where a sub- or superscript starts (not ``\_``, an underscore).
_SCRIPT = re.compile(r"(?<!\\)([\^_])\s*")
_CONTROL_SYMBOL = re.compile(r"\\[A-Za-z]+|\\.")
#: What makes a fraction's part more than one term: it is then in parentheses, as
#: ``(a+b)/2``.
_COMPOUND = re.compile(r"[\s+\-−±∓·×/=<>≤≥,;:]")
#: Operators whose name is their text: pylatexenc drops most of them (``\\dim X`` as
#: ``X``) and glues the rest to what comes before (``nlog n``).
_OPERATORS = ("arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf"
              " ker lg lim liminf limsup ln log max min Pr sec sin sinh sup tan tanh").split()
#: The fractions pylatexenc does not know (``\\tfrac{r}{2}`` as ``r2``).
_FRACTIONS = ("tfrac", "dfrac", "cfrac")


def _text_contexts() -> tuple[latexwalker.LatexContextDb, latexwalker.LatexContextDb]:
    """pylatexenc's contexts (a fresh copy each) with math's meaning kept: the norm's
    bars, the colon of ``f\\colon X``, operators' names, every fraction."""
    parsing, text = latexwalker.get_default_latex_context_db(), latex2text.get_default_latex_context_db()
    parsing.add_context_category("arxiv-math", prepend=True, macros=[
        *(MacroSpec(name, "{{") for name in ("frac", *_FRACTIONS)),
        *(MacroSpec(name, "{") for name in _SCRIPT_MACROS.values())])
    text.add_context_category("arxiv-math", prepend=True, macros=[
        MacroTextSpec("|", "‖"), MacroTextSpec("colon", ":"),
        # An alignment's rows (and a matrix's), which would run together.
        MacroTextSpec("\\", "; "),
        # Spaced from what comes before only: a script (\max_i) or an argument follows.
        *(MacroTextSpec(name, f" {name}") for name in _OPERATORS),
        *(MacroTextSpec(name, _fraction) for name in ("frac", *_FRACTIONS)),
        *(MacroTextSpec(name, _script) for name in _SCRIPT_MACROS.values())])
    return parsing, text


#: Each script becomes a macro of ours before pylatexenc reads the TeX, so that its
#: text is made whole: pylatexenc alone writes ``\lim_{n\to\infty}`` as ``lim_n→∞``.
_SCRIPT_MACROS = {"_": "mlcommentarysub", "^": "mlcommentarysup"}


def _fraction(node: latexwalker.LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
    # pylatexenc reads no arguments for a \frac whose first is a \frac itself
    # (``\frac\frac(``): TeX would not compile it either, and nothing is lost.
    if node.nodeargd is None or len(node.nodeargd.argnlist) < 2:
        return ""
    numerator, denominator = (_term(l2tobj.nodelist_to_text([part]))
                              for part in node.nodeargd.argnlist[-2:])
    return f"{numerator}/{denominator}"


def _script(node: latexwalker.LatexMacroNode, l2tobj: LatexNodes2Text,
            macroname: str) -> str:
    """Unicode's script characters where it has them all (``xᵢ``, ``10¹²``), else the
    script between Unicode's script parentheses, which say where it starts and ends
    with no TeX left: ``lim₍n→∞₎``, ``x⁽α+1⁾``."""
    # Taken as a \frac's argument (``\frac^a``), a script's macro is read with no
    # argument of its own: TeX would not compile it either.
    if node.nodeargd is None or not node.nodeargd.argnlist:
        return ""
    mark = "_" if macroname == _SCRIPT_MACROS["_"] else "^"
    text = l2tobj.nodelist_to_text(node.nodeargd.argnlist[-1:]).strip()
    converted = unicodeit.replace(f"{mark}{{{text}}}")
    if not any(char in converted for char in "^_{}"):
        return converted
    return f"₍{text}₎" if mark == "_" else f"⁽{text}⁾"


def _term(text: str) -> str:
    text = text.strip()
    return f"({text})" if _COMPOUND.search(text) else text


def _marked_scripts(tex: str) -> str:
    """``tex`` with each ``_x``/``^{...}`` as ``\\mlcommentarysub{x}``, nested ones too."""
    marked, start = [], 0
    while (match := _SCRIPT.search(tex, start)) is not None:
        marked.append(tex[start:match.start()])
        begin = match.end()
        if begin == len(tex):
            return "".join(marked) + tex[match.start():]
        if tex[begin] == "{":
            end = _group_end(tex, begin)
            if end is None:
                return "".join(marked) + tex[match.start():]
            argument, start = _marked_scripts(tex[begin + 1:end]), end + 1
        elif symbol := _CONTROL_SYMBOL.match(tex, begin):
            argument, start = symbol[0], symbol.end()
        else:
            argument, start = tex[begin], begin + 1
        marked.append(f"\\{_SCRIPT_MACROS[match[1]]}{{{argument}}}")
    return "".join(marked) + tex[start:]


def _group_end(tex: str, begin: int) -> int | None:
    """Where the group opened at ``begin`` closes."""
    depth = 0
    # A brace after a backslash (\{) is a character, not a group's.
    for match in re.finditer(r"\\.|[{}]", tex[begin:], re.DOTALL):
        depth += {"{": 1, "}": -1}.get(match[0], 0)
        if depth == 0:
            return begin + match.start()
    return None


_PARSING, _TEXT = _text_contexts()
_TO_TEXT = LatexNodes2Text(latex_context=_TEXT, math_mode="text")
#: The spaces operators' names bring where none belongs: twice, or after a bracket.
_EXTRA_SPACE = re.compile(r"(?<=[(\[{]) +|(?<= ) +| +(?=;)|\s*\n\s*")
_TO_LATEX = UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="none",
                                  unknown_char_policy="fail", unknown_char_warning=False)


#: The emphasis arXiv's pages show as such (\emph{...}, \textbf{...}), by docutils' name.
_STYLES = {"emph": "emphasis", "textit": "emphasis", "textbf": "strong"}


@dataclass(frozen=True)
class Segment:
    """A piece of arXiv's text: ``source`` as written, and its ``kind``."""

    source: str
    kind: Literal["text", "math", "escape", "emphasis", "strong"]
    #: For math, the TeX between its delimiters; for emphasis, the text emphasised.
    tex: str = ""
    #: Math displayed on a line of its own, as arXiv's pages show ``$$...$$``/``\[...\]``.
    display: bool = False

    @property
    def is_math(self) -> bool:
        """Math that every output can show as math; other math stays text."""
        return self.kind == "math" and is_valid_math(self.tex)

    @property
    def plain(self) -> str:
        """The segment where only plain text fits: math as Unicode, an escape as its
        character, anything else as written."""
        if self.kind == "escape":
            return self.source[1:]
        if self.kind in _STYLES.values():
            return self.tex
        if not self.is_math:
            return self.source
        return plain_math(self.tex)


@remembered
def segments(text: str) -> tuple[Segment, ...]:
    """``text`` split into text, math and escaped specials, in order.

    Cached, as the other functions here: a paper's title and abstract are shown on
    every page that links to it."""
    found: list[Segment] = []
    end = 0
    for match in _TEX.finditer(text):
        if match.start() > end:
            found.append(Segment(text[end:match.start()], "text"))
        if match["escaped"]:
            found.append(Segment(match[0], "escape"))
        elif match["style"]:
            found.append(Segment(match[0], _STYLES[match["style"]], match["styled"]))
        else:
            display = match["display"] or match["bracket"]
            found.append(Segment(match[0], "math", display or match["inline"] or match["paren"],
                                 display=bool(display)))
        end = match.end()
    if end < len(text):
        found.append(Segment(text[end:], "text"))
    return tuple(found)


@remembered
def is_valid_math(tex: str) -> bool:
    """Whether ``tex`` renders to MathML and compiles in LaTeX: balanced braces, no
    environments, and only commands both know."""
    if _unpaired_braces(tex):
        return False
    if _ENVIRONMENT.search(tex) or _NOT_IN_INLINE.search(tex):
        return False
    if not set(_CONTROL_WORD.findall(tex)) <= _KNOWN:
        return False
    latex = latex_math(tex)
    if latex is None:
        return False
    try:
        list(tokenize(tex))
        convert(tex)
        # latex2mathml lets a command lack its arguments (\frac{a}); pdflatex stops.
        LatexWalker(f"${latex}$", tolerant_parsing=False).get_latex_nodes()
    except Exception:  # latex2mathml raises many kinds of error on malformed TeX
        return False
    return True


@remembered
def math_problem(tex: str) -> str | None:
    """Why an author's math ``tex`` would not render as written, or None. latex2mathml
    draws what it can of the rest without a word: an unknown command as its name, a
    fraction that lacks a part with one."""
    if _unpaired_braces(tex):
        return "its braces do not pair"
    if unknown := sorted(set(_CONTROL_WORD.findall(tex)) - _RENDERED):
        return f"{', '.join(unknown)}: not a command that can be rendered here"
    try:
        LatexWalker(f"${tex}$", tolerant_parsing=False).get_latex_nodes()
    except Exception:  # noqa: BLE001 (pylatexenc's parse errors say where, not what)
        return "a command lacks an argument, or an environment its end"
    return None


def _unpaired_braces(tex: str) -> bool:
    return tex.count("{") - tex.count(r"\{") != tex.count("}") - tex.count(r"\}")


@remembered
def latex_math(tex: str) -> str | None:
    """``tex`` for pdflatex, which takes no Unicode in math: arXiv writes ``$α$`` as
    often as ``$\\alpha$``. None if a character has no form in math mode."""
    written = []
    for char in tex:
        if char.isascii():
            written.append(char)
            continue
        command = math_command(char)
        if command is None:
            return None
        # Braced: after a control word (\tildeΘ), the character is its argument.
        written.append(f"{{{command}}}")
    return "".join(written)


#: pylatexenc's script letters (𝒪) need mathrsfs, which Sphinx does not load:
#: amsmath's calligraphic letters are the nearest.
_SCRIPT_LETTER = re.compile(r"\\mathscr(?=\{)")
_ENSUREMATH = re.compile(r"^\\ensuremath\{(.+)\}$")


@remembered
def math_command(char: str) -> str | None:
    """The TeX of ``char`` in math mode (``Θ`` -> ``\\Theta``), if the PDF has it."""
    try:
        latex = _TO_LATEX.unicode_to_latex(char)
    except ValueError:
        return None
    # Text-mode forms (accents such as \'e) are errors in math.
    match = _ENSUREMATH.match(_SCRIPT_LETTER.sub(r"\\mathcal", latex))
    if not match or not set(_CONTROL_WORD.findall(match[1])) <= _KNOWN:
        return None
    return match[1]


@remembered
def plain_text(text: str) -> str:
    """``text`` for where only plain text fits (tooltips, ``<title>``, text output):
    its math as Unicode, its escapes as the characters they stand for."""
    return _plain(segments(text))


def plain_text_once(text: str) -> str:
    """``plain_text`` for text a build asks for once (every paper's abstract, in the
    paper search's documents): neither it nor its segments are remembered, where those
    of a 1,000-commentary site's 2,000 abstracts held 2.5 MB through the writing."""
    return _plain(segments.__wrapped__(text))


def _plain(parts: tuple[Segment, ...]) -> str:
    return "".join(segment.plain for segment in parts)


#: The blocks whose characters arXiv writes in text where LaTeX has them in math only:
#: Greek ("β-VAE"), letter-like symbols ("ℝ"), arrows, mathematical operators ("≤ 5%")
#: and mathematical letters ("𝒪(n)").
_MATH_ONLY_BLOCKS = (range(0x0370, 0x0400), range(0x2100, 0x2150), range(0x2190, 0x2300),
                     range(0x1D400, 0x1D800))


def math_only_characters() -> dict[str, str]:
    """Characters that pdflatex has no glyph for in text but that it writes in math,
    each with its TeX (``α`` -> ``\\alpha``): arXiv writes them outside ``$`` too."""
    found = {}
    for block in _MATH_ONLY_BLOCKS:
        for char in map(chr, block):
            if (command := math_command(char)) is not None:
                found[char] = command
    return found


@remembered
def plain_math(tex: str) -> str:
    """Valid math ``tex`` as Unicode: pylatexenc reads the TeX (``\\frac``, ``\\mathbb``),
    unicodeit writes the sub- and superscripts that Unicode has characters for."""
    # In dollars, as math: in text, a command such as \log takes the space after it.
    text = _TO_TEXT.latex_to_text(f"${_marked_scripts(tex)}$", latex_context=_PARSING)
    return _EXTRA_SPACE.sub("", text).strip().removesuffix(";").strip()
