"""A new commentary page from a paper's ID: ``mlcommentary new 2303.00676`` (or a DOI).

No Sphinx: the site's settings come from its ``conf.py`` (``settings``), the record
from its metadata file or, when the file lacks it, from the paper's source through the
build's own fetcher (same timeouts, retries and delay), saved through the same locked
file. The page is named after the paper's title and written only if nothing
would be overwritten and no other page has the paper already.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import re
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import yaml

from .fetch import Missing, Outage, outage_file
from .ids import InvalidPaperId, PaperId, parse_paper_id, source
from .metadata import LoadedMetadata, MetadataFile, MetadataFileError, PaperRecord
from . import restructuredtext as rst
from .settings import SettingError, SiteSettings
from .tags import tag_key
from .tex import plain_text, segments

#: The files the site reads as pages.
SOURCE_SUFFIXES = (".md", ".rst")
#: Slugs are cut at a word boundary to at most this many characters.
SLUG_LENGTH = 60
#: The sections every commentary starts with, each with a hint that MyST drops
#: (a ``%`` comment line) so that an unfinished page shows nothing odd.
SKELETON = (
    ("Summary", "What the paper does and finds, in a few sentences."),
    ("Why it matters", "What it changes, for whom, and what it builds on."),
    ("Notes", "Questions, doubts, and links to related papers with {paper}`ID`."),
)
#: A ``paper`` directive's argument, in MyST (``` or ::: fences) or reStructuredText.
_DIRECTIVE = re.compile(
    r"^[ \t>]*(?:(?:`{3,}|~{3,}|:{3,})[ \t]*\{paper\}|\.\.[ \t]+paper::)[ \t]+(\S+)",
    re.MULTILINE)
#: A ``paper`` directive's ``:tags:`` option, among the options that follow its first line.
_TAGS = re.compile(_DIRECTIVE.pattern + r"[^\n]*\n(?:[ \t>]*:\w+:[^\n]*\n)*?[ \t>]*:tags:(.*)",
                   re.MULTILINE)
#: Characters that could start Markdown (or MyST) markup inside a heading.
_MARKUP = re.compile(r"([\\`*_\[\]<>$&~{}|#])")


class NewPageError(Exception):
    """Why no page was made; the message says what to do."""


def new_page(site: Path, id_text: str, slug: str | None = None,
             today: datetime.date | None = None, doctrees: Path | None = None,
             tags: Sequence[str] = (), overrides: Mapping[str, str] | None = None,
             notify: Callable[[str], None] = lambda message: None) -> Path:
    """Write the commentary page for ``id_text`` in ``site``, its card with ``tags``;
    return its path.

    ``doctrees`` is the build's doctree folder, where an outage of a source that a
    build or this command met is noted; none is noted without it.
    ``overrides`` are settings given as ``-D`` gives them, over ``conf.py``'s;
    ``notify`` is told what was changed from what was asked.
    """
    try:
        paper = parse_paper_id(id_text)
    except InvalidPaperId as err:
        raise NewPageError(str(err)) from None
    try:
        settings = SiteSettings.read(site, overrides)
    except SettingError as err:
        raise NewPageError(str(err)) from None
    store = MetadataFile(settings.metadata_path)
    try:
        loaded = store.load()
    except MetadataFileError as err:
        raise NewPageError(str(err)) from None

    pages = dict(_pages(site, settings.exclude_patterns))
    _refuse_claimed(site, paper, pages, loaded)
    # Told once the page is made: of a page never made they would be false.
    notes: list[str] = []
    tags = _site_spelling(tags, pages, notes.append)
    offline_by = "-D arxiv_offline" if "arxiv_offline" in (overrides or {}) else "conf.py"
    record = loaded.records.get(paper.base) or _fetch(
        settings, paper, doctrees / outage_file(paper.source) if doctrees else None,
        offline_by)
    name = slugify(slug if slug is not None else plain_text(record.title))
    if not name and slug is not None:
        raise NewPageError(f"{slug!r} has no letter or digit to name a page by")
    folder = settings.values["commentary_folder"].strip().strip("/")
    docname = f"{folder}/{name or slugify(paper.label)}"
    # A site without MyST reads no Markdown: its page is reStructuredText.
    path = site / f"{docname}{'.md' if settings.markdown else '.rst'}"
    if docname in pages or path.exists():
        existing = pages.get(docname, path)
        raise NewPageError(f"{existing} exists already; it is not overwritten. To "
                           "comment on this paper under another name, give one (--slug, "
                           "or SLUG= for make)")

    try:
        store.save({paper.base: record}, {**loaded.commentaries, paper.base: docname})
    except MetadataFileError as err:
        raise NewPageError(str(err)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    today, author = today or datetime.date.today(), _git_user(site)
    text = page_text(record, paper, today, author, settings.dollar_math, tags) \
        if settings.markdown else restructuredtext_page_text(record, paper, today, author, tags)
    # "x": a page made meanwhile by someone else is still not overwritten.
    try:
        with path.open("x", encoding="utf-8") as page:
            page.write(text)
    except FileExistsError:
        raise NewPageError(f"{path} exists already; it is not overwritten") from None
    for note in notes:
        notify(note)
    return path


def page_text(record: PaperRecord, paper: PaperId, today: datetime.date,
              author: str | None, dollar_math: bool, tags: Sequence[str] = ()) -> str:
    """The page: front matter, the title as its heading, the card, the skeleton."""
    front = {"date": today, **({"authors": [author]} if author else {})}
    sections = "".join(f"\n## {heading}\n\n% {hint}\n" for heading, hint in SKELETON)
    options = f":tags: {', '.join(tags)}\n" if tags else ""
    return (f"---\n{yaml.safe_dump(front, sort_keys=False, allow_unicode=True)}---\n\n"
            f"# {markdown_title(record.title, dollar_math)}\n\n"
            f"```{{paper}} {paper}\n{options}```\n{sections}")


def restructuredtext_page_text(record: PaperRecord, paper: PaperId, today: datetime.date,
                               author: str | None, tags: Sequence[str] = ()) -> str:
    """The page in reStructuredText: its first fields, the title (math as Unicode), the
    card, the skeleton (each hint a comment)."""
    fields = f":date: {today.isoformat()}\n" + (f":authors: {author}\n" if author else "")
    options = f"   :tags: {', '.join(tags)}\n" if tags else ""
    sections = "".join(f"\n{rst.title(heading, '-')}\n.. {hint.replace('{paper}', ':paper:')}\n"
                       for heading, hint in SKELETON)
    return (f"{fields}\n{rst.title(rst.escaped(plain_text(record.title)))}\n"
            f".. paper:: {paper}\n{options}{sections}")


def markdown_title(title: str, dollar_math: bool) -> str:
    """arXiv's title as a MyST heading that reads as the card's title does: its
    valid math as ``$...$`` where MyST reads that as math (``dollar_math``), else
    as Unicode; everything else as text."""
    return "".join(f"${segment.tex}$" if dollar_math and segment.is_math
                   else _MARKUP.sub(r"\\\1", segment.plain)
                   for segment in segments(title))


def slugify(text: str) -> str:
    """``text`` as a short file name: ASCII, lowercase, words joined by hyphens.

    Accents are dropped (é is e), compatibility forms unfolded (¹² is 12), and a
    Greek letter, common in titles' math, is spelt out (μ is mu); other letters
    with no ASCII form are left out.
    """
    spelt = "".join(unicodedata.name(char).split()[-1] if _is_greek(char) else char
                    for char in unicodedata.normalize("NFKD", text))
    words = re.findall(r"[a-z0-9]+", spelt.encode("ascii", "ignore").decode().lower())
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > SLUG_LENGTH:
            break
        slug = longer
    return slug or "-".join(words)[:SLUG_LENGTH]


def _is_greek(char: str) -> bool:
    return unicodedata.name(char, "").startswith("GREEK ") and char.isalpha()


def _refuse_claimed(site: Path, paper: PaperId, pages: dict[str, Path],
                    loaded: LoadedMetadata) -> None:
    """``NewPageError`` if a page has the paper already, by this identifier or another
    the metadata file's records link to it: a page the file records as its commentary
    (if that page still exists), or any page with a ``paper`` directive for it, built
    yet or not."""
    names = {paper.base}
    for base, record in loaded.records.items():
        if paper.base == base or paper.base in record.other_ids:
            names |= {base, *record.other_ids}
    for name in sorted(names):
        said = paper.paper.label + ("" if name == paper.base
                                    else f" (which is {parse_paper_id(name).label})")
        owner = loaded.commentaries.get(name)
        if owner in pages:
            raise NewPageError(
                f"{said} has a commentary already: {pages[owner]} (as the metadata file "
                "records); add to that page instead")
        for docname in sorted(pages):
            if name in _claims(path := pages[docname]):
                raise NewPageError(
                    f"{said} has a commentary already: {path} has a paper directive for "
                    "it; add to that page instead")


def _site_spelling(tags: Sequence[str], pages: dict[str, Path],
                   notify: Callable[[str], None]) -> list[str]:
    """``tags`` as the site spells them, each once. The build shows a tag as most
    pages spell it and warns at every other spelling, which fails ``make html``: a
    new page gets the site's spelling (and ``notify`` is told), as the build does."""
    counts = Counter(tag for path in pages.values() for tag in dict.fromkeys(_tags(path)))
    forms: dict[str, str] = {}
    for tag, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        forms.setdefault(tag_key(tag), tag)
    spelt: dict[str, str] = {}
    for tag in tags:
        form = spelt.setdefault(tag_key(tag), forms.get(tag_key(tag), tag))
        if form != tag:
            notify(f"tag {tag!r} is written {form!r} on this site; the page has {form!r}")
    return list(spelt.values())


