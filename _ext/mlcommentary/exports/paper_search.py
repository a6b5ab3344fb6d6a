"""The search that finds papers: Pagefind's index of one small document per paper.

Sphinx's search reads a whole ``searchindex.js`` (5.4 MB at 10,000 commentaries)
before its first result. Pagefind (``pagefind[bin]``, its Rust indexer as a wheel)
splits its index into chunks a query fetches a few of, with facets (its filters) and
excerpts. It indexes HTML, and a site's pages are mostly navigation, so it is given one
small document per paper, written from the domain's facts: the paper's identifiers,
title, authors, venue, year, tags and abstract, and the commentary's title; or, for a
paper without a public commentary, the sentences of the pages that discuss it, whose
result leads to its first mention there. A prose edit changes none of these, so the
index is made again only when one of them changed (Pagefind cannot add to an index):
the edit loop never waits for it.

The search page (``paper-search.html``) runs it over HTTP. Opened from disk
(``file://``), where a browser refuses Pagefind's fetches, every search form keeps
going to Sphinx's own search page, which loads its index by a ``<script>``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import cbor2
from sphinx.application import Sphinx
from sphinx.util import logging

from ..data.digests import source_digest
from ..data.ids import PaperId, parse_paper_id
from ..data.metadata import PaperRecord
from ..data.sentences import counted
from ..data.tex import plain_text, plain_text_once
from ..sphinx_ext import formats
from ..sphinx_ext.cards import human_date
from ..sphinx_ext.domain import Commentary, PaperDomain, tag_key
from ..sphinx_ext.mathml import plain_node
from ..sphinx_ext.search import mention_anchor
from .pages import tag_page, year_page

logger = logging.getLogger(__name__)

#: The search page's name, and the output folder of Pagefind's index.
PAGE = "paper-search"
INDEX = "pagefind"
#: The documents Pagefind indexes, kept from build to build in the doctree folder.
DOCUMENTS = "mlcommentary-search"
#: Pagefind's entry file, in each index; and the list of indexes, in ``INDEX``.
ENTRY, SHARDS = "pagefind-entry.json", "shards.json"
#: Part of the digest: a new version of this code makes every document anew.
_CODE = source_digest("exports/paper_search.py", "data/tex.py")[:16]
#: How much each part of a document counts towards a match (Pagefind's default is 1):
#: an identifier is what a reader typing one wants; a title's words and an author's
#: name come next; an abstract's words only break ties.
WEIGHTS = {"listing": 10.0, "id": 10.0, "title": 6.0, "author": 5.0, "venue": 3.0, "tag": 3.0,
           "heading": 2.0, "abstract": 0.3, "passage": 0.5}


#: The index's parts, by what their documents are: commentaries, tags and years; and
#: papers only mentioned. Pagefind ranks each part by its own documents' statistics:
#: the search benchmark's 32 queries at 10,000 commentaries found their page first 32
#: times from one index, 30 from these two parts, 29 from three shared out by name.
COMMENTARIES, MENTIONED = "commentaries", "mentioned"


class Document(NamedTuple):
    #: What it is made from, as text that changes whenever the document would.
    made_from: str
    make: Callable[[], str]
    #: ``COMMENTARIES`` or ``MENTIONED``.
    kind: str


#: The documents by file name.
Documents = dict[str, Document]


def search_documents(app: Sphinx) -> Documents:
    """Each paper a reader can find, and each tag's and year's page, as the HTML Pagefind
    indexes. Each is made only when what it is made from changed: making all 20,000 of
    a 10,000-commentary site took 2.5 s of every edit, most of it their math as text."""
    domain: PaperDomain = app.env.domains["paper"]
    uri = app.builder.get_target_uri
    documents: Documents = {}
    # A page is named in the keys of every paper it discusses: its title read once.
    heading = functools.cache(functools.partial(_heading, app))
    commentaries = domain.commentaries()
    for commentary in commentaries:
        base, docname = commentary.paper_id.base, commentary.docname
        facts = domain.facts(base)
        made_from = (base, facts.record_digest, facts.homes, uri(docname), heading(docname),
                     commentary.byline.date, commentary.tags)
        documents[_file_name(base)] = Document(repr(made_from), functools.partial(
            _commentary_document, app, domain, commentary, uri(docname)), COMMENTARIES)
    for base in sorted(domain.used()):
        commentary = domain.commentary(base)
        facts = domain.facts(base)
        if (commentary and not commentary.byline.draft) or not facts or not facts.discussed_in:
            continue
        url = f"{uri(facts.discussed_in[0])}#{mention_anchor(base)}"
        # A sentence names a paper by its title: another paper's title is in it.
        made_from = (base, _digest(domain.record(base)), facts.homes, url,
                     [heading(docname) for docname in facts.discussed_in],
                     [[domain.title(part) if isinstance(part, PaperId) else part
                       for part in passage] for passage in facts.passages])
        # Below a commentary that matches as well: the reader came for commentaries.
        documents[_file_name(base)] = Document(repr(made_from), functools.partial(
            _discussed_document, app, domain, base, url), MENTIONED)
    # A tag's or a year's name finds its page first: it lists every commentary it has.
    counts = Counter(tag_key(tag) for commentary in commentaries for tag in commentary.tags)
    for key, spelling in domain.tags().items():
        listing = (uri(tag_page(key)), f"Commentaries tagged {spelling}", spelling, counts[key])
        documents[_file_name(f"tag {key}")] = Document(
            repr(listing), functools.partial(_listing, *listing), COMMENTARIES)
    years = Counter(commentary.year for commentary in commentaries if commentary.year)
    for year, count in years.items():
        listing = (uri(year_page(year)), f"Commentaries on papers of {year}", year, count)
        documents[_file_name(f"year {year}")] = Document(
            repr(listing), functools.partial(_listing, *listing), COMMENTARIES)
    return documents


def _commentary_document(app: Sphinx, domain: PaperDomain, commentary: Commentary,
                         url: str) -> str:
    return _document(domain, commentary.paper_id.base, url=url,
                     heading=_title(app, commentary.docname), date=commentary.byline.date,
                     tags=commentary.tags, passages=())


def _discussed_document(app: Sphinx, domain: PaperDomain, base: str, url: str) -> str:
    return _document(domain, base, url=url, heading=None, date=None, tags=(), scale=0.5,
                     passages=[(_title(app, docname), passage)
                               for docname, passage in domain.discussed_in(base)])


def _heading(app: Sphinx, docname: str) -> str | None:
    """A page's title as its source has it, math as TeX: what ``_title`` is made from."""
    title = app.env.titles.get(docname)
    return title.astext() if title is not None else None


