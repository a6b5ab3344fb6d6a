"""The extension in real Sphinx builds of tests/roots/test-site (synthetic records)."""

from __future__ import annotations

import json
import re
import zlib

import pytest
from bs4 import BeautifulSoup
from helpers import build, copy_root, search_index, sphinx_build


def html(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def card(app, docname: str):
    return html(app, docname).select_one("div.paper-card")


def field(card_, name: str):
    for dt in card_.select("dt"):
        if dt.get_text().rstrip(":") == name:
            return dt.find_next_sibling("dd").p
    return None


@pytest.mark.sphinx("html", testroot="site")
def test_card_shows_the_record(app):
    app.build()
    assert app.warning.getvalue() == ""
    beta = card(app, "papers/beta")
    assert beta["id"] == "paper-3012-00002"
    assert beta.select_one(".paper-card-title").get_text() == "Synthetic Paper Beta"
    # Eight authors: five shown, the other three folded behind a summary.
    authors = beta.select_one(".paper-card-authors")
    assert "Author Number1" in authors.get_text() and "Author Number8" in authors.get_text()
    assert authors.select_one("details summary").get_text() == "and 3 more"
    submitted = field(beta, "Submitted").get_text()
    assert submitted == "15 Dec 2030; v3 of 16 Dec 2030"
    assert (beta.select_one(".paper-card-version").get_text()
            == "This commentary cites v2; the latest is v3, 16 Dec 2030.")
    assert field(beta, "Categories").get_text() == "cs.LG, stat.ML"
    badge = beta.select_one(".paper-card-published a.paper-badge")
    assert badge.get_text() == "Published in Journal of Synthetic Results 1 (2030)"
    assert badge["href"] == "https://doi.org/10.0000/synthetic.beta"
    links = [a["href"] for a in field(beta, "Links").select("a")]
    assert links == ["https://arxiv.org/abs/3012.00002v2", "https://arxiv.org/pdf/3012.00002v2"]
    assert field(beta, "Links").get_text() == "arXiv:3012.00002v2, PDF"
    assert [t.get_text() for t in field(beta, "Tags").select(".paper-tag")] == ["language"]
    abstract = beta.select_one("details.paper-card-abstract")
    assert abstract.summary.get_text() == "Abstract" and not abstract.has_attr("open")
    bibtex = beta.select_one("details.paper-card-bibtex pre").get_text()
    assert bibtex.startswith("@misc{number12030synthetic,")
    assert 'eprint = "3012.00002v2"' in bibtex and 'archivePrefix = "arXiv"' in bibtex
    assert 'primaryClass = "cs.LG"' in bibtex


@pytest.mark.sphinx("html", testroot="site")
def test_references_resolve_to_commentary_or_arxiv(app):
    app.build()
    alpha = html(app, "papers/alpha")
    refs = {a.get_text(): a["href"] for a in alpha.select("[role=main] a.paper-ref")}
    # Explicit text is kept; a paper without a commentary links to arXiv.
    assert refs["the third paper"] == "https://arxiv.org/abs/3012.00003"
    # Without text, the title; a pinned version stays pinned.
    assert refs["Synthetic Paper Delta"] == "https://arxiv.org/abs/3012.00004v2"
    beta = html(app, "papers/beta")
    link = beta.select_one("[role=main] p a.paper-ref")
    assert link.get_text() == "Synthetic Paper Alpha"
    assert link["href"] == "alpha.html#paper-3012-00001"
    # :related: resolves the same way.
    related = field(card(app, "papers/alpha"), "Related").a
    assert related.get_text() == "Synthetic Paper Gamma"
    assert related["href"] == "https://arxiv.org/abs/3012.00003"


@pytest.mark.sphinx("html", testroot="site")
def test_cards_say_where_else_the_paper_is_discussed(app):
    app.build()
    discussed = field(card(app, "papers/alpha"), "Discussed in")
    assert [(a.get_text(), a["href"]) for a in discussed.select("a")] == [("Beta", "beta.html")]
    assert field(card(app, "papers/beta"), "Discussed in") is None


@pytest.mark.sphinx("html", testroot="site")
def test_paper_index_lists_newest_first_and_filters_by_tag(app):
    app.build()
    items = html(app, "index").select("ul.paper-index > li")
    assert [li.a.get_text() for li in items] == ["Synthetic Paper Beta", "Synthetic Paper Alpha"]
    assert items[0].a["href"] == "papers/beta.html#paper-3012-00002"
    assert "Author Number1, Author Number2, Author Number3 et al. (2030)" in items[0].get_text()
    assert [t.get_text() for t in items[1].select(".paper-tag")] == ["vision", "scaling"]
    tagged = html(app, "tags").select("ul.paper-index > li")
    assert [li.a.get_text() for li in tagged] == ["Synthetic Paper Alpha"]


@pytest.mark.sphinx("html", testroot="site")
def test_papers_are_in_the_inventory_and_search_index(app):
    app.build()
    raw = (app.outdir / "objects.inv").read_bytes()
    body = zlib.decompress(raw.split(b"\n", 4)[4]).decode()
    assert "3012.00001 paper:paper 1 papers/alpha.html#paper-3012-00001 Synthetic Paper Alpha" in body
    assert "3012.00002 paper:paper 1 papers/beta.html#paper-3012-00002 Synthetic Paper Beta" in body
    assert "3012.00003" not in body  # no commentary, so not ours to offer
    search = (app.outdir / "searchindex.js").read_text()
    assert re.search(r'\[\d+,\d+,1,"paper-3012-00001","Synthetic Paper Alpha"\]', search)
    # The card shows the ID, so it is searchable.
    assert "arxiv:3012.00002v2" in search_index(app.outdir)["indexentries"]
    # Search results label each hit "(<label> <object type>, in <page>)".
    assert '"objnames":{"0":["paper","paper","Research paper"]}' in search


@pytest.mark.sphinx("html", testroot="site")
def test_stylesheet_maps_onto_furo_variables(app):
    app.build()
    page = html(app, "papers/alpha")
    assert page.select_one('link[href^="../_static/paper-card.css"]')
    css = (app.outdir / "_static" / "paper-card.css").read_text()
    assert "--paper-card-background: var(--color-background-secondary" in css
    # Colours are set once, through variables; no dark-mode rules of our own.
    assert "prefers-color-scheme" not in css and "data-theme" not in css
    rules = css.split("body {", 1)[1].split("}", 1)[1]
    assert not re.search(r"#[0-9a-fA-F]{3,6}", rules)


def test_other_sites_link_to_our_commentaries_through_intersphinx(make_app, tmp_path):
    ours = build(make_app, copy_root("site", tmp_path))
    inventory = ours.outdir / "objects.inv"
    mapping = {"ours": ("https://commentary.example/", str(inventory))}
    theirs = build(make_app, copy_root("intersphinx", tmp_path),
                   confoverrides={"intersphinx_mapping": mapping})
    assert theirs.warning.getvalue() == ""
    links = BeautifulSoup((theirs.outdir / "index.html").read_text(), "html.parser").select(
        "[role=main] p a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Synthetic Paper Alpha",
         "https://commentary.example/papers/alpha.html#paper-3012-00001"),
        ("Synthetic Paper Gamma", "https://arxiv.org/abs/3012.00003"),
    ]


