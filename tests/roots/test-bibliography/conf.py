# Synthetic papers (IDs of December 2030: no such papers exist), two of whose keys collide.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Bibliography test"
copyright = "2030, nobody"
version = "1"
arxiv_offline = True