def _digest(record: PaperRecord | None) -> str | None:
    return record.digest if record else None


def _listing(url: str, title: str, name: str, count: int) -> str:
    return _html(title, [_part("listing", name), _part("title", title, meta="title")],
                 {"url": url, "count": f"{count} commentar{'y' if count == 1 else 'ies'}"}, {})


def _file_name(base: str) -> str:
    # Readable where it can be, unique always: an ID's own characters, then its digest.
    slug = re.sub(r"\W", "-", base)[:60]
    return f"{slug}-{hashlib.sha256(base.encode()).hexdigest()[:8]}.html"


def _title(app: Sphinx, docname: str) -> str:
    # Math as it reads (plain_node), as on the cards: astext() would give its TeX.
    title = app.env.titles.get(docname)
    return plain_node(title) if title is not None else docname


def _document(domain: PaperDomain, base: str, *, url: str, heading: str | None,
              date: str | None, tags: tuple[str, ...], passages: list[tuple[str, str]],
              scale: float = 1.0) -> str:
    paper = parse_paper_id(base)
    record = domain.record(base)
    # Its venue is its published form's: a preprint's journal version's.
    published, _ = domain.cited_form(paper)
    venue = published.venue if published else None
    title = plain_text(record.title) if record else paper.label
    authors = record.authors if record else ()
    meta = {"url": url, "id": paper.label, "authors": ", ".join(authors),
            # As the listings and cards write it: "9 Mar 2031".
            "date": human_date(date) if date else "",
            "discussed": "; ".join(page for page, _ in passages)}
    filters = {"source": [paper.service], "tag": list(tags),
               "year": [record.year] if record and record.year else [],
               "venue": [venue] if venue else [], "author": list(authors)}
    part = functools.partial(_part, scale=scale)
    # In the order a result's excerpt reads best: the words around a match in the title
    # are the abstract's first, not a row of identifiers.
    parts = [part("title", title, meta="title")]
    if heading and heading != title:
        parts.append(part("heading", heading))
    if record and record.abstract:
        parts.append(part("abstract", plain_text_once(record.abstract)))
    parts += [part("passage", f"{page}: {passage}") for page, passage in passages if passage]
    parts += [part("author", author) for author in authors]
    # arXiv's journal reference names a venue too ("ICSTW 2025"), though no facet's.
    if named := " ".join(filter(None, (venue, record and record.journal_ref))):
        parts.append(part("venue", named))
    parts += [part("tag", tag) for tag in tags]
    parts.append(part("id", " ".join(dict.fromkeys(_identifiers(domain, base)))))
    return _html(title, parts, meta, filters)


