# Two commentaries whose papers are in the metadata file, and two papers that only
# a (misbehaving) loopback arXiv could provide. Short timeouts keep faults quick.
extensions = ["myst_parser", "mlcommentary"]
project = "Faults test"
arxiv_timeout = 1
arxiv_request_delay = 0.1
