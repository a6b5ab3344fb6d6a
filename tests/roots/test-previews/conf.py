# Previews of synthetic papers (IDs of December 2030: no such papers exist).
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "mlcommentary.exports.sharing", "furo_sidebar"]
project = "Preview site"
copyright = "2030, nobody"
version = "1"
arxiv_offline = True
# The site's theme: its colours (light and dark) are what the previews map onto.
html_theme = "furo"
# No social-card images: they need matplotlib, and previews are not about them.
ogp_social_cards = {"enable": False}
