"""BibTeX entries: title, authors and year from any record, the rest in the form its
source's module gives (arXiv's ``@misc`` with ``eprint``; ``@article`` or
``@inproceedings`` for a DOI in a journal or proceedings).

pybtex writes the entry, so quoting and escaping are a well-kept library's job.
arXiv's titles are TeX, though: their math and escapes reach the entry as the
authors wrote them, and only the text around them is escaped.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from .ids import PaperId, source
from .memo import remembered
from .metadata import PaperRecord
from .tex import segments

_STOP_WORDS = frozenset("a an the on of in for and to with from by is are".split())
#: Printable ASCII but the characters latexcodec escapes.
_UNCHANGED_BY_LATEXCODEC = re.compile(r"[ -\"$'-^`-}]*")


class _TexKeepingWriter(Writer):
    """pybtex's writer, leaving the TeX in arXiv's text as it is.

    Math is also put in braces, so that styles which change a title's case
    (plain, APA) leave it alone.
    """

    # pybtex's private method (listed in ``internals``): its writer has no public one.
    def _encode(self, text: str) -> str:
        # The math and escaped specials (\%) are TeX that LaTeX already reads as the
        # authors meant: escaping them again would give \\%.
        return "".join(
            self._encode_text(segment.source) if segment.kind == "text"
            else "{" + segment.source + "}" if segment.kind == "math" else segment.source
            for segment in segments(text))

    def _encode_text(self, text: str) -> str:
        # latexcodec takes most of an entry's time, and gives back ASCII without its
        # specials as it came.
        encoded = text if _UNCHANGED_BY_LATEXCODEC.fullmatch(text) else super()._encode(text)
        # latexcodec leaves "$" alone, taking it for math; here it is a lone dollar.
        return encoded.replace("$", r"\$")


# Made once: BibliographyData.to_string looks the writer up among entry points
# on every call, which costs more than writing the entry.
_WRITER = _TexKeepingWriter()


# Remembered: a commentary's card and ``papers.bib`` write the same entry, and pybtex
# takes 0.4 ms an entry. Bounded above the 20,000 papers of the benchmark's largest site.
@remembered(most=1 << 15)
def bibtex_entry(record: PaperRecord, cited: PaperId, key: str | None = None) -> str:
    """The entry for ``record`` as cited by ``cited``, whose version, if any, it keeps;
    under ``key``, or else the record's own ``citation_key``."""
    entry_type, own = source(cited.source).bibtex_fields(record, cited)
    entry = Entry(
        entry_type,
        fields=[("title", _balanced(record.title)), ("year", record.year),
                *((name, _balanced(value)) for name, value in own if value)],
        persons={"author": [_person(name) for name in record.authors if name]},
    )
    return _WRITER.to_string(BibliographyData(entries={key or citation_key(record): entry}))


#: BibTeX's entry type and the field that names the venue, by the record's venue type.
_PUBLISHED_IN = {"journal": ("article", "journal"), "proceedings": ("inproceedings", "booktitle")}


def published_form(record: PaperRecord) -> tuple[str, list[tuple[str, str | None]]]:
    """``@article`` in a journal, ``@inproceedings`` in proceedings, ``@misc`` otherwise,
    with the venue's fields as the record has them (a page range with BibTeX's dash)."""
    entry_type, venue_field = _PUBLISHED_IN.get(record.venue_type or "", ("misc", "howpublished"))
    pages = record.pages and re.sub(r"(?<=\w)-(?=\w)", "--", record.pages)
    return entry_type, [(venue_field, record.venue), ("volume", record.volume),
                        ("number", record.issue), ("pages", pages),
                        ("publisher", record.publisher)]


def unique_keys(own: Mapping[str, str]) -> dict[str, str]:
    """A unique key for each paper, by its version-less ID, from its ``own`` key (its
    ``citation_key``): that key, and where papers share one, that key with ``a``,
    ``b``, ... in the order of their IDs.

    The keys depend only on the papers, never on the order they come in, so a site's
    keys are the same in every build; a paper added later can change the suffixes.
    """
    by_key: dict[str, list[str]] = {}
    for base in sorted(own):
        by_key.setdefault(own[base], []).append(base)
    keys = {bases[0]: key for key, bases in by_key.items() if len(bases) == 1}
    # A suffixed key never takes another paper's key ("chen2020simplea" may be one).
    taken = set(keys.values())
    for key, bases in sorted(by_key.items()):
        if len(bases) == 1:
            continue
        suffixes = (key + _letters(n) for n in itertools.count())
        for base in bases:
            keys[base] = next(s for s in suffixes if s not in taken)
            taken.add(keys[base])
    return keys


def bibliography(entries: Iterable[tuple[str, PaperRecord, PaperId]], heading: str) -> str:
    """A ``.bib`` file of ``(key, record, cited ID)`` entries, in key order, after a
    ``heading`` comment (BibTeX and pybtex skip the text outside entries)."""
    comment = "".join(f"% {line}\n" for line in heading.splitlines())
    return comment + "\n" + "\n".join(
        bibtex_entry(record, cited, key)
        for key, record, cited in sorted(entries, key=lambda entry: entry[0]))


def _letters(n: int) -> str:
    """``a``, ``b``, ... ``z``, ``aa``, ``ab``, ...: the ``n``-th suffix from 0."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def citation_key(record: PaperRecord) -> str:
    """``abnar2021exploring``: first author's surname, year, first word of the title."""
    last = surname(record.authors[0]) if record.authors else "anonymous"
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(record.title)) if w not in _STOP_WORDS]
    return f"{_ascii(last).replace(' ', '')}{record.year}{words[0] if words else ''}"


# Remembered: the search's entries ask for each author of every paper a page mentions,
# so for each name once per page it is on, and pybtex's parse of a name is the slow part.
# Bounded: the benchmark's site of 10,000 commentaries names some 70,000 authors.
@remembered(most=1 << 16)
def surname(name: str) -> str:
    """An author's surname, as BibTeX reads the name: "Maaten" of "Laurens van der Maaten"."""
    return _person(name).last_names[-1]


def _person(name: str) -> Person:
    name = _balanced(name)
    if re.search(r"\band\b", name, re.IGNORECASE):
        # BibTeX separates authors with "and"; a name holding it stays one name.
        return Person(last="{" + name + "}")
    try:
        return Person(name)
    except Exception:  # pybtex refuses some odd names; keep the name as one token
        return Person(last=name)


def _balanced(text: str) -> str:
    """``text`` without the braces that have no partner, which BibTeX cannot read.

    Balanced groups, as in ``$\\mathbb{F}_e$``, are kept.
    """
    kept: list[str] = []
    open_at: list[int] = []
    for char in text:
        if char == "}":
            if not open_at:
                continue
            open_at.pop()
        elif char == "{":
            open_at.append(len(kept))
        kept.append(char)
    for index in reversed(open_at):
        del kept[index]
    return "".join(kept)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9 ]", "", decomposed.encode("ascii", "ignore").decode().lower())
