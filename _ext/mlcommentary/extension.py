"""What ``setup()`` wires into Sphinx: each feature's ``setup_<feature>(app)``, in order."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset
from sphinx.util.typing import ExtensionMetadata

from . import internals
from .data import memo
from .exports.bibliography import setup_bibliography
from .exports.feeds import setup_feeds
from .exports.outputs import setup_outputs
from .exports.pages import setup_pages, update_pages
from .exports.paper_search import setup_paper_search
from .sphinx_ext import cards, formats, previews
from .sphinx_ext.byline import note_byline
from .sphinx_ext.config import setup_config
from .sphinx_ext.directives import PaperDirective, PaperIndexDirective
from .sphinx_ext.domain import PaperDomain, PaperRole, note_builder
from .sphinx_ext.drafts import setup_drafts
from .sphinx_ext.epub import setup_epub
from .sphinx_ext.maps import setup_maps
from .sphinx_ext.mathml import setup_mathml
from .sphinx_ext.navigation import setup_navigation
from .sphinx_ext.listings import setup_listings
from .sphinx_ext.nodes import NODES
from .sphinx_ext.previews import setup_previews
from .sphinx_ext.search import setup_search
from .sphinx_ext.sync import remember_owners, sync_metadata
from .sphinx_ext.warned import setup_warned_pages

ASSETS = Path(__file__).parent / "assets"


def add_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    # Copied now rather than added to html_static_path: changing a config value
    # would make the next build see "configuration changed". Present before any
    # page is written, so Sphinx adds its ?v= checksum.
    # The previews' files are added page by page (previews.add_page_assets), and only
    # by the builders that make previews: the EPUB would warn about the licence file.
    without_previews = app.builder.name not in formats.INTERACTIVE
    # force: the files are the extension's own, and an upgrade of it changes them; Sphinx
    # would keep the last build's and warn.
    copy_asset(ASSETS, app.builder.outdir / "_static",
               excluded=lambda path: without_previews and previews.is_preview_asset(path),
               force=True)
    app.add_css_file("paper-card.css")
    app.add_css_file("paper-math.css")
    if app.builder.name == "epub":
        app.add_css_file("paper-card-epub.css")
    app.add_js_file("paper-card.js", defer="defer")


def rewrite_dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    affected = env.domains["paper"].refresh_view()
    remember_owners(app, env)
    # The generated pages follow the fresh view: some are new or changed, some gone.
    affected.update(update_pages(app, env))
    return sorted(affected & env.found_docs)


def set_pages_aside(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    env.domains["paper"].set_pages_aside()


def take_pages_back(app: Sphinx, env: BuildEnvironment) -> None:
    env.domains["paper"].take_pages_back()


def name_listings(app: Sphinx, docnames: list[str]) -> list[str]:
    return app.env.domains["paper"].listings(docnames)


def offer_listings(app: Sphinx) -> None:
    """Where the site also has ``mlcommentary.buildscale``, its parallel writer spreads
    the listings over its writers (its ``large-pages`` event, known only once every
    extension is set up)."""
    try:
        app.connect("large-pages", name_listings)
    except ExtensionError:
        pass  # a site without it


def forget_answers(app: Sphinx, exception: Exception | None) -> None:
    memo.forget()


def link_to_source(app: Sphinx, env: BuildEnvironment, node, contnode):  # noqa: ANN001
    if node.get("refdomain") != "paper":
        return None
    return env.domains["paper"].link_to_source(node, contnode)


def setup_papers(app: Sphinx) -> None:
    """The domain, its role and directives, the cards, and the metadata they show."""
    app.add_domain(PaperDomain)
    app.add_role("paper", PaperRole())
    app.add_directive("paper", PaperDirective)
    app.add_directive("paper-index", PaperIndexDirective)
    for node, visitors in NODES.items():
        app.add_node(node, **visitors)
    app.add_post_transform(cards.BuildCards)
    app.add_post_transform(cards.MakeCardsInteractive)
    # First: the post-transforms of every page ask the domain for the builder.
    app.connect("builder-inited", note_builder, priority=0)
    app.connect("builder-inited", add_assets)
    app.connect("builder-inited", offer_listings)
    app.connect("source-read", note_byline)
    app.connect("env-before-read-docs", set_pages_aside)
    # First: every other handler of the event asks the domain about pages.
    app.connect("env-updated", take_pages_back, priority=0)
    app.connect("env-updated", sync_metadata)
    app.connect("env-get-updated", rewrite_dependents)
    # After intersphinx (500), which may know a commentary on another site.
    app.connect("missing-reference", link_to_source, priority=900)
    # Last: the feeds, papers.bib and the paper search, written when the build ends, ask
    # for the same titles and IDs as the pages did.
    app.connect("build-finished", forget_answers, priority=999)


#: In this order: handlers of one event at one priority run in the order connected.
FEATURES = (setup_config, setup_epub, setup_papers, setup_maps, setup_mathml, setup_previews,
            setup_listings, setup_pages, setup_navigation, setup_outputs, setup_drafts, setup_feeds,
            setup_bibliography, setup_search, setup_paper_search, setup_warned_pages)


def setup_extension(app: Sphinx, version: str) -> ExtensionMetadata:
    # Said now, in words, rather than as an AttributeError halfway through a build.
    if changed := internals.changed():
        raise ExtensionError("\n".join(changed))
    for setup_feature in FEATURES:
        setup_feature(app)
    return {
        "version": version,
        "env_version": PaperDomain.data_version,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
