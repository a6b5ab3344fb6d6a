# Searching for papers (IDs of December 3012: no such papers exist).
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar"]
project = "Search site"
copyright = "3012, nobody"
version = "1"
arxiv_offline = True
html_theme = "furo"
