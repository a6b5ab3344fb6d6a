"""A digest of some of the extension's own modules, for what a build keeps on disk (a
cache, a stamp in a written file): made by other code, it is made again."""

from __future__ import annotations

import hashlib
from pathlib import Path

_HERE = Path(__file__).parent


def source_digest(*modules: str) -> str:
    """The SHA-256 of ``modules`` (file names in this package), in that order."""
    return hashlib.sha256(b"".join((_HERE / name).read_bytes() for name in modules)).hexdigest()
