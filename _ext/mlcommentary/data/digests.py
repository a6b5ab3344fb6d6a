"""A digest of some of the extension's own modules, for what a build keeps on disk (a
cache, a stamp in a written file): made by other code, it is made again."""

from __future__ import annotations

import hashlib
from pathlib import Path

_PACKAGE = Path(__file__).parent.parent


def source_digest(*modules: str) -> str:
    """The SHA-256 of ``modules`` (paths from the package's folder), in that order."""
    return hashlib.sha256(b"".join((_PACKAGE / name).read_bytes()
                                   for name in modules)).hexdigest()
