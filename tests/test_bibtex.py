"""The cards' BibTeX: arXiv's TeX (math, escapes) kept as written, the rest escaped,
and every entry of a built site read by the real ``bibtex`` program."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from conftest import FUTURE_MONTH
from helpers import copy_root
from pybtex.database import parse_string
from helpers import sphinx_build
from test_metadata import record

from mlcommentary.data.bibtex import bibtex_entry
from mlcommentary.data.arxiv import ArxivFetcher
from mlcommentary.data.metadata import MetadataFile

#: Synthetic titles (IDs of a month to come), each with what its entry must hold.
MATH_TITLES = {
    r"Bounds over $\mathbb{F}_q$ in $\mathcal{O}(n_k)$":
        r"Bounds over {$\mathbb{F}_q$} in {$\mathcal{O}(n_k)$}",
    r"Sparse \(\ell_1\) recovery for 50% & more_x #1":
        r"Sparse {\(\ell_1\)} recovery for 50\% \& more\_x \#1",
    r"Displayed $$\sum_i a_i$$ costs 90\% of \$5":
        r"Displayed {$$\sum_i a_i$$} costs 90\% of \$5",
    r"Lone dollars: $5 and {braces} } { with $x_1$ and $\frac{a}{b":
        # A dollar before a space closes nothing (Pandoc's rule, as the site's math).
        r"Lone dollars: \$5 and {braces}   with {$x_1$} and \$\frac{a}b",
    r"Unclosed $\mathbb{F": r"Unclosed \$\mathbbF",
}
#: Math no style may change: it must reach the .bbl as written.
KEPT_MATH = [r"$\mathbb{F}_q$", r"$\mathcal{O}(n_k)$", r"\(\ell_1\)", r"$$\sum_i a_i$$"]


def math_record(n: int, title: str):
    return record(n, title=title, authors=(f"Ada Example{n}",))


@pytest.mark.parametrize(("n", "title"), list(enumerate(MATH_TITLES, start=101)))
def test_math_reaches_the_entry_as_written_and_text_is_escaped(n, title):
    entry = bibtex_entry(math_record(n, title), math_record(n, title).paper_id)
    assert f'    title = "{MATH_TITLES[title]}"' in entry, entry
    parse_string(entry, "bibtex")


def test_math_in_real_abstracts_reaches_the_entry_as_written(real_arxiv):
    """The recorded arXiv answers carry math in their abstracts: used as titles, it is kept."""
    report = ArxivFetcher(real_arxiv.url, delay=0).fetch(real_arxiv.entries)
    math = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")
    with_math = [r for r in report.records.values() if math.search(r.abstract)]
    assert len(with_math) >= 2
    for n, real in enumerate(with_math, start=201):
        rec = record(n, title=real.abstract, authors=real.authors)
        [entry] = parse_string(bibtex_entry(rec, rec.paper_id), "bibtex").entries.values()
        for formula in math.findall(real.abstract):
            assert "{" + formula + "}" in entry.fields["title"]


@pytest.fixture
def bibtex_program():
    path = shutil.which("bibtex")
    if path is None:
        pytest.skip("no bibtex program on PATH (TeX Live's texlive-binaries has it)")
    return path


def test_every_card_of_a_site_is_read_by_bibtex(tmp_path, real_arxiv, bibtex_program):
    srcdir = copy_root("site", tmp_path)
    MetadataFile(srcdir / "_data" / "arxiv.json").save(
        {f"{FUTURE_MONTH}.{n:05d}": math_record(n, title)
         for n, title in enumerate(MATH_TITLES, start=101)})
    math_ids = [f"{FUTURE_MONTH}.{n:05d}" for n in range(101, 101 + len(MATH_TITLES))]
    real_ids = sorted(real_arxiv.entries)
    for name, ids in (("math", math_ids), ("real", real_ids)):
        (srcdir / "papers" / f"{name}.md").write_text(f"# {name}\n\n" + "".join(
            f"```{{paper}} {arxiv_id}\n```\n\n" for arxiv_id in ids))
    result = sphinx_build(srcdir, tmp_path / "out", "-D", "arxiv_offline=0",
                          "-D", f"arxiv_api_url={real_arxiv.url}")
    assert result.returncode == 0, result.stderr

    entries = {}
    for page in (tmp_path / "out" / "papers").glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for pre in soup.select("details.paper-card-bibtex pre"):
            key = re.match(r"@misc\{([^,]+),", pre.get_text())[1]
            entries[key] = pre.get_text()
    assert len(entries) == 2 + len(MATH_TITLES) + len(real_ids)

    bbl = run_bibtex(bibtex_program, tmp_path / "bib", "\n".join(entries.values()), entries)
    for formula in KEPT_MATH:
        assert formula in bbl


def run_bibtex(program: str, work, bib: str, keys) -> str:  # noqa: ANN001
    """The ``.bbl`` that the real ``bibtex`` makes of ``bib`` citing every one of ``keys``,
    after checking that it ran with no error and no warning."""
    work.mkdir()
    (work / "cards.bib").write_text(bib, encoding="utf-8")
    (work / "cards.aux").write_text("".join(f"\\citation{{{key}}}\n" for key in keys)
                                    + "\\bibstyle{plain}\n\\bibdata{cards}\n")
    run = subprocess.run([program, "cards"], cwd=work, capture_output=True, text=True,
                         timeout=60)
    log = run.stdout + (work / "cards.blg").read_text()
    assert run.returncode == 0, log
    assert not re.search(r"Warning--|error message|I was expecting|I'm skipping", log), log
    bbl = (work / "cards.bbl").read_text(encoding="utf-8")
    assert bbl.count(r"\bibitem{") == len(keys), bbl
    return bbl


def test_ascii_left_to_itself_is_what_latexcodec_would_write():
    """The writer skips latexcodec for text it would give back unchanged: every printable
    ASCII character, alone and in pairs, comes out as latexcodec writes it."""
    from pybtex.database.output.bibtex import Writer

    from mlcommentary.data.bibtex import _WRITER

    printable = [chr(c) for c in range(32, 127)]
    for text in [*printable, *(a + b for a in printable for b in printable), "a\tb", "é"]:
        assert _WRITER._encode_text(text) == Writer()._encode(text).replace("$", r"\$"), text
