# A page whose papers carry hostile metadata: the tests write the metadata file and
# serve the rest from the loopback arXiv.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Hostile test"
copyright = "2030, nobody"
arxiv_request_delay = 0.1
arxiv_timeout = 5
