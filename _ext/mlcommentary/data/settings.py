"""The site's settings and each source's: defaults and checks, with or without Sphinx.

The build registers them as config values (``config``); commands that run without
a build (``python -m mlcommentary new``) read them from ``conf.py`` here, so that
pointing ``conf.py`` at another arXiv points both there, checked the same way.
"""

from __future__ import annotations

import math
import os
import runpy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fetch import DEFAULT_TIMEOUT
from .ids import SOURCES, source

#: Every setting's default: the site's own, then each source's (its module's ``SETTINGS``).
DEFAULTS: dict[str, Any] = {
    "arxiv_metadata_file": "_data/arxiv.json",
    "arxiv_offline": False,
    "arxiv_refresh": False,
    "arxiv_prune": False,
    # For every source's requests.
    "arxiv_timeout": DEFAULT_TIMEOUT,
    # Readers keep what they have read; a feed of every commentary would weigh a
    # megabyte at 1,000 and take a second of every build.
    "arxiv_feed_length": 50,
    # The most commentaries one map draws, one under the other: as many as a reader
    # can follow. A tag's map past it draws the most linked; a site past it gets, on
    # its map page, an index of its tags' maps.
    "paper_map_size": 300,
    # The most documents (one a paper, a tag, a year) in one of the paper search's
    # indexes. Pagefind's indexer holds every document it reads: 713 MB for 12,000 of
    # the benchmark's, 1.3 GB for the 19,832 of its 10,000-commentary site, past the
    # 1 GB a build may take. A larger site gets several, which the search page merges.
    "paper_search_shard_size": 12_000,
    # Where ``mlcommentary new`` starts a commentary, from conf.py's folder; the build
    # reads a commentary wherever it is.
    "commentary_folder": "papers",
} | {name: default for name_ in SOURCES for name, default in source(name_).SETTINGS.items()}
#: The yes/no settings.
FLAGS = ("arxiv_offline", "arxiv_refresh", "arxiv_prune")
#: The settings in seconds: numbers, or -D's strings of them.
SECONDS = ("arxiv_timeout", *(name for name in DEFAULTS if name.endswith("_request_delay")))


class SettingError(ValueError):
    """A setting's value cannot work; the message names the setting and the value."""


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (every setting) with the numbers as floats and the flags as bools,
    or ``SettingError``.

    The numbers may be strings: ``-D name=value`` gives strings, which Sphinx does
    not convert for a setting whose default is a number of seconds.
    """
    for name in DEFAULTS:
        url = values[name]
        if name.endswith("_api_url") and (
                not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            raise SettingError(f"{name} must be an http:// or https:// URL, not {url!r}")
    path = values["arxiv_metadata_file"]
    if not isinstance(path, str) or not path.strip():
        raise SettingError(f"arxiv_metadata_file must be a path (text), relative to conf.py's "
                           f"folder, not {path!r}")
    folder = values["commentary_folder"]
    if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute():
        raise SettingError(f"commentary_folder must be a folder (text) relative to conf.py's "
                           f"folder, not {folder!r}")
    flags = {name: _flag(values, name) for name in FLAGS}
    seconds = {name: _seconds(values, name) for name in SECONDS}
    if seconds["arxiv_timeout"] <= 0:
        raise SettingError(f"arxiv_timeout must be more than 0 seconds, not "
                           f"{seconds['arxiv_timeout']:g}")
    for name, value in seconds.items():
        if value < 0:
            raise SettingError(f"{name} must be 0 seconds or more, not {value:g}")
    converted = {**values, **flags, **seconds}
    for name in SOURCES:
        try:
            source(name).check_settings(converted)
        except ValueError as err:
            raise SettingError(str(err)) from None
    _count(values, "arxiv_feed_length", "entries", 1)
    _count(values, "paper_map_size", "commentaries", 2)
    _count(values, "paper_search_shard_size", "documents", 1)
    return converted


def _count(values: Mapping[str, Any], name: str, what: str, least: int) -> None:
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SettingError(f"{name} must be a whole number of {what}, {least} or more, "
                           f"not {value!r}")


def _flag(values: Mapping[str, Any], name: str) -> bool:
    """A yes/no setting: a bool from conf.py, or -D's ``0``/``1`` (as Sphinx reads them)."""
    value = values[name]
    if isinstance(value, bool):
        return value
    if value in ("0", "1"):
        return value == "1"
    raise SettingError(f"{name} must be True or False (1 or 0 with -D), not {value!r}")


def _seconds(values: Mapping[str, Any], name: str) -> float:
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SettingError(f"{name} must be a number of seconds, not {value!r}")
    try:
        seconds = float(value)
    except ValueError:
        raise SettingError(f"{name} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds):
        raise SettingError(f"{name} must be a finite number of seconds, not {value!r}")
    return seconds


@dataclass(frozen=True)
class SiteSettings:
    """What a command needs of a site: its folder, its ``conf.py`` names and its
    arXiv settings."""

    confdir: Path
    values: Mapping[str, Any]
    exclude_patterns: tuple[str, ...] = ()
    #: Whether MyST reads ``$...$`` as math (its ``dollarmath`` extension).
    dollar_math: bool = False
    #: Whether the site reads Markdown (MyST is among its extensions).
    markdown: bool = True

    @classmethod
    def read(cls, confdir: Path, overrides: Mapping[str, str] | None = None) -> SiteSettings:
        """Run ``confdir/conf.py`` as Sphinx does (plain Python, from its own folder)
        and take its settings, ``overrides`` (``-D``'s strings) over them;
        ``SettingError`` if one cannot work. Overrides of Sphinx's own settings are
        for the build, and are left alone."""
        conf = confdir / "conf.py"
        if not conf.is_file():
            raise SettingError(f"{conf}: no such file; is {confdir} a Sphinx site?")
        path = conf.resolve()  # before the change of folder, which a relative one names
        cwd = os.getcwd()
        os.chdir(confdir)
        try:
            namespace = runpy.run_path(str(path))
        except Exception as err:
            raise SettingError(f"{conf}: {type(err).__name__}: {err}") from None
        finally:
            os.chdir(cwd)
        values = checked({name: (overrides or {}).get(name, namespace.get(name, default))
                          for name, default in DEFAULTS.items()})
        return cls(confdir, values, tuple(namespace.get("exclude_patterns", ())),
                   "dollarmath" in namespace.get("myst_enable_extensions", ()),
                   "myst_parser" in namespace.get("extensions", ()))

    @property
    def metadata_path(self) -> Path:
        return self.confdir / self.values["arxiv_metadata_file"]
