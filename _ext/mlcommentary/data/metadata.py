"""Paper records and the metadata file that keeps them between builds.

Plain Python, no Sphinx: tests, the benchmark and scripts use it directly.

The file (``_data/arxiv.json`` by default) is committed with the site, so a fresh
clone builds with no network at all. It is written so that it never holds less
than it did: every save re-reads the file under a lock and merges into it, the
new content replaces the old atomically, and a file that cannot be understood is
never overwritten. Records leave it only through ``remove``, which only
``make refresh-metadata PRUNE=1`` calls.

Beside the records, the file keeps ``commentaries``: for each paper, the page that
keeps its commentary. It is what makes that choice stable: a page added later
that claims the same paper never takes it over, in an incremental build or a
fresh clone alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_type_hints

from .ids import PaperId, parse_paper_id
from .digests import source_digest

# jsonschema and filelock are imported where a record is checked or the file written,
# not when this module is: a build whose file did not change (an author's edit, with
# the cache of ``load``) does neither, and the two took a tenth of a second of every
# build's start, which ``make livehtml`` pays on each edit.
if TYPE_CHECKING:
    import jsonschema

#: 2 added ``commentaries``; a file of schema 1 is read as one with none. 3 added the
#: papers of other sources than arXiv, under their canonical IDs (``doi:10.…``), and the
#: fields that describe where they were published; arXiv's records are as they were,
#: and a field left empty is left out.
SCHEMA_VERSION = 3

#: Where a record came from: arXiv's API itself, arXiv's human-readable abstract page
#: copied by hand (a refresh replaces those with the API's own record), a DOI
#: registry's API or OpenReview's.
ORIGINS = ("arxiv-api", "arxiv-abstract-page", "crossref", "datacite", "openreview-api")
#: What kind of venue published a paper, where a source says.
VENUE_TYPES = ("journal", "proceedings")

FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "papers"],
    "properties": {
        "schema_version": {"type": "integer", "minimum": 1},
        "papers": {"type": "object"},
        "commentaries": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


# Control characters (C0, DEL, C1) and the bidirectional overrides, embeddings and
# isolates, which could make a title or a name spill its direction onto the page.
_UNWANTED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str | None) -> str:
    """``text`` on one line, as cards show it: whitespace folded, controls gone.

    arXiv's classic feed wraps titles and abstracts at 80 columns; tabs and line
    breaks become spaces before the other control characters are dropped.
    """
    return _UNWANTED.sub("", " ".join((text or "").split()))


class _JsonType(NamedTuple):
    """How a field's Python type appears in JSON, and how a JSON value becomes it."""

    schema: dict[str, Any]
    load: Callable[[Any], Any]


#: The types a record's fields may have.
_JSON_TYPES: dict[Any, _JsonType] = {
    str: _JsonType({"type": "string"}, clean_text),
    str | None: _JsonType({"type": ["string", "null"]}, lambda value: clean_text(value) or None),
    int: _JsonType({"type": "integer"}, int),
    tuple[str, ...]: _JsonType({"type": "array", "items": {"type": "string"}},
                               lambda value: tuple(map(clean_text, value))),
}


def _checked(default: Any = MISSING, **schema: Any) -> Any:
    """A field whose JSON value must also meet ``schema`` (JSON Schema keywords)."""
    return field(default=default, metadata={"schema": schema})


@dataclass(frozen=True, kw_only=True)
class PaperRecord:
    """What the site knows of one paper, keyed by its canonical version-less ID.

    The fields are the one definition of a record: the file's JSON schema,
    ``from_json`` and ``to_json`` are derived from them and their types.
    """

    id: str
    # Sources without versions (a DOI names one version of record) have one.
    version: int = _checked(1, minimum=1)
    title: str
    authors: tuple[str, ...]
    # A real calendar date, as far as its source knows it (``_known_date``).
    published: str = _checked(format="date")
    updated: str | None = _checked(None, format="date")
    # arXiv's: its subject classes.
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abstract: str = ""
    source: str = _checked("arxiv-api", enum=list(ORIGINS))
    # Where the paper was published, as a DOI registry says.
    venue: str | None = None
    venue_type: str | None = _checked(None, enum=[*VENUE_TYPES, None])
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    # OpenReview's: the venue's decision as it states it ("ICLR 2025 Spotlight"), and
    # the authors' keywords.
    decision: str | None = None
    keywords: tuple[str, ...] = ()
    # The paper's other identifiers, as its source gives them (a DOI, an arXiv ID).
    also: tuple[str, ...] = ()

    @property
    def paper_id(self) -> PaperId:
        return parse_paper_id(self.id)

    @property
    def other_ids(self) -> tuple[str, ...]:
        """The canonical IDs of the paper's other identifiers, as its source gives them
        (the journal version's DOI on arXiv, OpenReview's ``externalIds``); what is no
        identifier is left out."""
        found = []
        for text in (*self.also, *((f"doi:{self.doi}",) if self.doi else ())):
            try:
                found.append(parse_paper_id(text).base)
            except ValueError:
                continue
        return tuple(base for base in dict.fromkeys(found) if base != self.id)

    @property
    def year(self) -> str:
        return self.published[:4]

    @cached_property
    def digest(self) -> str:
        """A digest of the record's JSON, which a build compares with the last build's.
        Kept with the record in a load's cache (``MetadataFile.load``), so that a build
        does not make it again for each of thousands of records."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()

    @property
    def withdrawn(self) -> bool:
        """Whether arXiv marks the paper withdrawn: arXiv has no field for it, only the
        comment its withdrawal notice replaces ("This paper has been withdrawn by ...")."""
        return "withdrawn" in (self.comment or "").casefold()

    def to_json(self) -> dict[str, Any]:
        """The record's JSON: what it does not know (None, no categories) left out."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()
                if v is not None and v != ()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaperRecord:
        """Build a record from its JSON form, raising ``ValueError`` if it is wrong.

        Every record, from the file or from the API, comes through here, so its
        text is cleaned (``clean_text``) the same way. Keys that are no field
        (written by a later version) are left out.
        """
        import jsonschema

        error = jsonschema.exceptions.best_match(_record_validator().iter_errors(data))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "record"
            because = f" ({error.cause})" if error.cause else ""
            raise ValueError(f"{where}: {error.message}{because}")
        return cls(**{name: kind.load(data[name])
                      for name, kind in _FIELD_TYPES.items() if name in data})


