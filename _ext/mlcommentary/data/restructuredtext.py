"""reStructuredText as the extension writes it: the generated pages' sources, and a new
commentary on a site without MyST. No docutils here: the data layer imports none."""

from __future__ import annotations

import re
import unicodedata


def escaped(text: str) -> str:
    """``text`` as reStructuredText that shows it as it is: a tag or a title is the
    author's words, not markup."""
    return re.sub(r"([^\w\s])", r"\\\1", text)


def title(source: str, underline: str = "=") -> str:
    """A title of reStructuredText ``source``, underlined as wide as docutils measures
    it (its ``column_width``): a CJK character or an emoji takes two columns, and a
    shorter line is a warning at a line of a file the author never wrote."""
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1
                for char in source if not unicodedata.combining(char))
    return f"{source}\n{underline * width}\n"
