# One commentary, to which the tests add a second page claiming the same paper.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Duplicates test"
arxiv_offline = True
