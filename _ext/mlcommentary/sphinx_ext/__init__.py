"""The Sphinx side: what a page's papers are, and how each output shows them.

``config`` (the settings as Sphinx config values), ``domain`` (every page's papers,
references, backlinks, tags: all cross-page state), ``directives`` (``paper`` and
``paper-index``), ``byline`` (a commentary's date, authors and draft status), ``sync``
(the one metadata fetch of a build), ``nodes`` (the nodes and their output in each
format), ``cards`` (the cards and indexes), ``mathml`` (math at build time),
``previews`` (a preview on every paper link), ``drafts`` (drafts out of what readers
reach), ``navigation`` (every page written again when the sidebar changes), ``search``
(papers in Sphinx's search), ``epub`` (the EPUB's navigation) and ``formats`` (which
builders get which output).
"""
