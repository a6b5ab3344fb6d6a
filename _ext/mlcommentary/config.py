"""The extension's settings: each defined once, registered, and checked at ``config-inited``.

A setting can be given in ``conf.py``, with ``-D name=value`` or through ``make``
(``make html O="-D name=value"``). ``-D`` gives a string, which Sphinx converts only
for bool, int and str defaults (and ``int("0.5")`` fails): the number settings
therefore get their default through a function, for which Sphinx passes the
string on, and ``check_config`` turns it into a number, as intersphinx checks its
own settings, failing with ``ConfigError`` for a value it cannot use.
"""

from __future__ import annotations

import math
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from .fetch import ARXIV_DELAY, DEFAULT_API_URL, DEFAULT_TIMEOUT

#: name -> (default, rebuild, types); only the metadata file changes what pages show.
SETTINGS: dict[str, tuple[Any, str, Any]] = {
    "arxiv_metadata_file": ("_data/arxiv.json", "env", [str]),
    "arxiv_api_url": (DEFAULT_API_URL, "", [str]),
    "arxiv_offline": (False, "", [bool]),
    "arxiv_refresh": (False, "", [bool]),
    # Numbers or, from -D, strings: check_config converts and checks them.
    "arxiv_timeout": (lambda config: DEFAULT_TIMEOUT, "", Any),
    "arxiv_request_delay": (lambda config: ARXIV_DELAY, "", Any),
}


def register(app: Sphinx) -> None:
    for name, (default, rebuild, types) in SETTINGS.items():
        app.add_config_value(name, default, rebuild, types=types)
    # Before Sphinx's own type check (priority 800), which would see -D's strings.
    app.connect("config-inited", check_config, priority=400)


def check_config(app: Sphinx, config: Config) -> None:
    config.arxiv_timeout = _seconds(config, "arxiv_timeout")
    config.arxiv_request_delay = _seconds(config, "arxiv_request_delay")
    if config.arxiv_timeout <= 0:
        raise ConfigError(f"arxiv_timeout must be more than 0 seconds, not "
                          f"{config.arxiv_timeout:g}")
    if config.arxiv_request_delay < 0:
        raise ConfigError(f"arxiv_request_delay must be 0 seconds or more, not "
                          f"{config.arxiv_request_delay:g}")
    if config.arxiv_api_url == DEFAULT_API_URL and config.arxiv_request_delay < ARXIV_DELAY:
        raise ConfigError(
            f"arxiv_request_delay is {config.arxiv_request_delay:g} s, but arXiv asks for "
            f"at least {ARXIV_DELAY:g} s between requests to {DEFAULT_API_URL}; a shorter "
            "delay is only for another server (arxiv_api_url)")
    if not config.arxiv_api_url.startswith(("http://", "https://")):
        raise ConfigError(f"arxiv_api_url must be an http:// or https:// URL, not "
                          f"{config.arxiv_api_url!r}")


def _seconds(config: Config, name: str) -> float:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}")
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds):
        raise ConfigError(f"{name} must be a finite number of seconds, not {value!r}")
    return seconds
