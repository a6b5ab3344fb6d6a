# Commentaries with dates, authors and a draft (IDs of December 2030: no such papers
# exist). TEST_BASEURL, when set, gives the site an address, and so a sitemap.
import os

extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "mlcommentary.exports.sharing"]
myst_enable_extensions = ["dollarmath"]
project = "Dates test"
# The feeds are named by it; Sphinx's default adds "1 documentation".
html_title = project
author = "The Dates Test Authors"
copyright = "2031, nobody"
version = "1"
arxiv_offline = True
html_baseurl = os.environ.get("TEST_BASEURL", "")
if html_baseurl:
    extensions.append("sphinx_sitemap")
    sitemap_url_scheme = "{link}"
