"""Generated pages and files beside the pages: ``pages`` (the tag and year pages),
``feeds`` (Atom), ``bibliography`` (``papers.bib``), ``outputs`` (what an incremental
build removes), and ``sharing``, an extension of its own (Open Graph for commentaries).
"""