def _tags(path: Path) -> list[str]:
    """The tags of the ``paper`` directives in the page at ``path``."""
    return [tag.strip() for _id, written in _TAGS.findall(_text(path))
            for tag in written.split(",") if tag.strip()]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _claims(path: Path) -> set[str]:
    """The version-less IDs of the ``paper`` directives in the page at ``path``."""
    found = set()
    for written in _DIRECTIVE.findall(_text(path)):
        try:
            found.add(parse_paper_id(written).base)
        except InvalidPaperId:
            continue
    return found


def _pages(site: Path, exclude_patterns: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    """``(docname, path)`` of every page of the site, leaving out what ``conf.py``'s
    ``exclude_patterns`` leave out (matched with fnmatch, close to Sphinx's globs)."""
    def excluded(relative: str) -> bool:
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in exclude_patterns)

    for folder, subfolders, files in os.walk(site):
        here = Path(folder).relative_to(site)
        subfolders[:] = sorted(name for name in subfolders
                               if not excluded((here / name).as_posix()))
        for name in files:
            relative = (here / name).as_posix()
            stem, suffix = os.path.splitext(relative)
            if suffix in SOURCE_SUFFIXES and not excluded(relative):
                yield stem, Path(folder) / name


def _fetch(settings: SiteSettings, paper: PaperId, outage_path: Path | None,
           offline_by: str) -> PaperRecord:
    """The paper's record from its source, asked as the build asks it, or ``NewPageError``;
    ``offline_by`` is where ``arxiv_offline`` was set, if it is; an outage is noted at
    ``outage_path``, if there is one."""
    paper_source = source(paper.source)
    service, label = paper_source.SERVICE, paper.paper.label
    api_url = settings.values[paper_source.API_SETTING]
    if settings.values["arxiv_offline"]:
        raise NewPageError(f"{settings.metadata_path} has no record of {label} and "
                           f"{offline_by} sets arxiv_offline, so {service} is not asked")
    if outage_path and (outage := Outage.recent(outage_path, api_url)):
        raise NewPageError(f"did not ask {service} for {paper.base}: "
                           f"{outage.explained(outage_path)}")
    report = paper_source.fetcher(settings.values).fetch([paper.base])
    if outage_path and (failure := report.out_of_reach):
        Outage(api_url, time.time(), failure.subtype, failure.reason).save(outage_path)
    if paper.base in report.records:
        return report.records[paper.base]
    if failure := next(iter(report.failures), None):
        # Waiting helps where the source was out of reach or failed, not where it
        # wants credentials or refused what it was sent.
        later = "" if failure.subtype in (Missing.CREDENTIALS, Missing.REJECTED) \
            else "; try again later"
        raise NewPageError(f"could not fetch {label} from {api_url}: {failure.reason}{later}")
    raise NewPageError(f"{paper_source.NOT_FOUND}: {label} ({api_url}); check the ID")


def _git_user(site: Path) -> str | None:
    """``git config user.name`` as seen from the site, if git and the name are there."""
    try:
        result = subprocess.run(["git", "config", "user.name"], cwd=site,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None