def _html(title: str, parts: list[str], meta: dict[str, str],
          filters: dict[str, list[str]]) -> str:
    hidden = "".join(f'<span data-pagefind-meta="{html.escape(name)}:{html.escape(value)}">'
                     "</span>" for name, value in meta.items() if value)
    hidden += "".join(
        f'<span data-pagefind-filter="{name}:{html.escape(value)}"></span>'
        for name, values in filters.items() for value in dict.fromkeys(values))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body data-pagefind-body>"
            + "".join(parts) + hidden + "</body></html>\n")


def _part(kind: str, text: str, meta: str | None = None, scale: float = 1.0) -> str:
    named = f' data-pagefind-meta="{meta}"' if meta else ""
    return f'<p data-pagefind-weight="{WEIGHTS[kind] * scale:g}"{named}>{html.escape(text)}</p>'


def _identifiers(domain: PaperDomain, base: str) -> Iterator[str]:
    """Every form a reader may type: as cited, bare, with each version, and the paper's
    other identifiers (its journal version's DOI)."""
    for home in [parse_paper_id(base), *domain.homes(base)]:
        record = domain.record(home.base)
        yield home.label
        yield home.base
        yield home.base.partition(":")[2] or home.base  # a DOI without its doi:
        if record:  # the DOIs and IDs its source gives it ("Related DOI" on arXiv)
            yield from filter(None, (record.doi, *record.also))
        if home.versioned and record:
            yield from (str(home.at(version)) for version in range(1, record.version + 1))


class PaperSearchIndex:
    """Makes the index's changed parts while Sphinx writes the pages.

    What the index holds is known once the pages are read: when writing starts
    (``write-started``, which Sphinx emits whether or not a page is out of date) the
    changed documents are written and Pagefind's runs start, in a process of their own,
    on a core a serial build leaves idle; once the build is finished
    (``build-finished``) they are waited for and swapped in, or stopped if it failed.
    At 10,000 commentaries they took 15 s (two parts) that the build waited for at its
    end.
    """

    def __init__(self) -> None:
        self._making: _Making | None = None

    def start(self, app: Sphinx, builder: object) -> None:
        if app.builder.name in formats.PAPER_SEARCH:
            self._making = _begin(app)

    def finish(self, app: Sphinx, exception: Exception | None) -> None:
        making, self._making = self._making, None
        if making is None:
            return
        if exception is not None:
            making.drop()
        else:
            making.end(app)


