"""Sphinx configuration of ML Commentary."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "ML Commentary"
author = "ML Commentary authors"
copyright = "2026, ML Commentary authors"
# The site has no releases; EPUB readers need some version (epubcheck: empty ibooks:version).
version = release = "1"

# sphinx_design: grids, cards, tabs and dropdowns for commentaries that want them.
extensions = ["myst_parser", "sphinx_design", "mlcommentary", "furo_sidebar"]
# Every Markdown file is a page except these: the repository's README, the tests' and
# the benchmark's folders, build output, and folders starting with "_" or ".".
exclude_patterns = ["README.md", "tests", "bench", "_*", ".*", "**/.*"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "ML Commentary"
html_static_path = ["_static"]
# Also spares every reader a 404 for /favicon.ico.
html_favicon = "_static/favicon.svg"
# The priority is the one Sphinx gives a conf.py stylesheet: written out, Sphinx has no
# default to add to the value, so the next build does not find it "changed".
html_css_files = [("site.css", {"priority": 800})]
html_theme_options = {"navigation_with_keys": True}

# Paper metadata: the committed file is read first, so builds need no network.
arxiv_metadata_file = "_data/arxiv.json"

# The PDF (make latexpdf): a short book, so an article-like "howto" with no blank pages;
# without the renewcommand the contents would take the caption of the first toctree.
latex_documents = [("index", "mlcommentary.tex", project, author, "howto")]
latex_elements = {
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
}

# The EPUB (make epub): its reader's table of contents lists every page, though the
# site's toctrees are hidden (furo shows them in the sidebar instead).
epub_tocscope = "includehidden"
epub_publisher = author
# Links stay links in a reader; printed after them, arXiv's URLs doubled every card.
epub_show_urls = "no"
