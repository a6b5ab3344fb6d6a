"""Sphinx configuration of ML Commentary."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

# furo_sidebar, the site's own sidebar extension; the paper extension, mlcommentary,
# is a package installed from _ext (requirements.txt), as any other site installs it.
sys.path.append(str(Path(__file__).parent / "_ext"))

project = "ML Commentary"
author = "ML Commentary authors"
copyright = "2026, ML Commentary authors"
# The site has no releases; EPUB readers need some version (epubcheck: empty ibooks:version).
version = release = "1"

# sphinx_design: grids, cards, tabs and dropdowns for commentaries that want them.
extensions = ["myst_parser", "sphinx_design", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar",
              "mlcommentary.exports.sharing", "notfound.extension"]
# Every Markdown file is a page except these: the repository's README, the tests' and
# the benchmark's folders, build output, and folders starting with "_" or ".".
exclude_patterns = ["README.md", "tests", "bench", "_*", ".*", "**/.*"]
# Math: $...$, $$...$$ and amsmath's environments, written to MathML at build time by
# the extension (no script, no request at read time).
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "amsmath"]
# Math is MathML made at build time (mlcommentary.sphinx_ext.mathml), not MathJax: nothing for
# MyST to configure there, and its change to mathjax4_config at every build would be
# reported as "configuration changed".
myst_update_mathjax = False
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
# No general index: Sphinx's is made of index directives, which commentaries do not
# write, so it was an empty "Index" page linked from every page's <head>. Readers look
# papers up by the search (ID, author, title), the tag and year pages and the home list.
html_use_index = False

# Where the site is read: Read the Docs says so in READTHEDOCS_CANONICAL_URL. It makes
# the <link rel="canonical">, og:url and the sitemap; a local build knows no address,
# so it has none of them (a sitemap must give absolute addresses). sphinx-sitemap
# appends page names to it: it must end with a slash.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "").rstrip("/")
if html_baseurl:
    html_baseurl += "/"
    extensions.append("sphinx_sitemap")
    # The site has no versions or languages in its addresses: the base URL says it all.
    sitemap_url_scheme = "{link}"
    sitemap_excludes = ["search.html", "404.html"]
# Sharing (mlcommentary.exports.sharing on sphinxext-opengraph): no social-card images, which
# would need matplotlib and a figure drawn per page.
ogp_site_url = html_baseurl
ogp_social_cards = {"enable": False}
# Without it, X/Twitter shows a bare link; it reads the og: tags for the rest.
ogp_custom_meta_tags = ['<meta name="twitter:card" content="summary" />']
# The 404 page's links are absolute from the site's root, so it works at any depth.
notfound_urls_prefix = urlsplit(html_baseurl).path or "/"

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
