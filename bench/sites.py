"""Synthetic commentary sites for the benchmark (IDs of December 3030: no such papers).

Three variants of the same pages:

* ``ext``: the site as authors write it, with cards, ``:related:`` and ``{paper}`` roles;
* ``stripped``: the same extension loaded, the directives and roles replaced by the
  plain text and links they stand for, to measure the extension's own overhead;
* ``peer``: the stripped pages in a plain MyST + furo site without the extension,
  the site an author would otherwise build.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))

from mlcommentary.metadata import MetadataFile, PaperRecord  # noqa: E402

MONTH = "3012"
TAGS = ["vision", "language", "scaling", "theory", "optimisation", "robustness", "rl", "audio"]
WORDS = ("model training data transfer scaling loss layer attention benchmark accuracy "
         "representation gradient robust fine-tuning pre-training evaluation dataset "
         "parameter compute downstream upstream saturation experiment baseline").split()
CONF = {
    "ext": ('["myst_parser", "sphinx_design", "mlcommentary"]', "arxiv_offline = True\n"),
    "stripped": ('["myst_parser", "sphinx_design", "mlcommentary"]', "arxiv_offline = True\n"),
    "peer": ('["myst_parser", "sphinx_design"]', ""),
}


def paper_id(n: int) -> str:
    return f"{MONTH}.{n:05d}"


def record(n: int) -> PaperRecord:
    return PaperRecord(
        id=paper_id(n), version=1, title=f"Synthetic Paper {n}: {' '.join(WORDS[n % 7:n % 7 + 4])}",
        authors=tuple(f"Author {n}-{k}" for k in range(1 + n % 6)),
        published=f"2030-12-{1 + n % 28:02d}", updated=f"2030-12-{1 + n % 28:02d}",
        primary_category="cs.LG", categories=("cs.LG",),
        abstract=f"A synthetic abstract for benchmark paper {n}. " * 8,
    )


def prose(rng: random.Random, words: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(words)]


def page(n: int, total: int, variant: str, rng: random.Random) -> str:
    others = [m for m in range(1, 2 * total + 1) if m != n]
    related = rng.sample(others, 3)
    cited = rng.sample(others, 5)
    tags = rng.sample(TAGS, 2)
    rec = record(n)
    if variant == "ext":
        head = (f"```{{paper}} {paper_id(n)}\n:tags: {', '.join(tags)}\n"
                f":related: {', '.join(paper_id(m) for m in related)}\n```\n")
        refs = [f"{{paper}}`{paper_id(m)}`" for m in cited]
    else:
        links = ", ".join(f"[{record(m).title}](https://arxiv.org/abs/{paper_id(m)})"
                          for m in related)
        head = (f"**{rec.title}**  \n{', '.join(rec.authors)}  \n"
                f"arXiv:{paper_id(n)} · tags: {', '.join(tags)} · related: {links}\n")
        refs = [f"[{record(m).title}](https://arxiv.org/abs/{paper_id(m)})" for m in cited]
    body = []
    for ref in refs:  # ~2 KB of prose around five references
        body.append(" ".join(prose(rng, 55)) + f" {ref} " + " ".join(prose(rng, 10)) + ".")
    return f"# Commentary {n}\n\n{head}\n" + "\n\n".join(body) + "\n"


def make_site(root: Path, total: int, variant: str) -> Path:
    """Write a site of ``total`` commentaries; papers 1..2*total have records."""
    rng = random.Random(total)
    extensions, extra = CONF[variant]
    (root / "papers").mkdir(parents=True)
    (root / "conf.py").write_text(
        f'project = "Benchmark"\nextensions = {extensions}\nhtml_theme = "furo"\n'
        f'import sys\nsys.path.insert(0, {str(REPO / "_ext")!r})\n{extra}'
    )
    index = "# Benchmark\n\n"
    index += "```{paper-index}\n```\n\n" if variant == "ext" else ""
    index += "```{toctree}\n:glob:\n:caption: Commentaries\n\npapers/*\n```\n"
    (root / "index.md").write_text(index)
    for n in range(1, total + 1):
        (root / "papers" / f"commentary-{n:05d}.md").write_text(page(n, total, variant, rng))
    if variant != "peer":
        MetadataFile(root / "_data" / "arxiv.json").save(
            {paper_id(n): record(n) for n in range(1, 2 * total + 1)})
    return root


if __name__ == "__main__":
    make_site(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "ext")
    print(json.dumps({"written": sys.argv[1]}))
