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

from ..data.settings import DEFAULTS, FLAGS, SECONDS, SettingError, checked

def _registration(name: str, default: Any) -> tuple[Any, str, Any]:
    """``(default, rebuild, types)`` for ``add_config_value``. Only the metadata file
    and the map size change what pages show (the feeds are written after the pages,
    whatever changed).
    The numbers of seconds may come from -D as strings: check_config converts them,
    so they get their default through a function, which Sphinx passes strings to."""
    if name in SECONDS:
        return (lambda config: DEFAULTS[name]), "", Any
    return default, "env" if name in ENV_SETTINGS else "", [type(default)]


#: The settings whose change makes every page read again.
ENV_SETTINGS = ("arxiv_metadata_file", "paper_map_size")
#: name -> (default, rebuild, types): every setting of the site and of each source.
SETTINGS: dict[str, tuple[Any, str, Any]] = {
    name: _registration(name, default) for name, default in DEFAULTS.items()}


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
    for name in (*SECONDS, *FLAGS):
        setattr(config, name, values[name])


def _stop(message: str) -> NoReturn:
    """End the build with ``message`` alone. Sphinx reports any exception, ``ConfigError``
    included, as a crash (versions, traceback, "please open an issue"), which reads as a
    bug in Sphinx rather than a setting to correct; ``SystemExit`` passes its handler."""
    print(message, file=sys.stderr)
    raise SystemExit(2)
