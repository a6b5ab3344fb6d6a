"""Synthetic commentary sites for the benchmark (IDs of December 3030: no such papers).

Four variants of the same pages, each dated and signed (front matter or a line):

* ``ext``: the site as authors write it, with cards, ``:related:`` and ``{paper}`` roles;
* ``stripped``: the same extension loaded, the directives and roles replaced by the
  text and links they stand for, written out in Markdown (the card's facts,
  abstract and BibTeX, the references' titles), to measure the extension's own
  overhead;
* ``peer``: the stripped pages in a plain MyST + furo site without the extension,
  the site an author would otherwise build;
* ``floor``: the stripped pages with MyST alone and Sphinx's ``basic`` theme with no
  sidebar: what Sphinx itself costs, the floor no site of these pages builds under.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))

from mlcommentary.data.bibtex import bibtex_entry  # noqa: E402
from mlcommentary.data.metadata import MetadataFile, PaperRecord  # noqa: E402

MONTH = "3012"
TAGS = ["vision", "language", "scaling", "theory", "optimisation", "robustness", "rl", "audio"]
#: The tags a site's commentaries draw theirs from (two each), by the site's shape:
#: ``eight-tags``, the benchmark's first; ``fifteen-tags``, a site of few big tags as
#: issue 18 found one (fifteen tags of about N / 7.5 commentaries each, where eight
#: would have N / 4). Every paper of both is from one month.
SHAPES = {
    "eight-tags": TAGS,
    "fifteen-tags": TAGS + ["agents", "alignment", "graphs", "retrieval", "speech",
                            "diffusion", "interpretability"],
    "mixed-sources": TAGS,
}
#: Shapes whose papers come from every source: a third arXiv's, a third known by a DOI
#: only, a third OpenReview's; every tenth arXiv paper has a journal version whose DOI
#: other commentaries cite, which makes the two one paper.
MIXED = {"mixed-sources"}
WRITERS = ["Ada Writer", "Bo Reviewer", "Cy Reader"]
WORDS = ("model training data transfer scaling loss layer attention benchmark accuracy "
         "representation gradient robust fine-tuning pre-training evaluation dataset "
         "parameter compute downstream upstream saturation experiment baseline").split()
_EXTENDED = '["myst_parser", "sphinx_design", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar"]'
#: As the site's conf.py: MathML, not MathJax, so MyST has nothing to configure.
_AS_THE_SITE = "arxiv_offline = True\nmyst_update_mathjax = False\n"
CONF = {
    "ext": (_EXTENDED, _AS_THE_SITE),
    "stripped": (_EXTENDED, _AS_THE_SITE),
    "peer": ('["myst_parser", "sphinx_design"]', ""),
    "floor": ('["myst_parser"]', 'html_theme = "basic"\nhtml_sidebars = {"**": []}\n'),
}


def paper_id(n: int, mixed: bool = False) -> str:
    if mixed and n % 3 == 1:
        return f"doi:10.5555/{MONTH}.{n:05d}"  # Crossref's test prefix
    if mixed and n % 3 == 2:
        return f"openreview:Synth{MONTH}x{n:05d}"
    return f"{MONTH}.{n:05d}"


def journal_version(n: int) -> str | None:
    """The DOI of arXiv paper ``n``'s journal version, on a mixed site, if it has one."""
    return f"doi:10.5555/{MONTH}.j{n:05d}" if n % 30 == 0 else None


