"""Pages that warned are read again, until they build without a warning.

Sphinx reads and writes again only the pages that changed, and a page's warnings come
while it is read or written: a build after one that warned says nothing of a mistake
still there, and under ``-W --keep-going`` (``make html``) the second build passes over
what the first failed on (Sphinx's issue 725). So the page each warning is located at
is noted, in a file beside the environment, and the next build reads it again: its
warnings come again, every build, until the author fixes it.

Sphinx has no event for a warning; a handler on its logger sees each one, with the
location the warning was given (a page, a node, a source's ``path:line``). With ``-W``
alone Sphinx stops at the first warning, which this handler may not have seen; ``make``
keeps going.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.utils import get_source_line
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: In the doctree folder: the pages the last build warned at.
WARNED_FILE = "mlcommentary-warned.json"
#: The logger under which Sphinx's loggers, and every extension's, log (Sphinx's logging
#: API: "Sphinx logger always uses sphinx.* namespace").
SPHINX_LOGGER = "sphinx"


class WarnedPages(logging.Handler):
    """Notes the page at which each warning that is not suppressed is located, while a
    build runs, and has the next build read those pages again."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app
        self.docnames: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        # Not shown, so not to be shown again: conf.py's suppress_warnings names its type,
        # or its type and subtype.
        kind, subtype = getattr(record, "type", None), getattr(record, "subtype", None)
        suppressed = self.app.config.suppress_warnings
        if kind is not None and {kind, f"{kind}.{subtype}", f"{kind}.*"} & set(suppressed):
            return
        docname = self._docname(getattr(record, "location", None))
        if docname in self.app.env.found_docs:
            self.docnames.add(docname)

    def _docname(self, location: object) -> str | None:
        """The page a warning's location names: a docname, ``(docname, line)``, a node,
        or the ``path:line`` Sphinx prints (as its handler leaves the record)."""
        if isinstance(location, tuple):
            return location[0]
        if isinstance(location, nodes.Node):
            path = get_source_line(location)[0]
        elif isinstance(location, str) and ":" in location:
            path = re.sub(r":\d*$", "", location)
        else:
            return location if isinstance(location, str) else None
        if path is None:
            return None
        env = self.app.env
        return env.path2doc(os.path.relpath(path, env.srcdir))

    @property
    def _file(self) -> Path:
        return Path(self.app.doctreedir) / WARNED_FILE

    def read_again(self, app: Sphinx, env: BuildEnvironment, added: set[str],
                   changed: set[str], removed: set[str]) -> list[str]:
        """As reading starts: note this build's warnings, and read again the pages that
        warned in the last one."""
        self.docnames.clear()
        logging.getLogger(SPHINX_LOGGER).addHandler(self)
        try:
            noted = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []  # no page warned, or a file this build cannot read
        # The build's own file; anything but a list of names is not what it wrote.
        return [name for name in noted if isinstance(name, str)] \
            if isinstance(noted, list) else []

    def remember(self, app: Sphinx, exception: Exception | None) -> None:
        logging.getLogger(SPHINX_LOGGER).removeHandler(self)
        try:
            if self.docnames:
                self._file.write_text(json.dumps(sorted(self.docnames)), encoding="utf-8")
            else:
                self._file.unlink(missing_ok=True)
        except OSError:
            pass  # the next build then repeats only the warnings of what it reads


def setup_warned_pages(app: Sphinx) -> None:
    warned = WarnedPages(app)
    app.connect("env-get-outdated", warned.read_again)
    app.connect("build-finished", warned.remember)
