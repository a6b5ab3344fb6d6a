# Synthetic papers (IDs of December 2030: no such papers exist) that moved on after
# their commentary: a newer version, a withdrawal, a journal.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Versions test"
copyright = "2030, nobody"
version = "1"
arxiv_offline = True
