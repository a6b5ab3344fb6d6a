# A site whose commentaries are on papers of every source, citing each other: an arXiv
# preprint, two papers known only by their DOIs (a journal article and a proceedings
# paper) and one only on OpenReview. Their (synthetic) records are in the metadata
# file, as a site keeps them.
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale"]
project = "Sources test"
# EPUB 3 wants both.
copyright = "3030, Synthetic Authors"
version = "1"
# Never a real service (a closed port): the tests that fetch point these at loopbacks.
arxiv_api_url = "http://127.0.0.1:9/api/query"
crossref_api_url = "http://127.0.0.1:9/crossref"
openreview_api_url = "http://127.0.0.1:9"
openreview_request_delay = 0
datacite_api_url = "http://127.0.0.1:9/datacite"
arxiv_request_delay = 0.2
doi_request_delay = 0
arxiv_timeout = 5
exclude_patterns = ["_build"]
