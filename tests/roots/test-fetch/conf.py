# Commentaries on real papers whose metadata only the loopback arXiv has
# (the tests point arxiv_api_url at it); the metadata file starts empty.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
# Never arXiv itself (a closed port): the tests point this at their loopback arXiv.
arxiv_api_url = "http://127.0.0.1:9/api/query"
project = "Fetch test"
arxiv_request_delay = 0.2
arxiv_timeout = 5
