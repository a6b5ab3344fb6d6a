"""A small commentary site on real papers, and the searches a reader would make of it.

The papers are those of the real recorded API responses in ``../shared`` (arXiv's,
Crossref's and DataCite's, OpenReview's), read from there at run time and never copied
into the project; the site fetches their records from the loopback servers of
``mlcommentary.data.testing`` answering with them (``real_servers``). A few arXiv
papers get no commentary and are only mentioned from others, so that a search for one
must lead to the pages that discuss it. The commentaries' prose is the site author's
own and says nothing of the papers.

``REAL_QUERIES`` pairs each query with the pages any of which is a right first result,
worked out from the recorded metadata. ``python bench/real_site.py FOLDER`` writes
the site in FOLDER and builds it with ``-W``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))

from mlcommentary.data.doi import record_from_crossref, record_from_datacite  # noqa: E402
from mlcommentary.data.ids import parse_paper_id  # noqa: E402
from mlcommentary.data.metadata import PaperRecord  # noqa: E402
from mlcommentary.data.openreview import record_from_note  # noqa: E402
from mlcommentary.data.testing import (  # noqa: E402
    FakeArxiv, FakeOpenReview, FakeRegistries, RealResponses, RealWorks, real_notes)

# Where the tests find them too (tests/conftest.py), with the same variables to say elsewhere.
ARXIV_DIR = Path(os.environ.get("ARXIV_RESPONSES_DIR")
                 or REPO.parent / "shared" / "arxiv-responses")
DOI_DIR = Path(os.environ.get("DOI_RESPONSES_DIR") or REPO.parent / "shared" / "doi-responses")
OPENREVIEW_DIR = Path(os.environ.get("OPENREVIEW_RESPONSES_DIR")
                      or REPO.parent / "shared" / "openreview-responses")
SPHINX_BUILD = REPO / ".venv" / "bin" / "sphinx-build"

#: arXiv papers with no commentary, only mentions: each has something distinctive to
#: search for (an old-style ID, an author, title words, a title of "0") and shares a
#: tag with commentaries that can mention it.
MENTIONED_ONLY = ("math/0211159", "quant-ph/0201082", "2104.12255", "1605.01097", "2406.19956")
#: A commentary's tags, from its arXiv categories (primary first, at most two).
CATEGORY_TAGS = {
    "astro-ph": "astronomy", "cond-mat": "physics", "gr-qc": "physics", "hep-th": "physics",
    "hep-ex": "physics", "hep-ph": "physics",
    "quant-ph": "quantum", "math.ST": "statistics", "stat": "statistics",
    "econ.EM": "statistics", "math": "mathematics", "cs.SE": "software-engineering",
    "cs.LG": "machine-learning", "cs.AI": "machine-learning", "cs.CR": "security",
    "cs.IT": "information-theory", "cs.AR": "hardware",
}
#: The DOI works have no categories: their tags, as the site's author would choose them.
DOI_TAGS = {
    "10.1109/iccv.2007.4408927": ("vision",),
    "10.1371/journal.pone.0033693": ("neuroscience",),
    "10.1038/s42256-024-00832-8": ("machine-learning", "chemistry"),
    "10.4230/lipics.tqc.2013.93": ("quantum", "mathematics"),
}
WRITERS = ("Ada Writer", "Bo Reviewer", "Cy Reader")
#: How a commentary mentions the papers with no commentary of their own.
BACKGROUND = ("For background we keep {} at hand.",
              "We also point readers to {}, on which the site has no note yet.")
EXTENSIONS = ["myst_parser", "sphinx_design", "mlcommentary", "mlcommentary.buildscale",
              "furo_sidebar"]
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$#|])")


@dataclass(frozen=True)
class Paper:
    """What the site and its searches need of one real paper."""

    id: str  # as the site cites it
    title: str
    authors: tuple[str, ...]
    year: str  # of its first publication (arXiv's v1, the registry's issue, OpenReview's)
    venue: str  # its journal, proceedings or arXiv journal reference, or ""
    doi: str | None
    tags: tuple[str, ...]

    @property
    def slug(self) -> str:
        paper = parse_paper_id(self.id)
        rest = paper.base.removeprefix(f"{paper.source}:")
        # OpenReview's forum ids keep their case: two may differ in it only.
        rest = rest if paper.source == "openreview" else rest.lower()
        return f"{paper.source}-" + re.sub(r"[^A-Za-z0-9]+", "-", rest).strip("-")

    @property
    def docname(self) -> str:
        return f"papers/{self.slug}"


def _arxiv_paper(arxiv_id: str, entry: bytes) -> Paper:
    atom = ElementTree.fromstring(
        f'<feed xmlns="{_ATOM[1:-1]}" xmlns:arxiv="{_ARXIV[1:-1]}">'.encode() + entry
        + b"</feed>").find(f"{_ATOM}entry")
    categories = [c.get("term") for c in atom.iter(f"{_ATOM}category")]
    tags = []
    for category in categories:
        tag = CATEGORY_TAGS.get(category) or CATEGORY_TAGS.get(category.split(".")[0])
        if tag and tag not in tags:
            tags.append(tag)
    return Paper(arxiv_id, " ".join(atom.findtext(f"{_ATOM}title").split()),
                 tuple(" ".join(a.findtext(f"{_ATOM}name").split())
                       for a in atom.iter(f"{_ATOM}author")),
                 atom.findtext(f"{_ATOM}published")[:4],
                 " ".join((atom.findtext(f"{_ARXIV}journal_ref") or "").split()),
                 atom.findtext(f"{_ARXIV}doi"), tuple(tags[:2]))


def _record_paper(record: PaperRecord, tags: tuple[str, ...]) -> Paper:
    return Paper(record.id, record.title, tuple(record.authors), record.published[:4],
                 record.venue or "", record.doi, tags)


def real_papers() -> list[Paper]:
    """Every paper the recorded responses describe well enough for a build to fetch."""
    papers = [_arxiv_paper(arxiv_id, entry) for arxiv_id, entry
              in sorted(RealResponses.load(ARXIV_DIR).entries.items())]
    works = RealWorks.load(DOI_DIR)
    for body in works.crossref.values():
        try:
            record = record_from_crossref(json.loads(body)["message"])
        except ValueError:
            # The build warns for a work with no date at all (paper.bad_response): Crossref
            # gives 10.1109/icdcsw.2003.1203662 an issue date of [[null]].
            continue
        papers.append(_record_paper(record, DOI_TAGS[record.doi]))
    for body in works.datacite.values():
        record = record_from_datacite(json.loads(body)["data"])
        # arXiv's own DOIs (10.48550/arXiv.2311.16162) name the arXiv paper, which the
        # site asks arXiv for; the recorded arXiv responses have no entry for it.
        if parse_paper_id(record.id).source == "doi":
            papers.append(_record_paper(record, DOI_TAGS[record.doi]))
    for note in real_notes(OPENREVIEW_DIR).values():
        record = record_from_note(note)
        # OpenReview's venues are machine learning's; most of the recorded notes are of
        # graph neural networks.
        tags = ("machine-learning", "graphs") if "graph" in record.title.lower() \
            else ("machine-learning",)
        papers.append(_record_paper(record, tags))
    return papers


PAPERS = real_papers()
COMMENTED = [paper for paper in PAPERS if paper.id not in MENTIONED_ONLY]


def _mentioned_from(paper: Paper) -> list[Paper]:
    """The commentaries that mention a paper without one: the first two sharing a tag."""
    return [other for other in COMMENTED if set(other.tags) & set(paper.tags)][:2]


#: Each paper without a commentary, and the commentaries that mention it.
MENTIONS = {paper.id: _mentioned_from(paper) for paper in PAPERS if paper.id in MENTIONED_ONLY}


def _pages(paper: Paper) -> list[str]:
    """Where a search for the paper should lead: its commentary, or what mentions it."""
    if paper.id in MENTIONS:
        return [other.docname for other in MENTIONS[paper.id]]
    return [paper.docname]


def _where(test: Callable[[Paper], bool], papers: list[Paper] = PAPERS) -> tuple[str, ...]:
    return tuple(sorted({page for paper in papers if test(paper) for page in _pages(paper)}))


def _id(text: str) -> tuple[str, ...]:
    base = parse_paper_id(text).paper.base
    return _where(lambda paper: parse_paper_id(paper.id).base == base)


def _surname(name: str) -> tuple[str, ...]:
    return _where(lambda paper: any(author.split()[-1] == name for author in paper.authors))


def _author(name: str) -> tuple[str, ...]:
    return _where(lambda paper: name in paper.authors)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w'-]+", text.lower()))


def _title_words(words: str) -> tuple[str, ...]:
    return _where(lambda paper: _words(words) <= _words(paper.title))


def _title(title: str) -> tuple[str, ...]:
    return _where(lambda paper: paper.title == title)


def _venue(name: str) -> tuple[str, ...]:
    return _where(lambda paper: name in paper.venue)


def _doi(doi: str) -> tuple[str, ...]:
    return _where(lambda paper: (paper.doi or "").lower() == doi.lower())


def _tag(tag: str) -> tuple[str, ...]:
    # Only a commentary's card shows tags; the tag's own page, which lists them all, is
    # as right as any of them.
    return (f"tags/{tag}", *_where(lambda paper: tag in paper.tags, COMMENTED))


def _year(year: str) -> tuple[str, ...]:
    return (f"years/{year}", *_where(lambda paper: paper.year == year, COMMENTED))


REAL_QUERIES: list[tuple[str, tuple[str, ...]]] = [
    # Identifiers, in the forms a reader pastes.
    ("1605.08386", _id("1605.08386")),
    ("1605.08386v1", _id("1605.08386")),
    ("arXiv:1605.08386", _id("1605.08386")),
    ("astro-ph/0601001", _id("astro-ph/0601001")),
    ("10.1038/s42256-024-00832-8", _id("doi:10.1038/s42256-024-00832-8")),
    ("doi:10.4230/LIPIcs.TQC.2013.93", _id("doi:10.4230/LIPIcs.TQC.2013.93")),
    # The DOI of an arXiv paper's journal version, which arXiv's record gives.
    ("10.1086/307221", _doi("10.1086/307221")),
    ("Gj5JTAwdoy", _id("openreview:Gj5JTAwdoy")),
    ("openreview:IefMMX12yk", _id("openreview:IefMMX12yk")),
    # Authors: a surname only one paper has, one two papers share, full names.
    ("Windisch", _surname("Windisch")),
    ("Perlmutter", _surname("Perlmutter")),
    ("Mariani", _surname("Mariani")),
    ("Caprice Stanley", _author("Caprice Stanley")),
    ("Dirk Wübben", _author("Dirk Wübben")),
    ("Zachary Novack", _author("Zachary Novack")),
    # Titles: distinctive words, and whole titles. No recorded title has TeX math, so
    # none is searched for with its math in Unicode.
    ("Hot Jupiters", _title_words("Hot Jupiters")),
    ("Datamorphic", _title_words("Datamorphic")),
    ("qubit unextendible product bases", _title_words("qubit unextendible product bases")),
    ("Heat-bath random walks with Markov bases",
     _title("Heat-bath random walks with Markov bases")),
    ("Augmenting large language models with chemistry tools",
     _title("Augmenting large language models with chemistry tools")),
    ("Presto! Distilling Steps and Layers for Accelerating Music Generation",
     _title("Presto! Distilling Steps and Layers for Accelerating Music Generation")),
    # Venues: journals, a conference's proceedings, a workshop three arXiv journal
    # references name.
    ("Nature Machine Intelligence", _venue("Nature Machine Intelligence")),
    ("PLoS ONE", _venue("PLoS ONE")),
    ("International Conference on Computer Vision",
     _venue("International Conference on Computer Vision")),
    ("ICSTW", _venue("ICSTW")),
    # Tags and years: every commentary that has it.
    ("astronomy", _tag("astronomy")),
    ("statistics", _tag("statistics")),
    ("2013", _year("2013")),
    ("2019", _year("2019")),
    # Papers with no commentary: the pages that mention them.
    ("math/0211159", _id("math/0211159")),
    ("Ricci flow", _title_words("Ricci flow")),
    ("Perelman", _surname("Perelman")),
    ("quant-ph/0201082v1", _id("quant-ph/0201082")),
    ("Quantum Assembly Language", _title_words("Quantum Assembly Language")),
    ("2104.12255", _id("2104.12255")),
    ("Quan Thoi Minh Nguyen", _author("Quan Thoi Minh Nguyen")),
    ("Taylor-Sakyi", _surname("Taylor-Sakyi")),
    ("Rao's Score Test", _title_words("Rao's Score Test")),
]


@contextmanager
def real_servers() -> Iterator[tuple[dict[str, object], dict[str, str]]]:
    """The loopback arXiv, registries and OpenReview, answering with the real responses:
    the conf values that point a build at them, and the environment it needs."""
    with (FakeArxiv(RealResponses.load(ARXIV_DIR)) as arxiv,
          FakeRegistries(RealWorks.load(DOI_DIR)) as registries,
          FakeOpenReview(real_notes(OPENREVIEW_DIR)) as openreview):
        # No pause between requests: a loopback server is no one's to spare.
        yield ({"arxiv_api_url": arxiv.url, "arxiv_request_delay": 0,
                "crossref_api_url": registries.crossref_url,
                "datacite_api_url": registries.datacite_url, "doi_request_delay": 0,
                "openreview_api_url": openreview.url, "openreview_request_delay": 0},
               openreview.environ)


def _page(n: int, paper: Paper) -> str:
    written = date(2026, 1, 5) + timedelta(days=3 * n)
    front = (f"---\ndate: {written.isoformat()}\nauthors:\n"
             f"  - {WRITERS[n % len(WRITERS)]}\n---\n\n")
    card = f"```{{paper}} {paper.id}\n:tags: {', '.join(paper.tags)}\n"
    # As authors do now and then: a related paper on every fourth card.
    if n % 4 == 0:
        card += f":related: {COMMENTED[n - 1].id}\n"
    card += "```\n"
    neighbour = COMMENTED[(n + 1) % len(COMMENTED)]
    prose = ("This note collects our reading of the paper and the questions we want to "
             f"come back to. We read it alongside {{paper}}`{neighbour.id}`.")
    # One sentence each: a search for either leads here by the sentence that names it.
    background = [mentioned for mentioned, pages in MENTIONS.items() if paper in pages]
    for k, mentioned in enumerate(background):
        prose += " " + BACKGROUND[k % len(BACKGROUND)].format(f"{{paper}}`{mentioned}`")
    heading = _MARKDOWN.sub(r"\\\1", paper.title)
    return f"{front}# {heading}\n\n{card}\n{prose}\n"


def make_real_site(root: Path, settings: dict) -> Path:
    """Write the site: one commentary per paper of ``COMMENTED``, ``settings`` in conf.py."""
    (root / "papers").mkdir(parents=True)
    (root / "conf.py").write_text(
        f'project = "Real papers"\nextensions = {EXTENSIONS!r}\nhtml_theme = "furo"\n'
        'myst_enable_extensions = ["dollarmath"]\n'
        # As the site's conf.py: MathML, not MathJax, so MyST has nothing to configure.
        "myst_update_mathjax = False\n"
        'exclude_patterns = ["_build"]\n'
        f"import sys\nsys.path.insert(0, {str(REPO / '_ext')!r})\n"
        + "".join(f"{name} = {value!r}\n" for name, value in settings.items()))
    (root / "index.md").write_text(
        "# Real papers\n\n"
        "```{paper-index}\n:sort: commentary\n:limit: 10\n```\n\n"
        "```{paper-index}\n```\n\n"
        "```{toctree}\n:hidden:\n:glob:\n:caption: Commentaries\n\npapers/*\n```\n")
    for n, paper in enumerate(COMMENTED):
        (root / f"{paper.docname}.md").write_text(_page(n, paper))
    return root


if __name__ == "__main__":
    # real_site.py FOLDER
    folder = Path(sys.argv[1])
    with real_servers() as (settings, environ):
        make_real_site(folder, settings)
        build = subprocess.run(
            [SPHINX_BUILD, "-b", "html", "-W", "--keep-going", folder, folder / "_build" / "html"],
            env={**os.environ, "PYTHONPATH": str(REPO / "_ext"), **environ},
            capture_output=True, text=True)
    if build.returncode:
        sys.exit(f"sphinx-build failed:\n{build.stderr}")
    print(json.dumps({"site": str(folder), "pages": len(COMMENTED), "queries": len(REAL_QUERIES)}))
