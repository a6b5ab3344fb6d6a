# A site to start commentaries in with `make paper` (real papers, whose metadata only
# the loopback arXiv has); the metadata file starts absent.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
myst_enable_extensions = ["colon_fence"]
project = "New page test"
# Excluded as the real site excludes them: their paper directives claim nothing.
exclude_patterns = ["_*", ".*", "drafts"]
# Never arXiv itself (a closed port): the tests point this at their loopback arXiv.
arxiv_api_url = "http://127.0.0.1:9/api/query"
arxiv_request_delay = 0.2
arxiv_timeout = 5