def record(n: int, mixed: bool = False) -> PaperRecord:
    # As in ML titles and abstracts: math in every third title and in every abstract.
    math = r" with $\mu$P to $10^{12}$" if n % 3 == 0 else ""
    common = dict(
        title=f"Synthetic Paper {n}: {' '.join(WORDS[n % 7:n % 7 + 4])}{math}",
        authors=tuple(f"Author {n}-{k}" for k in range(1 + n % 6)),
        published=f"2030-12-{1 + n % 28:02d}",
        abstract=f"A synthetic abstract for benchmark paper {n}. " * 7
        + r"Its loss falls as $L(N) \propto N^{-\alpha}$ with $\alpha \approx 0.076$.",
    )
    pid = paper_id(n, mixed)
    if pid.startswith("doi:"):
        return PaperRecord(id=pid, doi=pid[4:], source="crossref", venue_type="journal",
                           venue="Journal of Synthetic Results", volume="1", **common)
    if pid.startswith("openreview:"):
        return PaperRecord(id=pid, source="openreview-api", venue_type="proceedings",
                           venue="Synthetic Conference 3030", keywords=("synthetic",),
                           decision="Synthetic Conference 3030 Poster", **common)
    journal = journal_version(n) if mixed else None
    return PaperRecord(id=pid, version=1, updated=common["published"],
                       primary_category="cs.LG", categories=("cs.LG",),
                       doi=journal[4:] if journal else None, **common)


def journal_record(n: int) -> PaperRecord:
    """The journal version of arXiv paper ``n`` (``journal_version``)."""
    arxiv = record(n, mixed=True)
    return PaperRecord(id=journal_version(n), title=arxiv.title, authors=arxiv.authors,
                       published="3031-06", doi=journal_version(n)[4:], source="crossref",
                       venue_type="journal", venue="Journal of Synthetic Results",
                       abstract=arxiv.abstract)


def records(total: int, mixed: bool) -> dict[str, PaperRecord]:
    """Every record a site of ``total`` commentaries needs, by ID."""
    found = {paper_id(n, mixed): record(n, mixed) for n in range(1, 2 * total + 1)}
    if mixed:
        found |= {journal_version(n): journal_record(n) for n in range(30, 2 * total + 1, 30)}
    return found


def prose(rng: random.Random, words: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(words)]


@dataclass
class Plan:
    """What one commentary holds, the same in every variant."""

    n: int
    tags: list[str]
    related: list[int]
    cited: list[int]
    paragraphs: list[tuple[str, str]]  # prose before and after each citation
    discussed_in: list[int] = field(default_factory=list)
    mixed: bool = False


class _AllBut(Sequence[int]):
    """1 to ``last`` but ``n``, as a list of them would be, without making the list:
    one per page made building a site of 10,000 pages take minutes."""

    def __init__(self, n: int, last: int) -> None:
        self._n, self._last = n, last

    def __len__(self) -> int:
        return self._last - 1

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return index + 1 if index + 1 < self._n else index + 2


def plan_site(total: int, shape: str = "eight-tags") -> list[Plan]:
    rng = random.Random(total)
    plans = []
    for n in range(1, total + 1):
        others = _AllBut(n, 2 * total)
        cited = rng.sample(others, 5)
        plans.append(Plan(n, rng.sample(SHAPES[shape], 2), rng.sample(others, 3), cited, [
            (" ".join(prose(rng, 55)), " ".join(prose(rng, 10))) for _ in cited],
            mixed=shape in MIXED))
    for plan in plans:  # ~2 KB of prose around five references
        for m in {*plan.related, *plan.cited}:
            if m <= total:
                plans[m - 1].discussed_in.append(plan.n)
    return plans


def link(m: int) -> str:
    return f"[{record(m).title}](https://arxiv.org/abs/{paper_id(m)})"


def cited(m: int, mixed: bool) -> str:
    """How a commentary cites paper ``m``: by its journal version's DOI where a mixed
    site's paper has one, so that the two identifiers meet on the site."""
    return (mixed and journal_version(m)) or paper_id(m, mixed)


def written(n: int) -> date:
    """When commentary ``n`` was written: a day each, in a year to come."""
    return date(3031, 1, 1) + timedelta(days=n)


