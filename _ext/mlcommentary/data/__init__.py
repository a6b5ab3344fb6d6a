"""The data layer: what a paper is and where its metadata comes from. Imports no
Sphinx or docutils (``tests/test_project.py`` checks), so scripts, the ``mlcommentary``
command and the benchmark use it on their own.

``ids`` (arXiv identifiers), ``metadata`` (records and the metadata file), ``fetch``
(the arXiv client, bounded and polite), ``tex`` (arXiv's TeX: math apart from text,
Unicode for plain text, LaTeX for pdflatex), ``bibtex`` (entries), ``settings`` (the
settings' defaults and checks, also read from ``conf.py``), ``tags`` (which spellings
are one tag), ``sources`` (digests of the code that makes a file), ``newpage``
(``mlcommentary new``) and ``testing`` (a loopback arXiv for tests and the benchmark).
"""