_FIELD_TYPES = {name: _JSON_TYPES[hint] for name, hint in get_type_hints(PaperRecord).items()}
RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    # A field with a default may be left out of the file, and takes it.
    "required": [f.name for f in fields(PaperRecord) if f.default is MISSING],
    "properties": {f.name: {**_FIELD_TYPES[f.name].schema, **f.metadata.get("schema", {})}
                   for f in fields(PaperRecord)},
}


def _known_date(value: object) -> bool:
    """A date as precise as its source knows it: ``2024-05-08`` (a real day), ``2024-05``
    or ``2024``, as a DOI registry may give for a proceedings volume."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", value):
        return False
    first_day(value)
    return True


def first_day(known: str) -> date:
    """The first day of a date as precise as its source knows it (``2024`` is 1 January
    2024); ``ValueError`` if there is no such day."""
    return date.fromisoformat(known + "-01" * (2 - known.count("-")))


# One validator for all records: jsonschema.validate would check the schema itself
# again for each of them.
@functools.cache
def _record_validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    formats = jsonschema.FormatChecker()
    formats.checks("date", raises=ValueError)(_known_date)
    return jsonschema.Draft202012Validator(RECORD_SCHEMA, format_checker=formats)


class MetadataFileError(Exception):
    """The metadata file cannot be read or written; the message names it."""


@dataclass
class LoadedMetadata:
    """The records a file held, the ones it held that could not be used, and the
    page that keeps each paper's commentary."""

    records: dict[str, PaperRecord] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    commentaries: dict[str, str] = field(default_factory=dict)


