"""The data layer: what a paper is and where its metadata comes from. Imports no
Sphinx or docutils (``tests/test_project.py`` checks), so scripts, the ``mlcommentary``
command and the benchmark use it on their own.

``ids`` (``PaperId``: a paper's identity, whatever its source), one module per source
with its identifiers, links, fetcher and BibTeX fields (``arxiv``, ``doi`` for Crossref
and DataCite, ``openreview``), ``metadata`` (records and the metadata file), ``fetch``
(what every source's requests share: bounded, polite, typed failures), ``tex`` (arXiv's
TeX: math apart from text, Unicode for plain text, LaTeX for pdflatex), ``bibtex``
(entries), ``settings`` (the settings' defaults and checks, also read from ``conf.py``),
``tags`` (which spellings are one tag), ``digests`` (digests of the code that makes a
file), ``memo`` (what the other modules remember for one build), ``newpage``
(``mlcommentary new``) and ``testing`` (loopback arXiv, DOI registries and OpenReview
for tests and the benchmark).
"""
