"""Functions that remember their answers for one build.

A paper's title and abstract are shown on every page that links to it, so the TeX,
IDs and tags in them are worked out again and again in one build, and the functions
that do so remember what they answered: as much as the site has papers. The Sphinx
side forgets it all when the build ends (``forget``), so that a process hosting
builds (sphinx-autobuild, a test session) does not keep one build's answers after it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_REMEMBERING: list[Any] = []


def remembered(function: Callable[..., Any] | None = None, *,
               most: int | None = None) -> Any:
    """``function``, remembering its answer to each argument until ``forget()``; with
    ``most``, that many answers at most, the one asked for longest ago going first."""
    if function is None:
        return functools.partial(remembered, most=most)
    cached = functools.lru_cache(maxsize=most)(function)
    _REMEMBERING.append(cached)
    return cached


def forget() -> None:
    for cached in _REMEMBERING:
        cached.cache_clear()