def page(plan: Plan, variant: str) -> str:
    n, rec = plan.n, record(plan.n)
    author = WRITERS[n % len(WRITERS)]
    if variant == "ext":
        front = f"---\ndate: {written(n).isoformat()}\nauthors:\n  - {author}\n---\n\n"
        head = (f"```{{paper}} {paper_id(n, plan.mixed)}\n:tags: {', '.join(plan.tags)}\n"
                f":related: {', '.join(paper_id(m, plan.mixed) for m in plan.related)}\n```\n")
        refs = [f"{{paper}}`{cited(m, plan.mixed)}`" for m in plan.cited]
    else:
        # What the card shows, written out by hand: the same text and links.
        discussed = ", ".join(f"[Commentary {m}](commentary-{m:05d}.md)"
                              for m in sorted(plan.discussed_in))
        head = (f"**{rec.title}**  \n{', '.join(rec.authors)}\n\n"
                f"Submitted: 1 Dec 2030 (v1)  \nCategories: cs.LG  \n"
                f"Links: [arXiv:{paper_id(n)}](https://arxiv.org/abs/{paper_id(n)}), "
                f"[PDF](https://arxiv.org/pdf/{paper_id(n)})  \nTags: {', '.join(plan.tags)}  \n"
                f"Related: {', '.join(link(m) for m in plan.related)}  \n"
                f"Discussed in: {discussed}\n\n"
                f"Abstract\n\n{rec.abstract}\n\nBibTeX\n\n```bibtex\n{bibtex_entry(rec, rec.paper_id)}```\n")
        refs = [link(m) for m in plan.cited]
        front = ""
        head += f"\nCommentary by {author}, {written(n).day} {written(n):%b %Y}\n"
    body = [f"{before} {ref} {after}." for (before, after), ref in zip(plan.paragraphs, refs)]
    return f"{front}# Commentary {n}\n\n{head}\n" + "\n\n".join(body) + "\n"


def sphinx_search_bytes(outdir: Path) -> int:
    """The bytes of the index Sphinx's search page loads whole: ``searchindex.js`` and
    the script of the papers' entries it adds (``sphinx_ext/search.py``)."""
    return sum(path.stat().st_size for path in (
        outdir / "searchindex.js", outdir / "_static" / "search-entries-data.js")
        if path.exists())


def make_site(root: Path, total: int, variant: str, shape: str = "eight-tags") -> Path:
    """Write a site of ``total`` commentaries; papers 1..2*total have records."""
    extensions, extra = CONF[variant]
    (root / "papers").mkdir(parents=True)
    (root / "conf.py").write_text(
        f'project = "Benchmark"\nextensions = {extensions}\nhtml_theme = "furo"\n'
        'myst_enable_extensions = ["dollarmath"]\n'
        # As sphinx-quickstart writes it. Without it, a build into another folder read
        # the doctree folder of the build in _build: its tag and year pages again.
        'exclude_patterns = ["_build"]\n'
        f'import sys\nsys.path.insert(0, {str(REPO / "_ext")!r})\n{extra}'
    )
    index = "# Benchmark\n\n"
    # As on the site's own home page: the latest ten, then all of them.
    index += ("```{paper-index}\n:sort: commentary\n:limit: 10\n```\n\n"
              "```{paper-index}\n```\n\n") if variant == "ext" else ""
    # Hidden, as on the site's own home page: the sidebar lists the commentaries.
    index += "```{toctree}\n:hidden:\n:glob:\n:caption: Commentaries\n\npapers/*\n```\n"
    (root / "index.md").write_text(index)
    for plan in plan_site(total, shape):
        (root / "papers" / f"commentary-{plan.n:05d}.md").write_text(page(plan, variant))
    if variant in ("ext", "stripped"):
        MetadataFile(root / "_data" / "arxiv.json").save(
            records(total, mixed=variant == "ext" and shape in MIXED))
    return root


if __name__ == "__main__":
    # sites.py FOLDER N [VARIANT [SHAPE]]
    make_site(Path(sys.argv[1]), int(sys.argv[2]), *(sys.argv[3:5] or ["ext"]))
    print(json.dumps({"written": sys.argv[1]}))