class MetadataFile:
    """The JSON file of paper records, read once per build and merged into on save."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self, cache: Path | None = None) -> LoadedMetadata:
        """Read every usable record; a missing file is an empty one.

        Raises ``MetadataFileError`` when the file as a whole cannot be used.
        Records that are individually wrong are left out and listed in
        ``problems``; they stay in the file untouched.

        ``cache``, a file of the caller's own (a build's doctree folder), keeps
        what the last load made: checking every record against the schema costs
        about half a millisecond each, a second per build for a site of two
        thousand papers that changes no record. The same bytes are not read again;
        other bytes (a build that noted its pages, a fetch, a hand edit) check only
        the records whose JSON is not what the last load made of it.
        """
        text = self._read_text()
        text_key = hashlib.sha256((text or "").encode()).hexdigest()
        last = _cached(cache) if cache is not None else None
        if last is not None and last[0] == text_key:
            return last[1]
        checked = last[1].records if last is not None else {}
        document = self._parse(text)
        loaded = LoadedMetadata(commentaries=document["commentaries"])
        for key, data in document["papers"].items():
            if (known := checked.get(key)) is not None and known.to_json() == data:
                loaded.records[key] = known
                continue
            try:
                loaded.records[key] = _stored_record(key, data)
            except ValueError as err:
                loaded.problems.append(f"record {key!r}: {err}")
        if cache is not None:
            for record in loaded.records.values():
                record.digest  # noqa: B018 (made now, to be kept in the cache with it)
            _remember(cache, text_key, loaded)
        return loaded

    def save(self, records: Mapping[str, PaperRecord],
             commentaries: Mapping[str, str] | None = None) -> bool:
        """Merge ``records`` into the file; return whether its bytes changed.

        ``commentaries``, when given, replaces the file's map of paper to the page
        that keeps its commentary: every build knows the whole of it.

        Records already in the file and absent from ``records`` are kept, so two
        builds writing at once both keep what they fetched. A stored record that
        cannot be used is kept too, as it is: someone edited it by hand, and a
        fetched record must not silently undo that edit.
        """
        def merge(document: dict[str, Any]) -> None:
            papers = document["papers"]
            papers.update((key, record.to_json()) for key, record in records.items()
                          if key not in papers or _is_usable(key, papers[key]))
            if commentaries is not None:
                document["commentaries"] = dict(commentaries)

        return self._rewrite(merge)

    def remove(self, keys: Collection[str]) -> bool:
        """Remove the records of ``keys`` and the pages noted as their commentaries
        (the only way anything leaves the file); return whether its bytes changed."""
        def drop(document: dict[str, Any]) -> None:
            for key in keys:
                document["papers"].pop(key, None)
                document["commentaries"].pop(key, None)

        return self._rewrite(drop)

    def _rewrite(self, change: Callable[[dict[str, Any]], None]) -> bool:
        """Re-read the file under its lock, ``change`` it, and replace it atomically."""
        from filelock import FileLock, Timeout

        try:
            with FileLock(f"{self.path}.lock", timeout=30):
                document = self._parse(self._read_text())
                change(document)
                text = _dump(document)
                if self.path.exists():
                    if self.path.read_text(encoding="utf-8") == text:
                        return False
                    if not self.path.stat().st_mode & 0o222:
                        raise MetadataFileError(f"{self.path}: read-only; not written")
                replace_atomically(self.path, text)
                return True
        except Timeout:
            raise MetadataFileError(
                f"{self.path}: another build has held its lock for 30 s; not written"
            ) from None
        except OSError as err:
            raise MetadataFileError(f"{self.path}: cannot write: {err.strerror}") from None

    def _read_text(self) -> str | None:
        """The file's text, None if there is no file, or ``MetadataFileError``."""
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or str(err)
            raise MetadataFileError(f"{self.path}: cannot read: {reason}") from None

    def _parse(self, text: str | None) -> dict[str, Any]:
        """The file's ``papers`` and ``commentaries``, or ``MetadataFileError``."""
        if text is None:
            return {"papers": {}, "commentaries": {}}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise MetadataFileError(
                f"{self.path}: not valid JSON (line {err.lineno}, column {err.colno}: "
                f"{err.msg}); fix or restore it, it will not be overwritten"
            ) from None
        import jsonschema

        try:
            jsonschema.validate(data, FILE_SCHEMA)
        except jsonschema.ValidationError as err:
            raise MetadataFileError(
                f"{self.path}: not a paper metadata file ({err.message}); "
                "it will not be overwritten"
            ) from None
        if data["schema_version"] > SCHEMA_VERSION:
            raise MetadataFileError(
                f"{self.path}: written by a newer version of the extension "
                f"(schema {data['schema_version']}, this one knows {SCHEMA_VERSION}); "
                "it will not be overwritten"
            )
        return {"papers": dict(data["papers"]),
                "commentaries": dict(data.get("commentaries", {}))}


#: What a load makes of a file's text depends on this module and the IDs' rules too.
_CODE = source_digest("data/metadata.py", "data/ids.py", "data/arxiv.py", "data/doi.py",
                      "data/openreview.py")


def _cached(cache: Path) -> tuple[str, LoadedMetadata] | None:
    """The load kept in ``cache`` and its text's digest, if this code made it. The file
    is the build's own, like Sphinx's pickled environment; anything wrong with it only
    means loading afresh."""
    try:
        with cache.open("rb") as file:
            code, text_key, loaded = pickle.load(file)
    except Exception:  # noqa: BLE001
        return None
    return (text_key, loaded) if code == _CODE and isinstance(loaded, LoadedMetadata) else None


def _remember(cache: Path, text_key: str, loaded: LoadedMetadata) -> None:
    try:
        replace_atomically(cache, pickle.dumps((_CODE, text_key, loaded),
                                               pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # without a cache the next build only loads afresh


def _stored_record(key: str, data: Any) -> PaperRecord:
    """The record stored under ``key``, or ``ValueError`` saying what is wrong with it."""
    record = PaperRecord.from_json(data)
    try:
        paper = parse_paper_id(key)
    except ValueError as err:
        raise ValueError(f"the key is no paper's identifier: {err}") from None
    if paper.version is not None or paper.base != record.id:
        raise ValueError(f"id {record.id!r} does not match its key")
    return record


def _is_usable(key: str, data: Any) -> bool:
    try:
        _stored_record(key, data)
    except ValueError:
        return False
    return True


def _dump(document: Mapping[str, Any]) -> str:
    return json.dumps({
        "schema_version": SCHEMA_VERSION,
        "papers": dict(sorted(document["papers"].items())),
        "commentaries": dict(sorted(document["commentaries"].items())),
    }, indent=2, ensure_ascii=False) + "\n"


def replace_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` beside ``path`` and rename it over, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(content.encode() if isinstance(content, str) else content)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
