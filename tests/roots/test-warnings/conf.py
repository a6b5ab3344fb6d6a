# Pages with mistakes an author makes; every one must warn at its file and line.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Warnings test"
arxiv_offline = True
