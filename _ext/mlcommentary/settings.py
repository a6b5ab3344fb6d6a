"""The site's arXiv settings: their defaults and checks, with or without Sphinx.

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

from .fetch import ARXIV_DELAY, DEFAULT_API_URL, DEFAULT_TIMEOUT

#: Every setting's default.
DEFAULTS: dict[str, Any] = {
    "arxiv_metadata_file": "_data/arxiv.json",
    "arxiv_api_url": DEFAULT_API_URL,
    "arxiv_offline": False,
    "arxiv_refresh": False,
    "arxiv_prune": False,
    "arxiv_timeout": DEFAULT_TIMEOUT,
    "arxiv_request_delay": ARXIV_DELAY,
    # Readers keep what they have read; a feed of every commentary would weigh a
    # megabyte at 1,000 and take a second of every build.
    "arxiv_feed_length": 50,
}


class SettingError(ValueError):
    """A setting's value cannot work; the message names the setting and the value."""


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (every setting) with the numbers as floats, or ``SettingError``.

    The numbers may be strings: ``-D name=value`` gives strings, which Sphinx does
    not convert for a setting whose default is a number of seconds.
    """
    timeout = _seconds(values, "arxiv_timeout")
    delay = _seconds(values, "arxiv_request_delay")
    api_url = values["arxiv_api_url"]
    if timeout <= 0:
        raise SettingError(f"arxiv_timeout must be more than 0 seconds, not {timeout:g}")
    if delay < 0:
        raise SettingError(f"arxiv_request_delay must be 0 seconds or more, not {delay:g}")
    if api_url == DEFAULT_API_URL and delay < ARXIV_DELAY:
        raise SettingError(
            f"arxiv_request_delay is {delay:g} s, but arXiv asks for at least "
            f"{ARXIV_DELAY:g} s between requests to {DEFAULT_API_URL}; a shorter "
            "delay is only for another server (arxiv_api_url)")
    if not isinstance(api_url, str) or not api_url.startswith(("http://", "https://")):
        raise SettingError(f"arxiv_api_url must be an http:// or https:// URL, not {api_url!r}")
    length = values["arxiv_feed_length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise SettingError("arxiv_feed_length must be a whole number of entries, 1 or more, "
                           f"not {length!r}")
    return {**values, "arxiv_timeout": timeout, "arxiv_request_delay": delay}


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

    @classmethod
    def read(cls, confdir: Path) -> SiteSettings:
        """Run ``confdir/conf.py`` as Sphinx does (plain Python, from its own folder)
        and take its settings; ``SettingError`` if one cannot work."""
        conf = confdir / "conf.py"
        if not conf.is_file():
            raise SettingError(f"{conf}: no such file; is {confdir} a Sphinx site?")
        cwd = os.getcwd()
        os.chdir(confdir)
        try:
            namespace = runpy.run_path(str(conf.resolve()))
        except Exception as err:
            raise SettingError(f"{conf}: {type(err).__name__}: {err}") from None
        finally:
            os.chdir(cwd)
        values = checked({name: namespace.get(name, default)
                          for name, default in DEFAULTS.items()})
        return cls(confdir, values, tuple(namespace.get("exclude_patterns", ())),
                   "dollarmath" in namespace.get("myst_enable_extensions", ()))

    @property
    def metadata_path(self) -> Path:
        return self.confdir / self.values["arxiv_metadata_file"]
