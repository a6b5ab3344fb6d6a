"""The extension's settings: each defined once, registered, and checked at ``config-inited``.

A setting can be given in ``conf.py``, with ``-D name=value`` or through ``make``
(``make html O="-D name=value"``). ``-D`` gives a string, which Sphinx converts only
for bool, int and str defaults (and ``int("0.5")`` fails): the number settings
therefore get their default through a function, for which Sphinx passes the
string on, and ``check_config`` turns it into a number, as intersphinx checks its
own settings, stopping the build with one line for a value it cannot use. The
defaults and the checks are ``settings``', which commands without Sphinx share.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from ..data.settings import DEFAULTS, FLAGS, SettingError, checked

#: name -> (default, rebuild, types); only the metadata file changes what pages show.
SETTINGS: dict[str, tuple[Any, str, Any]] = {
    "arxiv_metadata_file": (DEFAULTS["arxiv_metadata_file"], "env", [str]),
    "arxiv_api_url": (DEFAULTS["arxiv_api_url"], "", [str]),
    "arxiv_offline": (DEFAULTS["arxiv_offline"], "", [bool]),
    "arxiv_refresh": (DEFAULTS["arxiv_refresh"], "", [bool]),
    "arxiv_prune": (DEFAULTS["arxiv_prune"], "", [bool]),
    # The feeds are written after the pages, whatever changed: no page to rebuild.
    "arxiv_feed_length": (DEFAULTS["arxiv_feed_length"], "", [int]),
    "commentary_folder": (DEFAULTS["commentary_folder"], "", [str]),
    "crossref_api_url": (DEFAULTS["crossref_api_url"], "", [str]),
    "datacite_api_url": (DEFAULTS["datacite_api_url"], "", [str]),
    "crossref_mailto": (DEFAULTS["crossref_mailto"], "", [str]),
    "openreview_api_url": (DEFAULTS["openreview_api_url"], "", [str]),
    # Numbers or, from -D, strings: check_config converts and checks them.
    "arxiv_timeout": (lambda config: DEFAULTS["arxiv_timeout"], "", Any),
    "arxiv_request_delay": (lambda config: DEFAULTS["arxiv_request_delay"], "", Any),
    "doi_request_delay": (lambda config: DEFAULTS["doi_request_delay"], "", Any),
    "openreview_request_delay": (lambda config: DEFAULTS["openreview_request_delay"], "", Any),
}


def setup_config(app: Sphinx) -> None:
    for name, (default, rebuild, types) in SETTINGS.items():
        app.add_config_value(name, default, rebuild, types=types)
    # Before Sphinx's own type check (priority 800), which would see -D's strings.
    app.connect("config-inited", check_config, priority=400)


def check_config(app: Sphinx, config: Config) -> None:
    try:
        # Reading a -D value converts it, which fails for a flag given as neither 0 nor 1.
        values = checked({name: config[name] for name in SETTINGS})
    except (SettingError, ConfigError) as err:
        _stop(f"Configuration error: {err}")
    for name in ("arxiv_timeout", "arxiv_request_delay", "doi_request_delay",
                 "openreview_request_delay", *FLAGS):
        setattr(config, name, values[name])


def _stop(message: str) -> NoReturn:
    """End the build with ``message`` alone. Sphinx reports any exception, ``ConfigError``
    included, as a crash (versions, traceback, "please open an issue"), which reads as a
    bug in Sphinx rather than a setting to correct; ``SystemExit`` passes its handler."""
    print(message, file=sys.stderr)
    raise SystemExit(2)
