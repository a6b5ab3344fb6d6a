# Math where it is hard to place: in a page title (sidebar, EPUB navigation, the PDF's
# "Discussed in"), in a paper's title before a word, numbered amsmath rows, and formulas
# wider than a phone. A synthetic record (an ID of May 2027: no such paper exists).
extensions = ["myst_parser", "mlcommentary", "mlcommentary.buildscale", "furo_sidebar"]
myst_enable_extensions = ["dollarmath", "amsmath"]
project = "Math layout"
copyright = "2027, nobody"
version = "1"
arxiv_offline = True
html_theme = "furo"
# As the site's book: an article, whose equations LaTeX would number on across pages.
latex_documents = [("index", "mathlayout.tex", project, "nobody", "howto")]
