# A page with a mistake found as it is read and one found as it is written.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Warned pages test"
arxiv_offline = True
