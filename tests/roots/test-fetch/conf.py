# Commentaries on real papers whose metadata only the loopback arXiv has
# (the tests point arxiv_api_url at it); the metadata file starts empty.
extensions = ["myst_parser", "mlcommentary"]
project = "Fetch test"
arxiv_request_delay = 0.2
arxiv_timeout = 5
