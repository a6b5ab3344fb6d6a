"""Paper records and the metadata file that keeps them between builds.

Plain Python, no Sphinx: tests, the benchmark and scripts use it directly.

The file (``_data/arxiv.json`` by default) is committed with the site, so a fresh
clone builds with no network at all. It is written so that it never holds less
than it did: every save re-reads the file under a lock and merges into it, the
new content replaces the old atomically, and a file that cannot be understood is
never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import jsonschema
from filelock import FileLock, Timeout

from .ids import ArxivId, InvalidArxivId, parse_arxiv_id

SCHEMA_VERSION = 1

#: Where a record came from: the API itself, or arXiv's human-readable abstract
#: page copied by hand (a refresh replaces those with the API's own record).
SOURCES = ("arxiv-api", "arxiv-abstract-page")

_OPTIONAL_TEXT = {"type": ["string", "null"]}
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "version", "title", "authors", "published", "updated",
                 "primary_category", "categories", "abstract", "source"],
    "properties": {
        "id": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "published": _DATE,
        "updated": _DATE,
        "primary_category": {"type": "string"},
        "categories": {"type": "array", "items": {"type": "string"}},
        "comment": _OPTIONAL_TEXT,
        "journal_ref": _OPTIONAL_TEXT,
        "doi": _OPTIONAL_TEXT,
        "abstract": {"type": "string"},
        "source": {"enum": list(SOURCES)},
    },
}
_RECORD_VALIDATOR = jsonschema.Draft202012Validator(RECORD_SCHEMA)
FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "papers"],
    "properties": {
        "schema_version": {"type": "integer", "minimum": 1},
        "papers": {"type": "object"},
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


@dataclass(frozen=True)
class PaperRecord:
    """What the site knows of one paper, keyed by its version-less ID."""

    id: str
    version: int
    title: str
    authors: tuple[str, ...]
    published: str
    updated: str
    primary_category: str
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abstract: str = ""
    source: str = "arxiv-api"

    @property
    def arxiv_id(self) -> ArxivId:
        return ArxivId(self.id)

    @property
    def year(self) -> str:
        return self.published[:4]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["categories"] = list(self.categories)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaperRecord:
        """Build a record from its JSON form, raising ``ValueError`` if it is wrong.

        Every record, from the file or from the API, comes through here, so its
        text is cleaned (``clean_text``) the same way.
        """
        # One validator for all records: jsonschema.validate would check the schema
        # itself again for each of them.
        error = jsonschema.exceptions.best_match(_RECORD_VALIDATOR.iter_errors(data))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "record"
            raise ValueError(f"{where}: {error.message}")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("title", "abstract", "primary_category"):
            values[key] = clean_text(values[key])
        for key in ("comment", "journal_ref", "doi"):
            values[key] = clean_text(values.get(key)) or None
        values["authors"] = tuple(clean_text(name) for name in values["authors"])
        values["categories"] = tuple(clean_text(c) for c in values["categories"])
        return cls(**values)


class MetadataFileError(Exception):
    """The metadata file cannot be read or written; the message names it."""


@dataclass
class LoadedMetadata:
    """The records a file held, and the ones it held that could not be used."""

    records: dict[str, PaperRecord] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class MetadataFile:
    """The JSON file of paper records, read once per build and merged into on save."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = FileLock(f"{self.path}.lock", timeout=30)

    def load(self) -> LoadedMetadata:
        """Read every usable record; a missing file is an empty one.

        Raises ``MetadataFileError`` when the file as a whole cannot be used.
        Records that are individually wrong are left out and listed in
        ``problems``; they stay in the file untouched.
        """
        papers = self._read_papers()
        loaded = LoadedMetadata()
        for key, data in papers.items():
            try:
                record = PaperRecord.from_json(data)
                if parse_arxiv_id(key) != ArxivId(record.id):
                    raise ValueError(f"id {record.id!r} does not match its key")
            except (ValueError, InvalidArxivId) as err:
                loaded.problems.append(f"record {key!r}: {err}")
                continue
            loaded.records[key] = record
        return loaded

    def save(self, records: Mapping[str, PaperRecord]) -> bool:
        """Merge ``records`` into the file; return whether its bytes changed.

        Records already in the file and absent from ``records`` are kept, so two
        builds writing at once both keep what they fetched.
        """
        try:
            with self._lock:
                papers = self._read_papers()
                papers.update((key, record.to_json()) for key, record in records.items())
                text = _dump(papers)
                if self.path.exists():
                    if self.path.read_text(encoding="utf-8") == text:
                        return False
                    if not self.path.stat().st_mode & 0o222:
                        raise MetadataFileError(f"{self.path}: read-only; not written")
                _replace_atomically(self.path, text)
                return True
        except Timeout:
            raise MetadataFileError(
                f"{self.path}: another build has held its lock for 30 s; not written"
            ) from None
        except OSError as err:
            raise MetadataFileError(f"{self.path}: cannot write: {err.strerror}") from None

    def _read_papers(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or str(err)
            raise MetadataFileError(f"{self.path}: cannot read: {reason}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise MetadataFileError(
                f"{self.path}: not valid JSON (line {err.lineno}, column {err.colno}: "
                f"{err.msg}); fix or restore it, it will not be overwritten"
            ) from None
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
        return dict(data["papers"])


def _dump(papers: Mapping[str, Any]) -> str:
    document = {"schema_version": SCHEMA_VERSION, "papers": dict(sorted(papers.items()))}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _replace_atomically(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it over, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
