"""What readers get, as reviewed snapshots: a card's doctree and its text form.

A change to a card shows up here as a diff to review; accept it with
``pytest tests/test_snapshots.py --force-regen`` and commit the new snapshot.
"""

from __future__ import annotations

import pytest

from mlcommentary.sphinx_ext.nodes import paper_card


@pytest.mark.sphinx("html", testroot="site")
def test_card_doctree(app, file_regression):
    app.build()
    doctree = app.env.get_and_resolve_doctree("papers/beta", app.builder)
    [card] = doctree.findall(paper_card)
    file_regression.check(card.pformat(), basename="card_doctree", extension=".xml")


@pytest.mark.sphinx("text", testroot="site")
def test_card_as_text(app, file_regression):
    app.build()
    file_regression.check((app.outdir / "papers" / "beta.txt").read_text(),
                          basename="card_text", extension=".txt")
