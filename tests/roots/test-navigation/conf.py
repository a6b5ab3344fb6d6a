# A furo site whose sidebar the extension renders; the tests add pages to it.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar"]
project = "Navigation test"
html_theme = "furo"