@dataclass(frozen=True)
class _Making:
    """The index's parts being made: what was decided, and Pagefind's runs."""

    documents: int
    parts: int
    digests: dict[str, str]
    #: The digest of each part as last made (``DOCUMENTS.digest``).
    made: dict[str, str]
    changed: list[str]
    #: The runs' process; or why it did not start; None where no part changed.
    runs: subprocess.Popen[str] | str | None
    fresh: Path

    def drop(self) -> None:
        if isinstance(self.runs, subprocess.Popen):
            self.runs.terminate()
            self.runs.communicate()
        shutil.rmtree(self.fresh, ignore_errors=True)

    def end(self, app: Sphinx) -> None:
        output = Path(app.outdir, INDEX)
        for shard, (status, said) in zip(self.changed, self._results(), strict=True):
            if _swap_in(self.fresh / shard, output / shard, status, said):
                self.made[shard] = self.digests[shard]
            else:
                self.made.pop(shard, None)
        shutil.rmtree(self.fresh, ignore_errors=True)
        output.mkdir(exist_ok=True)
        _remove_all_but(output, {*self.digests, SHARDS})
        (output / SHARDS).write_text(_shard_list(output, self.digests), encoding="utf-8")
        Path(app.doctreedir, DOCUMENTS + ".digest").write_text(json.dumps(
            {shard: self.made[shard] for shard in self.digests if shard in self.made}),
            encoding="utf-8")
        if self.made.keys() >= set(self.changed):
            logger.info("made the paper search's index of %s (%s/, %d of its %s)",
                        counted(self.documents, "document"), INDEX, len(self.changed),
                        counted(self.parts, "part"))

    def _results(self) -> list[tuple[int, str]]:
        """Each changed part's run: its exit status, and the last it said."""
        if self.runs is None:
            return []
        if isinstance(self.runs, str):
            return [(-1, self.runs)] * len(self.changed)
        out, err = self.runs.communicate()
        try:
            return [(status, said) for status, said in json.loads(out)]
        except (ValueError, TypeError):
            said = " ".join(err.strip().splitlines()[-3:]) or "no output"
            return [(self.runs.returncode, said)] * len(self.changed)


