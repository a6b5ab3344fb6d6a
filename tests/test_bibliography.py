"""``papers.bib``: every paper of the site once, under the key its card uses, read by
pybtex and by the real ``bibtex``; keys stable across builds, parallel reads and a
paper added later with the same key."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from helpers import copy_root, sphinx_build
from pybtex.database import parse_file
from test_bibtex import bibtex_program, run_bibtex  # noqa: F401 (a fixture)

from mlcommentary.data.bibtex import unique_keys

#: The root's papers by key: two first authors named Chen, in 2030, on "simple" things.
KEYS = {"chen2030simplea": "3012.00101v1", "chen2030simpleb": "3012.00102",
        "fixture2030paper": "3012.00103"}


def card_entries(outdir) -> dict[str, str]:
    """The BibTeX of every card of the built site, by the key it names."""
    entries = {}
    for page in (outdir / "papers").glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for pre in soup.select("details.paper-card-bibtex pre"):
            entries[re.match(r"@misc\{([^,]+),", pre.get_text())[1]] = pre.get_text()
    return entries


def test_every_paper_once_with_its_cards_key_read_by_bibtex(tmp_path, bibtex_program):  # noqa: F811
    result = sphinx_build(copy_root("bibliography", tmp_path), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    bib = (tmp_path / "out" / "papers.bib").read_text(encoding="utf-8")

    entries = parse_file(tmp_path / "out" / "papers.bib", "bibtex").entries
    assert {key: entry.fields["eprint"] for key, entry in entries.items()} == KEYS
    assert f"wrote papers.bib: {len(KEYS)} papers" in result.stdout
    # Each card's entry is papers.bib's, key and all; the mentioned paper has no card.
    cards = card_entries(tmp_path / "out")
    assert sorted(cards) == ["chen2030simplea", "chen2030simpleb"]
    for entry in cards.values():
        assert entry.strip() in bib

    run_bibtex(bibtex_program, tmp_path / "bibtex", bib, list(entries))

    # The home page and the tags page link to it, from their own folders.
    for page, href in (("index.html", "papers.bib"), ("tags/index.html", "../papers.bib")):
        soup = BeautifulSoup((tmp_path / "out" / page).read_text(encoding="utf-8"),
                             "html.parser")
        assert soup.select_one("a.paper-bibliography")["href"] == href


def test_keys_stable_across_builds_and_parallel_reads(tmp_path):
    srcdir = copy_root("bibliography", tmp_path)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert sphinx_build(srcdir, serial).returncode == 0
    assert sphinx_build(srcdir, parallel, "-j", "2").returncode == 0
    bib = (serial / "papers.bib").read_text(encoding="utf-8")
    assert (parallel / "papers.bib").read_text(encoding="utf-8") == bib

    # A build that changes nothing leaves the file alone; a fresh one writes it alike.
    mtime = (serial / "papers.bib").stat().st_mtime_ns
    assert sphinx_build(srcdir, serial).returncode == 0
    assert (serial / "papers.bib").stat().st_mtime_ns == mtime
    assert sphinx_build(srcdir, serial, "-E").returncode == 0
    assert (serial / "papers.bib").read_text(encoding="utf-8") == bib
    # Its heading names the project: renamed, the file is written anew.
    assert sphinx_build(srcdir, serial, "-D", "project=Renamed").returncode == 0
    assert "% Renamed: every paper" in (serial / "papers.bib").read_text(encoding="utf-8")


def test_a_paper_added_with_the_same_key_renames_the_older_card(tmp_path):
    srcdir = copy_root("bibliography", tmp_path)
    page_b = srcdir / "papers" / "simple-b.md"
    text_b = page_b.read_text()
    page_b.unlink()
    out = tmp_path / "out"
    assert sphinx_build(srcdir, out).returncode == 0
    assert list(card_entries(out)) == ["chen2030simple"]
    assert "@misc{chen2030simple," in (out / "papers.bib").read_text()

    page_b.write_text(text_b)
    result = sphinx_build(srcdir, out)
    assert result.returncode == 0, result.stderr
    # Incremental: simple-a was not read again, yet its card was rewritten.
    read = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", result.stdout)
    assert "papers/simple-b" in read and "papers/simple-a" not in read
    assert re.search(r"writing output\.\.\. \[\s*\d+%\] papers/simple-a", result.stdout)
    cards = card_entries(out)
    assert sorted(cards) == ["chen2030simplea", "chen2030simpleb"]
    bib = (out / "papers.bib").read_text(encoding="utf-8")
    assert cards["chen2030simplea"].strip() in bib
    assert "@misc{chen2030simple," not in bib


def test_a_second_commentarys_card_follows_the_key_too(tmp_path):
    """A page that claims a paper another page keeps (a warning) shows a card too."""
    srcdir = copy_root("bibliography", tmp_path)
    page_b = srcdir / "papers" / "simple-b.md"
    text_b = page_b.read_text()
    page_b.unlink()
    (srcdir / "papers" / "simple-a-again.md").write_text(
        "# Again\n\n```{paper} 3012.00101v1\n```\n")
    out = tmp_path / "out"
    assert sphinx_build(srcdir, out, strict=False).returncode == 0
    page_b.write_text(text_b)
    assert sphinx_build(srcdir, out, strict=False).returncode == 0
    again = BeautifulSoup((out / "papers" / "simple-a-again.html").read_text(encoding="utf-8"),
                          "html.parser").select_one("details.paper-card-bibtex pre").get_text()
    assert again.startswith("@misc{chen2030simplea,")


def test_a_paper_without_a_record_has_no_entry(tmp_path):
    """The build warns about it (no metadata, offline); papers.bib leaves it out."""
    srcdir = copy_root("bibliography", tmp_path)
    with (srcdir / "papers" / "simple-b.md").open("a") as page:
        page.write("\nSee {paper}`3012.00999`.\n")
    result = sphinx_build(srcdir, tmp_path / "out", strict=False)
    assert result.returncode == 0, result.stderr
    assert "no metadata for arXiv:3012.00999" in result.stderr
    entries = parse_file(tmp_path / "out" / "papers.bib", "bibtex").entries
    assert sorted(entries) == sorted(KEYS)


def test_only_the_site_builders_write_it(tmp_path):
    """Plain text shows the link's words; there is no file for it to point at."""
    result = sphinx_build(copy_root("bibliography", tmp_path), tmp_path / "out",
                          builder="text")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out" / "papers.bib").exists()
    assert "Every paper is in papers.bib." in (tmp_path / "out" / "index.txt").read_text()

    # Where the site has an address, a PDF links to the file there.
    result = sphinx_build(tmp_path / "bibliography", tmp_path / "latex", "-D",
                          "html_baseurl=https://example.org/site/", builder="latex")
    assert result.returncode == 0, result.stderr
    [tex] = (tmp_path / "latex").glob("*.tex")
    assert (r"\sphinxhref{https://example.org/site/papers.bib}{papers.bib}"
            in tex.read_text(encoding="utf-8"))


def test_unique_keys_never_give_one_key_twice():
    """Suffixes in ID order, skipping a key another paper has as its own; past z, aa."""
    own = {f"3012.{n:05d}": "chen2030simple" for n in range(30, 0, -1)}
    own["3012.00099"] = "chen2030simplea"
    keys = unique_keys(own)
    assert len(set(keys.values())) == len(keys) == 31
    assert keys["3012.00099"] == "chen2030simplea"
    assert [keys[f"3012.{n:05d}"] for n in (1, 2, 26, 27, 30)] == [
        "chen2030simpleb", "chen2030simplec", "chen2030simpleaa", "chen2030simpleab",
        "chen2030simpleae"]


def test_the_site_links_its_papers_bib(built_site):
    """The real site: the seed commentary's paper is in it, under its card's key, and the
    home page's link leads to the file."""
    outdir = built_site[0].outdir
    entries = parse_file(outdir / "papers.bib", "bibtex").entries
    assert "abnar2021exploring" in entries
    assert "abnar2021exploring" in card_entries(outdir)
    home = BeautifulSoup((outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert (outdir / home.select_one("a.paper-bibliography")["href"]).is_file()
