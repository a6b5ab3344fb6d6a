"""Which builders get which of the extension's outputs, in one table.

Every other builder (LaTeX, text, man, the EPUB where not named) gets the cards and
links in their plain form: no script, no file beside the page.
"""

#: A browser's pages: cards that fold their abstract and BibTeX, and show tags as
#: pills (``cards.MakeCardsInteractive``), and a preview on every paper link.
INTERACTIVE = ("html", "dirhtml", "singlehtml")
#: An index's lines made as its page is written (``listings``), out of the way of every
#: post-transform's walk of the page. One-page HTML fixes its links in the tree after
#: resolving them, so its lists are made as nodes, as for every other builder.
LISTED_WHEN_WRITTEN = ("html", "dirhtml")
#: ``papers.bib``, beside a site's pages. Not the EPUB, whose manifest has no media
#: type for a .bib file.
BIBLIOGRAPHY = ("html", "dirhtml", "singlehtml")
#: The Atom feeds: the builders whose output is a website to subscribe to, one
#: address a page.
FEEDS = ("html", "dirhtml")
#: Sphinx's search index, fed each paper's IDs, authors and title words.
SEARCH = ("html", "dirhtml")
#: The picture of each commentary's neighbourhood (``maps``); every other builder shows
#: its lists. Not the EPUB, whose manifest would have to declare each page with SVG.
MAP_PICTURES = ("html", "dirhtml", "singlehtml")
#: The paper search (``exports.paper_search``): Pagefind's index and its page. Not
#: one-page HTML, which has no search page of its own.
PAPER_SEARCH = ("html", "dirhtml")
