# Synthetic commentaries (IDs of December 2030: no such papers exist) whose records
# the tests change on the loopback arXiv, plus records that no page uses.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Refresh test"
# Never arXiv itself (a closed port): the tests point this at their loopback arXiv.
arxiv_api_url = "http://127.0.0.1:9/api/query"
arxiv_request_delay = 0.2
arxiv_timeout = 5
