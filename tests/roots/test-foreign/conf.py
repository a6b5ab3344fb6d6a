# A Sphinx project that is not this site: the basic theme, reStructuredText and MyST
# pages, its metadata file and commentary folder where it wants them. It uses the
# mlcommentary package as installed from a wheel (tests/test_package.py). Synthetic
# records of May 2027: no such papers exist.
project = "Reading group"
extensions = ["myst_parser", "mlcommentary"]
html_theme = "basic"
arxiv_metadata_file = "metadata/papers.json"
arxiv_offline = True
commentary_folder = "notes"
