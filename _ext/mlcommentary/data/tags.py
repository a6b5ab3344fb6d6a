"""Tags' names, with no Sphinx: the build and ``python -m mlcommentary new`` must agree
on which spellings are one tag."""

from __future__ import annotations

import hashlib
import json
import re

from .memo import remembered


#: Symbols that name things ("C++", "C#", "A*"), spelt out: dropped as separators are,
#: three languages would be one tag, and a page's name cannot hold "#".
_SPOKEN = {"+": "plus", "#": "sharp", "*": "star"}


@remembered
def tag_key(tag: str) -> str:
    """What makes spellings one tag, also the name of its page: neither case nor how the
    words are separated counts, so "Transfer learning" is "transfer-learning"."""
    words = [_SPOKEN.get(word, word)
             for word in re.findall(r"[^\W_]+|[+#*]", tag.casefold())]
    if words:
        return "-".join(words)
    return "tag-" + hashlib.sha256(json.dumps(tag).encode()).hexdigest()[:8]
