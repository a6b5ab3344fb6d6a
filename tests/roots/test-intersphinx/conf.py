# Another commentary site, linking to tests/roots/test-site's commentaries through
# intersphinx (the test points intersphinx_mapping at that site's inventory).
extensions = ["myst_parser", "sphinx.ext.intersphinx", "mlcommentary", "mlcommentary.buildscale"]
project = "Intersphinx test"
arxiv_offline = True
