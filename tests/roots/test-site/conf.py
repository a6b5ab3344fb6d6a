# A small site of synthetic commentaries (IDs of December 2030: no such papers exist).
extensions = ["myst_parser", "mlcommentary"]
project = "Test site"
arxiv_offline = True
