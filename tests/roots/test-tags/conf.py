# Synthetic commentaries with tags (IDs of December 2030: no such papers exist), in furo
# with the sidebar the site uses, so the generated pages are seen as readers see them.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar"]
project = "Tags test"
copyright = "2030, nobody"
version = "1"
html_theme = "furo"
arxiv_offline = True