def _begin(app: Sphinx) -> _Making | None:
    """Write the changed documents and start indexing the parts they are in; None when
    there is nothing to make."""
    documents = search_documents(app)
    folder = Path(app.doctreedir, DOCUMENTS)
    output = Path(app.outdir, INDEX)
    if not documents:
        # Pagefind makes no index of nothing: without one the search page sends its
        # reader to Sphinx's search, as from disk.
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    shards = _parts(documents, app.config.paper_search_shard_size)
    digests = {part: _part_digest(part, shard) for part, shard in shards.items()}
    try:
        made = json.loads(Path(app.doctreedir, DOCUMENTS + ".digest").read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        made = {}  # none yet, or unreadable: every shard is made anew
    if not isinstance(made, dict):
        made = {}
    changed = [shard for shard, digest in digests.items()
               if made.get(shard) != digest or not (output / shard / ENTRY).exists()]
    # Nothing to make, read or write on a prose edit: the digests say the documents are
    # the last build's.
    if not changed and _read(output / SHARDS) == _shard_list(output, digests):
        return None
    _write_documents(app, folder, shards)
    fresh = Path(app.outdir, INDEX + ".new")
    return _Making(len(documents), len(shards), digests, made, changed,
                   _start_runs(folder, fresh, changed), fresh)


def _part_digest(part: str, shard: Documents) -> str:
    """What the part's documents are made from, hashed a document at a time: as one
    string it took 6 MB at 1,000 commentaries, as the pages' writing began."""
    digest = hashlib.sha256(repr((_CODE, part)).encode())
    for name in sorted(shard):
        digest.update(repr((name, shard[name].made_from)).encode())
    return digest.hexdigest()


#: Run by its path: a script of the standard library alone.
_RUNS = Path(__file__).with_name("pagefind_runs.py")


def _start_runs(documents: Path, fresh: Path,
                parts: list[str]) -> subprocess.Popen[str] | str | None:
    """Pagefind's runs over ``parts``, each into its folder in ``fresh`` (written beside
    the index, then swapped in: a failed run leaves the last index whole, and a new one
    never keeps a chunk of the old); or why they could not start."""
    shutil.rmtree(fresh, ignore_errors=True)
    if not parts:
        return None
    try:
        fresh.mkdir()
        # The binary ``python -m pagefind`` would exec, found as it finds it (the
        # PAGEFIND_BINARY_PATH variable, the extended wheel, the plain one, PATH): an
        # interpreter started only to exec it took 0.12 s of the 0.14 s an index of a
        # few papers takes here.
        from pagefind.service import get_executable

        jobs = [[str(documents / part), str(fresh / part)] for part in parts]
        return subprocess.Popen(
            [sys.executable, str(_RUNS), str(get_executable() or "pagefind"), json.dumps(jobs)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except (ImportError, OSError) as error:
        return str(error)


def _swap_in(fresh: Path, output: Path, status: int, said: str) -> bool:
    """Pagefind's new index of a part in place of its last; whether it was made."""
    if status != 0 or not (fresh / ENTRY).exists():
        logger.warning("the paper search's index was not made (pagefind exited with %s: %s); "
                       "the last one is kept", status, said or "no output",
                       type="paper", subtype="search")
        return False
    try:
        settle(fresh)
    except (OSError, ValueError, LookupError, TypeError, cbor2.CBORDecodeError) as error:
        # The index still works: only its bytes may differ from build to build.
        logger.warning("Pagefind's index is not as Pagefind 1.5 writes it, and was left in "
                       "the order Pagefind gave (%s)", error, type="paper", subtype="search")
    output.parent.mkdir(exist_ok=True)
    shutil.rmtree(output, ignore_errors=True)
    fresh.rename(output)
    return True


def _parts(documents: Documents, size: int) -> dict[str, Documents]:
    """The documents in one part while they are at most ``size``; past that, in parts of
    one kind (commentaries' first), each shared out by name, so that a document stays in
    its part as the site grows.

    Pagefind's indexer holds every document it reads (553 MB for 10,000 of the
    benchmark's, 1.3 GB for the 19,832 of its 10,000-commentary site); the search page
    merges the parts, and an edit makes again only those it changed. One part ranks
    best: each part is ranked by its own documents' statistics."""
    if len(documents) <= size:
        return {"all": documents}
    kinds: dict[str, Documents] = {COMMENTARIES: {}, MENTIONED: {}}
    for name, document in documents.items():
        kinds[document.kind][name] = document
    parts: dict[str, Documents] = {}
    for kind, members in kinds.items():
        count = -(-len(members) // size)
        for name, document in members.items():
            number = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % count
            parts.setdefault(f"{kind}-{number}", {})[name] = document
    return dict(sorted(parts.items()))


def _shard_list(output: Path, digests: dict[str, str]) -> str:
    """The index's parts the search page loads (``SHARDS``), commentaries' first: those
    that were made."""
    return json.dumps([shard for shard in digests if (output / shard / ENTRY).exists()])


def _write_documents(app: Sphinx, folder: Path, shards: dict[str, Documents]) -> None:
    """Each shard's documents in a folder of its own; only the changed ones written."""
    made_before = Path(app.doctreedir, DOCUMENTS + ".json")
    try:
        before = json.loads(made_before.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}  # none yet, or unreadable: every document is made anew
    if not isinstance(before, dict) or before.get("code") != _CODE:
        before = {}
    paths = {folder / part / name: document
             for part, shard in shards.items() for name, document in shard.items()}
    folder.mkdir(exist_ok=True)
    _remove_all_but(folder, shards.keys())
    for stale in folder.rglob("*.html"):
        if stale not in paths:
            stale.unlink()
    for path, document in paths.items():
        if before.get(path.name) != document.made_from or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(document.make(), encoding="utf-8")
    # Written as it is encoded: as one string it took 2.4 MB at 1,000 commentaries.
    with made_before.open("w", encoding="utf-8") as file:
        json.dump({"code": _CODE, **{path.name: document.made_from
                                     for path, document in paths.items()}}, file)


def _remove_all_but(folder: Path, names: Set[str]) -> None:
    """Empty ``folder`` of what is not named: the parts a site no longer has, and what an
    earlier layout of the index left."""
    for entry in folder.iterdir():
        if entry.name not in names:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()


#: What begins each of Pagefind's index files, once gunzipped, before its CBOR.
_PAGEFIND_HEADER = b"pagefind_dcd"


def settle(index: Path) -> None:
    """Give an index the same bytes for the same documents.

    Pagefind 1.5 writes each filter's values in hash-map order, which changes from run
    to run, and so the names of the filter files, of the metadata that lists them and
    the entry's hash (Pagefind/pagefind issue 638: "other files will still change,
    such as the filter/metadata indexes"): two builds of the same sources published
    different files, and an incremental build differed from a clean one. Each filter's
    values are put in order and the three renamed from their new content."""
    entry_path = index / ENTRY
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for code, language in entry["languages"].items():
        meta_path = index / f"pagefind.{language['hash']}.pf_meta"
        meta = _load(meta_path)
        for listed in meta[3]:  # [filter name, its file's hash]
            filter_path = index / "filter" / f"{listed[1]}.pf_filter"
            name, values = _load(filter_path)
            filter_path.unlink()
            listed[1] = _store(index / "filter" / "{}.pf_filter", [name, sorted(values)], code, 7)
        meta[3].sort()
        meta_path.unlink()
        language["hash"] = _store(index / "pagefind.{}.pf_meta", meta, code, 10)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _load(path: Path) -> list:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_PAGEFIND_HEADER):
        raise ValueError(f"{path.name} is not an index file of Pagefind 1.5")
    return cbor2.loads(data[len(_PAGEFIND_HEADER):])


def _store(path: Path, value: list, language: str, digits: int) -> str:
    """Write ``value`` as Pagefind does, at ``path`` with its name (``en_<hash>``, made
    from its content) in place of ``{}``; the name."""
    data = _PAGEFIND_HEADER + cbor2.dumps(value)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    Path(str(path).format(name)).write_bytes(gzip.compress(data, mtime=0))
    return name


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


#: The search page's body; ``paper-search.js`` fills it over HTTP, and a reader
#: without script, or from disk, is sent to Sphinx's search with the same words.
PAGE_BODY = """<h1>Search papers</h1>
<form id="paper-search" class="paper-search" role="search" aria-label="Papers"
 action="{search}" method="get">
<label for="paper-search-query">Find a paper by its ID, title, author, tag, venue or year</label>
<div class="paper-search-box"><input id="paper-search-query" name="q" type="search"
 autocomplete="off" spellcheck="false"><button type="submit">Search</button></div>
</form>
<p><a class="paper-search-fulltext" href="{search}">Search the full text of every page</a></p>
"""


def add_search_page(app: Sphinx) -> Iterator[tuple[str, dict, str]]:
    """``html-collect-pages``: the search page, in the theme's page layout."""
    if app.builder.name not in formats.PAPER_SEARCH:
        return
    search = app.builder.get_target_uri("search")
    yield PAGE, {"title": "Search papers", "body": PAGE_BODY.format(search=search)}, "page.html"


def add_page_script(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree: object) -> None:
    """Every page's search form goes to the paper search (``paper-search.js``)."""
    if app.builder.name in formats.PAPER_SEARCH:
        # async: run as soon as fetched, not after the theme's deferred scripts: the
        # search starts sooner (the form it looks for is above it in the page).
        app.add_js_file("paper-search.js", **{"async": "async"})
        if pagename == PAGE:
            app.add_css_file("paper-search.css")


def setup_paper_search(app: Sphinx) -> None:
    app.connect("html-collect-pages", add_search_page)
    app.connect("html-page-context", add_page_script)
    index = PaperSearchIndex()
    app.connect("write-started", index.start)
    app.connect("build-finished", index.finish)
