# Math written by authors and by arXiv: synthetic records (IDs of December 3012: no
# such papers exist) whose titles, abstracts and comments carry TeX, some of it broken.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
myst_enable_extensions = ["dollarmath", "amsmath"]
project = "Math site"
copyright = "3012, nobody"
version = "1"
arxiv_offline = True
# The site's theme, so the browser test sees math in its light and dark modes.
html_theme = "furo"
