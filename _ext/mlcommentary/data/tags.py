"""Tags' names, with no Sphinx: the build and ``python -m mlcommentary new`` must agree
on which spellings are one tag."""

from __future__ import annotations

import functools
import hashlib
import json
import re


@functools.cache
def tag_key(tag: str) -> str:
    """What makes spellings one tag, also the name of its page: neither case nor how the
    words are separated counts, so "Transfer learning" is "transfer-learning"."""
    words = re.findall(r"[^\W_]+", tag.casefold())
    if words:
        return "-".join(words)
    return "tag-" + hashlib.sha256(json.dumps(tag).encode()).hexdigest()[:8]
