"""The HTML templates, compiled once and kept beside the doctrees.

Sphinx gives every build a new Jinja environment, which compiles each template it
renders from its source: furo's page and the partials it includes, in every build
whatever the site's size. A one-page edit of ``tests/roots/test-tags`` took 1.43 s
with them compiled again and 1.26 s with them kept (medians of five). It also renders
the themes' static ``_t`` files (``basic.css_t``, ``documentation_options.js_t``) from
strings, which Jinja's cache does not serve: 0.05 s of a 0.55 s build of
``tests/roots/test-dates``, compiled again in every build.

Jinja's own bytecode cache keeps what it compiled, keyed by the template's name and
path (a string's digest, for a string) and checked against a digest of its source,
so an edited or upgraded template is compiled again; its files are written whole (a
temporary file, then renamed), so parallel writers can share it, and so can builds of
different sites.

It is Sphinx's documented way to change how templates are loaded, ``template_bridge``,
set when the site has not set its own: a site with its own bridge keeps it whole.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemBytecodeCache
from sphinx.jinja2glue import BuiltinTemplateLoader

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.theming import Theme

#: The folder in the doctree directory: ``make clean`` removes it with the rest.
FOLDER = "jinja-bytecode"
#: A folder that many builds share instead, when each starts from an empty doctree
#: directory: a test suite's builds, or CI's that keep one cache between runs.
SHARED_FOLDER_VARIABLE = "MLCOMMENTARY_TEMPLATE_CACHE"


class CompiledOnceTemplates(BuiltinTemplateLoader):
    """Sphinx's own template loader, with what it compiles kept between builds."""

    def init(self, builder: Builder, theme: Theme | None = None,
             dirs: list[str] | None = None) -> None:
        super().init(builder, theme, dirs)
        folder = Path(os.environ.get(SHARED_FOLDER_VARIABLE) or Path(builder.doctreedir, FOLDER))
        folder.mkdir(parents=True, exist_ok=True)
        self.environment.bytecode_cache = FileSystemBytecodeCache(str(folder))

    def render_string(self, source: str, context: dict[str, Any]) -> str:
        environment, cache = self.environment, self.environment.bytecode_cache
        digest = hashlib.sha256(source.encode()).hexdigest()
        bucket = cache.get_bucket(environment, "<string>", digest, source)
        if bucket.code is None:
            bucket.code = environment.compile(source)
            cache.set_bucket(bucket)
        template = environment.template_class.from_code(
            environment, bucket.code, environment.make_globals(None))
        return template.render(context)


def compile_templates_once(app: Sphinx, config: Config) -> None:
    if not config.template_bridge:
        config.template_bridge = f"{__name__}.{CompiledOnceTemplates.__qualname__}"


def setup_templates(app: Sphinx) -> None:
    app.connect("config-inited", compile_templates_once)
