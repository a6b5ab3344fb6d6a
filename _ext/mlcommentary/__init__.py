"""ML Commentary's paper extension: arXiv citation cards and paper cross-references.

``setup()`` only wires things up; each concern has its own module:

* ``ids``: arXiv identifiers;  ``metadata``: records and the metadata file;
  ``fetch``: the arXiv client, bounded and polite;  ``bibtex``: entries
  (those four know nothing of Sphinx);
* ``domain``: the papers of every page, references, backlinks;
* ``directives``: ``paper`` and ``paper-index``;  ``cards``: their output;
* ``sync``: the one metadata fetch of a build;
* ``navigation``: furo's sidebar, rendered in time linear in the number of pages.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.fileutil import copy_asset
from sphinx.util.typing import ExtensionMetadata

from . import cards
from .directives import PaperDirective, PaperIndexDirective
from .domain import PaperDomain, PaperRole
from .fetch import DEFAULT_API_URL
from .navigation import SiteNavigation
from .sync import sync_metadata

__version__ = "1.0.0"
ASSETS = Path(__file__).parent / "assets"


def add_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    # Copied now rather than added to html_static_path: changing a config value
    # would make the next build see "configuration changed". Present before any
    # page is written, so Sphinx adds its ?v= checksum.
    copy_asset(ASSETS, app.builder.outdir / "_static")
    app.add_css_file("paper-card.css")
    app.add_js_file("paper-card.js", defer="defer")


def speed_up_furo_navigation(app: Sphinx) -> None:
    if getattr(getattr(app.builder, "theme", None), "name", None) != "furo":
        return
    navigation = SiteNavigation()
    app.connect("env-updated", navigation.forget)
    # furo computes its sidebar at the default priority, 500.
    app.connect("html-page-context", navigation.hide_toctree, priority=400)
    app.connect("html-page-context", navigation.render, priority=600)


def rewrite_dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    return sorted(env.domains["paper"].refresh_view())


def link_to_arxiv(app: Sphinx, env: BuildEnvironment, node, contnode):  # noqa: ANN001
    if node.get("refdomain") != "paper":
        return None
    return env.domains["paper"].link_to_arxiv(node, contnode)


def check_duplicate_claims(app: Sphinx, env: BuildEnvironment) -> None:
    env.domains["paper"].warn_duplicate_claims()


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("arxiv_metadata_file", "_data/arxiv.json", "env", types=[str])
    app.add_config_value("arxiv_api_url", DEFAULT_API_URL, "", types=[str])
    app.add_config_value("arxiv_offline", False, "", types=[bool])
    app.add_config_value("arxiv_refresh", False, "", types=[bool])
    app.add_config_value("arxiv_timeout", 30.0, "", types=[int, float])
    app.add_config_value("arxiv_request_delay", 3.0, "", types=[int, float])

    app.add_domain(PaperDomain)
    app.add_role("paper", PaperRole())
    app.add_directive("paper", PaperDirective)
    app.add_directive("paper-index", PaperIndexDirective)
    app.add_node(cards.collapsible,
                 html=(cards.visit_collapsible, cards.depart_collapsible))
    app.add_node(cards.collapsible_summary,
                 html=(cards.visit_collapsible_summary, cards.depart_collapsible_summary))
    app.add_post_transform(cards.BuildCards)
    app.add_post_transform(cards.MakeCardsInteractive)

    app.connect("builder-inited", add_assets)
    app.connect("builder-inited", speed_up_furo_navigation)
    app.connect("env-updated", sync_metadata)
    app.connect("env-get-updated", rewrite_dependents)
    app.connect("env-check-consistency", check_duplicate_claims)
    # After intersphinx (500), which may know a commentary on another site.
    app.connect("missing-reference", link_to_arxiv, priority=900)
    return {
        "version": __version__,
        "env_version": PaperDomain.data_version,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
