"""The site's settings (arXiv's, the DOI registries'): defaults and checks, with or
without Sphinx.

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
from urllib.parse import urlsplit

from .arxiv import ARXIV_DELAY, DEFAULT_API_URL
from .doi import CROSSREF_API_URL, DATACITE_API_URL, DOI_DELAY
from .openreview import DEFAULT_API_URL as OPENREVIEW_API_URL
from .openreview import OPENREVIEW_DELAY
from .fetch import DEFAULT_TIMEOUT

#: Every setting's default.
DEFAULTS: dict[str, Any] = {
    "arxiv_metadata_file": "_data/arxiv.json",
    "arxiv_api_url": DEFAULT_API_URL,
    "arxiv_offline": False,
    "arxiv_refresh": False,
    "arxiv_prune": False,
    "arxiv_timeout": DEFAULT_TIMEOUT,
    "arxiv_request_delay": ARXIV_DELAY,
    # DOIs: Crossref first, DataCite for the DOIs Crossref does not have. The timeout
    # is arxiv_timeout, for every source.
    "crossref_api_url": CROSSREF_API_URL,
    "datacite_api_url": DATACITE_API_URL,
    # An address Crossref may write to about the site's requests: its "polite pool".
    "crossref_mailto": "",
    "doi_request_delay": DOI_DELAY,
    # OpenReview: its credentials come from the environment, never from here.
    "openreview_api_url": OPENREVIEW_API_URL,
    "openreview_request_delay": OPENREVIEW_DELAY,
    # Readers keep what they have read; a feed of every commentary would weigh a
    # megabyte at 1,000 and take a second of every build.
    "arxiv_feed_length": 50,
    # Where ``mlcommentary new`` starts a commentary, from conf.py's folder; the build
    # reads a commentary wherever it is.
    "commentary_folder": "papers",
}
#: The yes/no settings.
FLAGS = ("arxiv_offline", "arxiv_refresh", "arxiv_prune")


class SettingError(ValueError):
    """A setting's value cannot work; the message names the setting and the value."""


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (every setting) with the numbers as floats and the flags as bools,
    or ``SettingError``.

    The numbers may be strings: ``-D name=value`` gives strings, which Sphinx does
    not convert for a setting whose default is a number of seconds.
    """
    for name in ("arxiv_api_url", "crossref_api_url", "datacite_api_url", "openreview_api_url"):
        url = values[name]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SettingError(f"{name} must be an http:// or https:// URL, not {url!r}")
    api_url = values["arxiv_api_url"]
    mailto = values["crossref_mailto"]
    if not isinstance(mailto, str) or (mailto and "@" not in mailto):
        raise SettingError(f"crossref_mailto must be an e-mail address or empty, not {mailto!r}")
    path = values["arxiv_metadata_file"]
    if not isinstance(path, str) or not path.strip():
        raise SettingError(f"arxiv_metadata_file must be a path (text), relative to conf.py's "
                           f"folder, not {path!r}")
    folder = values["commentary_folder"]
    if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute():
        raise SettingError(f"commentary_folder must be a folder (text) relative to conf.py's "
                           f"folder, not {folder!r}")
    flags = {name: _flag(values, name) for name in FLAGS}
    timeout = _seconds(values, "arxiv_timeout")
    delay = _seconds(values, "arxiv_request_delay")
    doi_delay = _seconds(values, "doi_request_delay")
    openreview_delay = _seconds(values, "openreview_request_delay")
    if timeout <= 0:
        raise SettingError(f"arxiv_timeout must be more than 0 seconds, not {timeout:g}")
    for name, seconds in (("arxiv_request_delay", delay), ("doi_request_delay", doi_delay),
                          ("openreview_request_delay", openreview_delay)):
        if seconds < 0:
            raise SettingError(f"{name} must be 0 seconds or more, not {seconds:g}")
    if is_arxiv(api_url) and delay < ARXIV_DELAY:
        raise SettingError(
            f"arxiv_request_delay is {delay:g} s, but arXiv asks for at least "
            f"{ARXIV_DELAY:g} s between requests to its servers ({api_url}); a shorter "
            "delay is only for another server (arxiv_api_url)")
    length = values["arxiv_feed_length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise SettingError("arxiv_feed_length must be a whole number of entries, 1 or more, "
                           f"not {length!r}")
    return {**values, **flags, "arxiv_timeout": timeout, "arxiv_request_delay": delay,
            "doi_request_delay": doi_delay, "openreview_request_delay": openreview_delay}


def is_arxiv(url: str) -> bool:
    """Whether ``url`` is on arXiv's servers, however it is spelt: arxiv.org or any
    subdomain, in any case, with any scheme, port, userinfo, path or final dot."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed port or IPv6 address: no host of arXiv's either
        return False
    host = host.rstrip(".")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


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

    @classmethod
    def read(cls, confdir: Path, overrides: Mapping[str, str] | None = None) -> SiteSettings:
        """Run ``confdir/conf.py`` as Sphinx does (plain Python, from its own folder)
        and take its settings, ``overrides`` (``-D``'s strings) over them;
        ``SettingError`` if one cannot work. Overrides of Sphinx's own settings are
        for the build, and are left alone."""
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
        values = checked({name: (overrides or {}).get(name, namespace.get(name, default))
                          for name, default in DEFAULTS.items()})
        return cls(confdir, values, tuple(namespace.get("exclude_patterns", ())),
                   "dollarmath" in namespace.get("myst_enable_extensions", ()))

    @property
    def metadata_path(self) -> Path:
        return self.confdir / self.values["arxiv_metadata_file"]
