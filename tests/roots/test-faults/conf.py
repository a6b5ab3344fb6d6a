# Two commentaries whose papers are in the metadata file, and two papers that only
# a (misbehaving) loopback arXiv could provide. Short timeouts keep faults quick.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
# Never arXiv itself (a closed port): the tests point this at their loopback arXiv.
arxiv_api_url = "http://127.0.0.1:9/api/query"
project = "Faults test"
arxiv_timeout = 1
arxiv_request_delay = 0.1
