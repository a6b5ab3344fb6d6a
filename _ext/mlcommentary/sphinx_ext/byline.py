"""A commentary's own date, authors and draft status, from its MyST front matter or
the field list that opens a reStructuredText page.

The keys are those mystmd and Jupyter Book use: ``date``, ``updated``, ``authors``
(a name, a list of names, or objects with a ``name``; ``author`` too) and ``draft``.
MyST turns front matter into docinfo fields whose values are strings (a list of
authors becomes its JSON text), so the front matter is read here from the source,
with the line of each key for the warnings. In reStructuredText the same keys are the
page's first fields (Sphinx's file-wide metadata), their values text: ``:authors:``
separated by semicolons, or else commas, as docutils reads them, and ``:draft:``
``true`` or ``false``. What a page states is recorded in the paper domain; ``cards``
shows it under the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.util import logging

from ..data.frozen import pickled_as_tuple

logger = logging.getLogger(__name__)
#: libyaml's parser where PyYAML was built with it: the same nodes and lines, three
#: times sooner, for the front matter of every page read.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Byline:
    """When and by whom a page was written, and whether it is a draft.
    Dates are ISO ``YYYY-MM-DD`` strings."""

    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    draft: bool = False

    def __bool__(self) -> bool:
        return self != Byline()


@dataclass(frozen=True)
class Problem:
    """A front-matter value that cannot be used: its line in the file and why."""

    line: int
    subtype: str
    message: str


def read_byline(text: str, restructuredtext: bool = False) -> tuple[Byline, list[Problem]]:
    """The byline a page's front matter states (its opening field list, in
    ``restructuredtext``), and what in it cannot be used.

    Front matter that is not YAML gives an empty byline and no problem: MyST warns
    about it already.
    """
    fields, lines = _field_list(text) if restructuredtext else _yaml_fields(text)
    problems: list[Problem] = []
    dates = {}
    for name in ("date", "updated"):
        if name in fields:
            dates[name] = _iso_date(*fields[name], name, problems)
    if dates.get("date") and dates.get("updated") and dates["updated"] < dates["date"]:
        # Most likely a slip in one of the two; the date orders the site, so it stays.
        problems.append(Problem(fields["updated"][1], "date",
                                f"updated {dates['updated']} is earlier than date "
                                f"{dates['date']}: a commentary is updated after it is "
                                f"written; updated left out"))
        dates["updated"] = None
    # mystmd's two spellings.
    key = next((key for key in ("authors", "author") if key in fields), None)
    authors = _authors(*fields[key], lines.get(key), problems) if key else ()
    draft = False
    if "draft" in fields:
        draft, line = fields["draft"]
        draft = _TRUTH.get(draft.strip().lower(), draft) if isinstance(draft, str) else draft
        if not isinstance(draft, bool):
            problems.append(Problem(line, "draft", f"draft must be true or false, not "
                                                   f"{draft!r}; taken as false"))
            draft = False
    return Byline(dates.get("date"), dates.get("updated"), authors, draft), problems


#: A field's text, as YAML reads true and false.
_TRUTH = {"true": True, "false": False, "yes": True, "no": False}
#: A field of reStructuredText's field list: ``:name: value``.
_FIELD = re.compile(r":(?P<name>[^:\s][^:]*):(?:\s+(?P<value>.*))?$")


def _yaml_fields(text: str) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """MyST's front matter: each key's value and line, and the line of each item of a
    list."""
    fields: dict[str, Any] = {}
    lines: dict[str, list[int]] = {}
    block = _front_matter(text)
    if block is None:
        return fields, lines
    try:
        # A character YAML refuses stops PyYAML's own reader as it starts, so the
        # loader is made here too.
        root = yaml.compose(block, Loader=_LOADER)
    except yaml.YAMLError:
        return fields, lines
    if not isinstance(root, yaml.MappingNode):
        return fields, lines
    for key_node, value_node in root.value:
        # The front matter starts on the file's second line.
        line = key_node.start_mark.line + 2
        try:
            value = yaml.SafeLoader("").construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError):  # a timestamp such as 2026-13-45
            value = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        fields[key_node.value] = (value, line)
        if isinstance(value_node, yaml.SequenceNode) and isinstance(value, list):
            # Each item of a list, such as an author, warns at its own line.
            lines[key_node.value] = [item.start_mark.line + 2 for item in value_node.value]
    return fields, lines


def _field_list(text: str) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The fields before anything else of a reStructuredText page (after blank lines),
    each value with its indented continuation lines; authors as a list."""
    fields: dict[str, Any] = {}
    name = None
    for number, line in enumerate(text.splitlines(), start=1):
        if name is not None and line[:1].isspace() and line.strip():
            value, at = fields[name]
            fields[name] = (f"{value} {line.strip()}".strip(), at)
            continue
        if not line.strip():
            if fields:
                break
            continue
        match = _FIELD.match(line)
        if match is None:
            break
        name = match["name"].strip().lower()
        fields[name] = ((match["value"] or "").strip(), number)
    for key in ("authors", "author"):
        if key in fields:
            value, line = fields[key]
            fields[key] = ([author.strip() for author in value.split(";" if ";" in value
                                                                     else ",")
                            if author.strip()], line)
    return fields, {}


def _front_matter(text: str) -> str | None:
    """The YAML between the first line's ``---`` and the next ``---`` or ``...``,
    as MyST finds it."""
    if not text.startswith("---"):
        return None
    lines = text.splitlines()[1:]
    for number, line in enumerate(lines):
        if line.startswith(("---", "...")):
            return "\n".join(lines[:number])
    return None


def _iso_date(value: Any, line: int, key: str, problems: list[Problem]) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date().isoformat()
        except ValueError:
            pass
    problems.append(Problem(line, "date", f"{key} {value!r} is not a date: write it as "
                                          f"YYYY-MM-DD, e.g. 2026-11-28; left out"))
    return None


def _authors(value: Any, line: int, item_lines: list[int] | None,
             problems: list[Problem]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    item_lines = item_lines or [line] * len(items)
    names = []
    for item, line in zip(items, item_lines, strict=True):
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split()))
        else:
            problems.append(Problem(line, "authors", f"author {item!r} has no name: write "
                                                     "a name, or an object with a name; "
                                                     "left out"))
    return tuple(names)


def note_byline(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: record the page's byline, warning where it cannot be used."""
    suffix = Path(app.env.doc2path(docname)).suffix
    byline, problems = read_byline(
        source[0], app.config.source_suffix.get(suffix) == "restructuredtext")
    for problem in problems:
        logger.warning("%s", problem.message, type="paper", subtype=problem.subtype,
                       location=(docname, problem.line))
    app.env.domains["paper"].note_byline(docname, byline)
