# A small site of synthetic commentaries (IDs of December 2030: no such papers exist).
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Test site"
copyright = "2030, nobody"
version = "1"
arxiv_offline = True