@pytest.mark.parametrize(("builder", "beta_file", "alpha_file", "card_title"), [
    ("html", "papers/beta.html", "papers/alpha.html",
     '<p class="paper-card-title"><strong>Synthetic Paper {}</strong></p>'),
    ("text", "papers/beta.txt", "papers/alpha.txt", "**Synthetic Paper {}**"),
    ("latex", "testsite.tex", "testsite.tex", r"\sphinxstylestrong{{Synthetic Paper {}}}"),
])
def test_card_leaves_a_title_the_page_has_to_the_page(tmp_path, builder, beta_file, alpha_file,
                                                     card_title):
    """Beta's heading is its paper's title (spaced and cased otherwise); Alpha's is not."""
    srcdir = copy_root("site", tmp_path)
    beta = srcdir / "papers" / "beta.md"
    beta.write_text(beta.read_text().replace("# Beta", "# Synthetic  paper BETA"))
    outdir = tmp_path / "out"
    run = sphinx_build(srcdir, outdir, builder=builder, strict=False)
    assert run.returncode == 0, run.stderr
    assert card_title.format("Beta") not in (outdir / beta_file).read_text()
    assert card_title.format("Alpha") in (outdir / alpha_file).read_text()


def test_linkcheck_locates_the_cards_links_at_the_directive(tmp_path):
    """arXiv is unreachable here: every link comes out broken, with the line it is on."""
    srcdir = copy_root("site", tmp_path)
    with (srcdir / "conf.py").open("a") as conf:
        conf.write("linkcheck_timeout = 1\nlinkcheck_retries = 1\n")
    outdir = tmp_path / "out"
    sphinx_build(srcdir, outdir, builder="linkcheck", strict=False)
    results = [json.loads(line) for line in (outdir / "output.json").read_text().splitlines()]
    lines = {(r["filename"], r["uri"]): r["lineno"] for r in results}
    # The directive is on line 3 of each page.
    assert lines[("papers/alpha.md", "https://arxiv.org/abs/3012.00001")] == 3
    assert lines[("papers/alpha.md", "https://arxiv.org/pdf/3012.00001")] == 3
    assert lines[("papers/beta.md", "https://doi.org/10.0000/synthetic.beta")] == 3


@pytest.mark.sphinx("html", testroot="site")
def test_the_domain_lists_commentaries_by_tag_and_year(app):
    """The one query the index (and tag and year pages) use: newest paper first."""
    app.build()
    domain = app.env.domains["paper"]
    listed = lambda **query: [c.docname for c in domain.commentaries(**query)]  # noqa: E731
    assert listed() == ["papers/beta", "papers/alpha"]  # 15 Dec 2030, then 1 Dec 2030
    assert listed(tags={"vision"}) == ["papers/alpha"]
    assert listed(tags={"vision", "language"}) == ["papers/beta", "papers/alpha"]
    assert listed(year="2030") == ["papers/beta", "papers/alpha"]
    assert listed(year="2029") == []
    beta = domain.commentary("3012.00002")
    assert (str(beta.paper_id), beta.tags, beta.record.title) == (
        "3012.00002v2", ("language",), "Synthetic Paper Beta")
