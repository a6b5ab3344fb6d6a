"""Sphinx configuration of ML Commentary."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "ML Commentary"
author = "ML Commentary authors"
copyright = "2026, ML Commentary authors"

extensions = ["myst_parser", "sphinx_design", "mlcommentary"]
# Only the pages of the site: README.md, tests/ and bench/ are not pages.
include_patterns = ["index.md", "writing.md", "papers/**"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "ML Commentary"
html_static_path = ["_static"]
# Also spares every reader a 404 for /favicon.ico.
html_favicon = "_static/favicon.svg"
html_css_files = ["site.css"]
html_theme_options = {"navigation_with_keys": True}

# Paper metadata: the committed file is read first, so builds need no network.
arxiv_metadata_file = "_data/arxiv.json"
