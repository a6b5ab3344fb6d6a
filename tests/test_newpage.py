"""``make paper ID=...`` (``python -m mlcommentary new``): a commentary page in one
command, against the loopback arXiv or with no server at all."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import REPO
from helpers import copy_root, make, process_environment, python_m, sphinx_build

from mlcommentary.data.arxiv import ArxivFetcher
from mlcommentary.data.fetch import Missing, Outage, outage_file

OUTAGE_FILE = outage_file("arxiv")
from mlcommentary.data.metadata import MetadataFile
from mlcommentary.data.testing import FakeArxiv, synthetic_entry

#: A closed port: a command that asked arXiv here would fail.
NO_SERVER = "http://127.0.0.1:9/api/query"


def point(site: Path, url: str) -> None:
    """Point the site's conf.py at ``url``, as an author would."""
    with (site / "conf.py").open("a") as conf:
        conf.write(f"arxiv_api_url = {url!r}\n")


def git_name(tmp_path: Path, name: str | None) -> dict[str, str]:
    """An environment in which ``git config user.name`` is ``name`` (or unset)."""
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\tname = {name}\n" if name else "")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def new(site: Path, *args: str, **environ: str) -> subprocess.CompletedProcess:
    return python_m("mlcommentary", "new", "--site", str(site), *args, timeout=120, **environ)


def stored(site: Path) -> dict:
    return json.loads((site / "_data" / "arxiv.json").read_text())


def front_matter(page: Path) -> dict:
    _, front, _ = page.read_text().split("---\n", 2)
    return yaml.safe_load(front)


def prefill(site: Path, real_responses, *bases: str) -> None:
    """Records in the site's metadata file, fetched from a loopback arXiv that is gone."""
    with FakeArxiv(real_responses) as server:
        report = ArxivFetcher(server.url, delay=0).fetch(bases)
    MetadataFile(site / "_data" / "arxiv.json").save(report.records)


def test_make_paper_creates_a_page_that_builds_at_once(tmp_path, real_arxiv):
    site = copy_root("newpage", tmp_path)
    point(site, real_arxiv.url)
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}",
                  **git_name(tmp_path, "Ada Example"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = site / "papers" / "heat-bath-random-walks-with-markov-bases.md"
    assert result.stdout.splitlines() == [str(page)]
    assert front_matter(page) == {"date": datetime.date.today(), "authors": ["Ada Example"]}
    text = page.read_text()
    assert "\n# Heat-bath random walks with Markov bases\n\n```{paper} 1605.08386\n```\n" in text
    assert re.findall(r"^## (.+)$", text, re.M) == ["Summary", "Why it matters", "Notes"]
    # One request, for the one paper; saved with the page as its commentary.
    assert [request.id_list for request in real_arxiv.requests] == [["1605.08386"]]
    metadata = stored(site)
    assert metadata["papers"]["1605.08386"]["title"] == "Heat-bath random walks with Markov bases"
    assert metadata["commentaries"] == {
        "1605.08386": "papers/heat-bath-random-walks-with-markov-bases"}

    build = sphinx_build(site, tmp_path / "html")
    assert build.returncode == 0, build.stderr
    html = (tmp_path / "html" / "papers" / "heat-bath-random-walks-with-markov-bases.html"
            ).read_text()
    assert 'class="paper-card' in html
    assert "<h1>Heat-bath random walks with Markov bases" in html
    # The heading is the paper's title, so the card does not repeat it.
    assert "paper-card-title" not in html
    assert "paper-card-authors" in html
    # The build kept the page as the paper's commentary.
    assert stored(site)["commentaries"]["1605.08386"] == (
        "papers/heat-bath-random-walks-with-markov-bases")


def test_works_offline_for_a_paper_the_metadata_file_has(tmp_path, real_responses):
    site = copy_root("newpage", tmp_path)
    point(site, NO_SERVER)
    prefill(site, real_responses, "astro-ph/0601001", "1312.2021")
    result = new(site, "astro-ph/0601001", **git_name(tmp_path, None))
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip())
    assert page == site / "papers" / (
        "frequency-of-hot-jupiters-and-very-hot-jupiters-from-the.md")
    # Without a name in git's configuration, the page names no author.
    assert front_matter(page) == {"date": datetime.date.today()}
    assert sphinx_build(site, tmp_path / "html").returncode == 0


#: Every form the directive takes -> what the page's directive says.
ID_FORMS = {
    "1707.08567": "1707.08567",
    "arXiv:2402.16893v1": "2402.16893v1",
    "https://arxiv.org/abs/1111.2011v2": "1111.2011v2",
    "https://arxiv.org/pdf/2104.12255v1.pdf": "2104.12255v1",
    "astro-ph/9812133": "astro-ph/9812133",
    "math.DG/0211159": "math/0211159",
    "quant-ph/0201082v1": "quant-ph/0201082v1",
    "https://doi.org/10.48550/arXiv.1605.08386": "1605.08386",
    "doi:10.48550/ARXIV.ASTRO-PH/0601001": "astro-ph/0601001",
}


def test_every_id_form_the_directive_takes(tmp_path, real_arxiv):
    site = copy_root("newpage", tmp_path)
    point(site, real_arxiv.url)
    pages = {}
    for written, canonical in ID_FORMS.items():
        result = new(site, written)
        assert result.returncode == 0, (written, result.stderr)
        pages[canonical] = page = Path(result.stdout.strip())
        assert f"```{{paper}} {canonical}\n```" in page.read_text(), written
    names = sorted(path.name for path in (site / "papers").iterdir())
    # The paper titled "0" gets a page named after its title too.
    assert "0.md" in names and len(names) == len(ID_FORMS) + 1
    # The role takes the same forms: an arXiv DOI leads to the paper's commentary.
    with pages["1707.08567"].open("a") as page:
        page.write("\nSee {paper}`https://doi.org/10.48550/arXiv.1605.08386`.\n")
    build = sphinx_build(site, tmp_path / "html")
    assert build.returncode == 0, build.stderr
    html = (tmp_path / "html" / "papers" / pages["1707.08567"].with_suffix(".html").name)
    assert f'href="{pages["1605.08386"].with_suffix(".html").name}#' in html.read_text()


@pytest.mark.parametrize("dollar_math", [True, False])
def test_a_title_with_math_and_markup(dollar_math, tmp_path, real_arxiv):
    """arXiv's math becomes MyST math in the heading where the site has MyST's
    dollarmath (as this site does), Unicode where not; either way the heading reads
    as the card's title does, so the card does not repeat it. Anything else that MyST
    would read as markup stays text."""
    real_arxiv.add(synthetic_entry(
        "3012.00042", r"Scaling $\mu$P to $10^{12}$ parameters: *not* [a] <b> & c_d \% off $5",
        ["Ada Example"]))
    site = copy_root("newpage", tmp_path)
    point(site, real_arxiv.url)
    if dollar_math:
        with (site / "conf.py").open("a") as conf:
            conf.write('myst_enable_extensions.append("dollarmath")\n')
    result = new(site, "3012.00042")
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip())
    assert page.name == "scaling-mup-to-1012-parameters-not-a-b-c-d-off-5.md"
    math = r"$\mu$P to $10^{12}$" if dollar_math else "μP to 10¹²"
    assert (rf"# Scaling {math} parameters: \*not\* \[a\] \<b\> \& c\_d % off \$5"
            in page.read_text().splitlines())
    build = sphinx_build(site, tmp_path / "html")
    assert build.returncode == 0, build.stderr
    html = (tmp_path / "html" / "papers" / page.with_suffix(".html").name).read_text()
    heading = html[html.index("<h1>"):html.index("</h1>")]
    assert heading.count("<math") == (2 if dollar_math else 0)
    assert "parameters: *not* [a] &lt;b&gt; &amp; c_d % off $5" in heading
    assert "paper-card-title" not in html


def test_refuses_an_id_that_is_none(tmp_path):
    site = copy_root("newpage", tmp_path)
    result = new(site, "2303.0067")
    assert result.returncode == 1
    assert "mlcommentary new: '2303.0067': identifiers from 03/2023 have a " \
           "5-digit number after the dot" in result.stderr
    assert not (site / "_data").exists()


def test_refuses_to_overwrite_a_page(tmp_path, real_responses):
    site = copy_root("newpage", tmp_path)
    prefill(site, real_responses, "1605.08386")
    page = site / "papers" / "heat-bath-random-walks-with-markov-bases.md"
    page.write_text("# My own notes\n")
    before = (site / "_data" / "arxiv.json").read_text()
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}")
    assert result.returncode != 0
    assert f"{page} exists already; it is not overwritten" in result.stderr
    assert page.read_text() == "# My own notes\n"
    assert (site / "_data" / "arxiv.json").read_text() == before
    # Under another name, it is made.
    made = make("paper", "ID=1605.08386", "SLUG=Heat bath walks", f"SOURCEDIR={site}")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(site / "papers" / "heat-bath-walks.md")


@pytest.mark.parametrize("written", ["https://arxiv.org/abs/1312.2021v1",
                                     "https://doi.org/10.48550/arXiv.1312.2021"])
def test_refuses_a_paper_that_a_page_not_yet_built_claims(written, tmp_path, real_responses):
    """papers/existing.md claims 1312.2021 (in a ::: fence, as arXiv:...); nothing
    was built, so the metadata file does not know it. Asked by its arXiv DOI, it is the
    same paper."""
    site = copy_root("newpage", tmp_path)
    result = new(site, written)
    assert result.returncode == 1
    assert (f"arXiv:1312.2021 has a commentary already: {site / 'papers' / 'existing.md'} "
            "has a paper directive for it; add to that page instead") in result.stderr
    assert sorted(path.name for path in (site / "papers").iterdir()) == ["existing.md"]
    # An excluded page claims nothing: drafts/old.md has 1605.08386.
    prefill(site, real_responses, "1605.08386")
    assert new(site, "1605.08386").returncode == 0


def test_refuses_a_paper_the_metadata_file_gives_to_another_page(tmp_path, real_responses):
    site = copy_root("newpage", tmp_path)
    prefill(site, real_responses, "1605.08386", "1707.08567")
    store = MetadataFile(site / "_data" / "arxiv.json")
    # The build records the page that keeps each paper; it may claim it in a way the
    # command does not read (here: none it can see).
    store.save({}, {"1605.08386": "papers/existing", "1707.08567": "papers/deleted"})
    result = new(site, "1605.08386")
    assert result.returncode == 1
    assert (f"arXiv:1605.08386 has a commentary already: {site / 'papers' / 'existing.md'} "
            "(as the metadata file records)") in result.stderr
    # A page the file names but that is gone keeps nothing.
    result = new(site, "1707.08567")
    assert result.returncode == 0, result.stderr
    assert stored(site)["commentaries"]["1707.08567"] == (
        "papers/proceedings-of-workshop-aew10-concepts-in-information-theory")


def test_an_outage_is_noted_and_not_waited_on_again(tmp_path, fake_arxiv):
    """As the build does: arXiv out of reach is noted in the doctree folder, and for
    five minutes neither the command nor the build asks it again."""
    site = copy_root("newpage", tmp_path)
    point(site, NO_SERVER)
    doctrees = tmp_path / "html.doctrees"
    result = new(site, "3012.00042", "--doctrees", str(doctrees))
    assert result.returncode == 1
    assert f"could not fetch arXiv:3012.00042 from {NO_SERVER}: cannot connect" in result.stderr
    assert not (site / "papers" / "synthetic.md").exists()
    assert json.loads((doctrees / OUTAGE_FILE).read_text())["api_url"] == NO_SERVER
    # The build that uses this doctree folder reads the note: it asks nothing.
    build = sphinx_build(site, tmp_path / "html")
    assert "not asked again before" in build.stderr and "[paper.unreachable]" in build.stderr

    # Noted for another URL by a build: the command waits for nothing either.
    fake_arxiv.add(synthetic_entry("3012.00042", "Synthetic", ["Ada Example"]))
    point(site, fake_arxiv.url)
    Outage(fake_arxiv.url, time.time(), Missing.TIMEOUT, "no answer in 30 s").save(
        doctrees / OUTAGE_FILE)
    result = new(site, "3012.00042", "--doctrees", str(doctrees))
    assert result.returncode == 1
    assert "did not ask arXiv for 3012.00042: at " in result.stderr
    assert "(no answer in 30 s), so it is not asked again before" in result.stderr
    assert fake_arxiv.requests == []
    # Once the note is gone, arXiv is asked.
    (doctrees / OUTAGE_FILE).unlink()
    assert new(site, "3012.00042", "--doctrees", str(doctrees)).returncode == 0


def test_an_outage_is_noted_only_where_a_build_keeps_its_doctrees(tmp_path):
    """Without ``--doctrees``: in ``_build/doctrees`` once a build has made it there, as
    sphinx-quickstart lays a site out; before that, or where the build goes elsewhere
    (``--sep``), nowhere: no ``_build`` folder appears among the sources."""
    site = copy_root("newpage", tmp_path)
    point(site, NO_SERVER)
    assert new(site, "3012.00042").returncode == 1
    assert not (site / "_build").exists()

    (site / "_build" / "doctrees").mkdir(parents=True)
    assert new(site, "3012.00042").returncode == 1
    assert json.loads((site / "_build" / "doctrees" / OUTAGE_FILE).read_text())[
        "api_url"] == NO_SERVER


def test_needs_no_sphinx(tmp_path, real_responses):
    site = copy_root("newpage", tmp_path)
    prefill(site, real_responses, "1605.08386")
    script = ("import sys\nfrom mlcommentary.__main__ import main\n"
              f"assert main(['new', '--site', {str(site)!r}, '1605.08386']) == 0\n"
              "print(sorted(name for name in sys.modules "
              "if name.split('.')[0] in ('sphinx', 'docutils', 'myst_parser')))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=process_environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_real_site_takes_a_new_page(tmp_path, real_arxiv):
    """As on a fresh clone: make paper, then the site builds with -W."""
    site = tmp_path / "site"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "_build", "tests", "bench", "*.lock", "__pycache__"))
    point(site, real_arxiv.url)
    result = make("paper", "ID=arXiv:2402.16893", f"SOURCEDIR={site}",
                  "TAGS=scaling, new topic", **git_name(tmp_path, "Ada Example"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = Path(result.stdout.strip())
    assert page.parent == site / "papers"
    build = sphinx_build(site, tmp_path / "html")
    assert build.returncode == 0, build.stderr
    html = tmp_path / "html"
    today = datetime.date.today()
    assert (f"Commentary by Ada Example, {today.day} {today:%b %Y}."
            in (html / "papers" / f"{page.stem}.html").read_text())
    # First among the latest commentaries (it is the newest), in the feed and papers.bib.
    home = (html / "index.html").read_text()
    latest = home[home.index('id="latest-commentaries"'):]
    assert re.search(r'href="(papers/[^"#]+)', latest)[1] == f"papers/{page.stem}.html"
    feed = (html / "atom.xml").read_text()
    assert re.findall(r'<link href="(papers/[^"]+)"', feed)[0] == f"papers/{page.stem}.html"
    assert 'eprint = "2402.16893"' in (html / "papers.bib").read_text()
    # Its tags' pages and feeds, first: one tag the seed has, one new.
    for tag in ("scaling", "new-topic"):
        listed = (html / "tags" / f"{tag}.html").read_text()
        listed = listed[listed.index('class="paper-index'):]
        assert re.search(r'href="(\.\./papers/[^"#]+)', listed)[1] == f"../papers/{page.stem}.html"
        feed = feedparser.parse((html / "tags" / f"{tag}.xml").read_bytes())
        assert feed.entries[0].link.endswith(f"papers/{page.stem}.html")


def test_make_paper_takes_the_options_in_o(tmp_path, real_arxiv):
    """O is for every target (README): here it points the command at another arXiv."""
    site = copy_root("newpage", tmp_path)  # conf.py: a closed port
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}", f"BUILDDIR={tmp_path}/build",
                  f"O=-D arxiv_api_url={real_arxiv.url} -D arxiv_request_delay=0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [request.id_list for request in real_arxiv.requests] == [["1605.08386"]]


def test_make_paper_refuses_options_it_cannot_use(tmp_path):
    site = copy_root("newpage", tmp_path)
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}", f"BUILDDIR={tmp_path}/build",
                  "O=-D arxiv_offline=maybe")
    assert result.returncode != 0
    assert "arxiv_offline must be True or False (1 or 0 with -D), not 'maybe'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "papers" / "heat-bath-random-walks-with-markov-bases.md").exists()


def test_make_paper_takes_the_sites_spelling_of_a_tag(tmp_path, real_responses):
    """A tag that differs from the site's only in case or separators would fail the next
    build (paper.tag under -W): the page gets the site's spelling, and is told so."""
    site = copy_root("newpage", tmp_path)
    point(site, NO_SERVER)
    prefill(site, real_responses, "1605.08386", "1312.2021")
    existing = site / "papers" / "existing.md"
    existing.write_text(existing.read_text().replace(
        ":::{paper} arXiv:1312.2021\n", ":::{paper} arXiv:1312.2021\n:tags: Scaling Laws, vision\n"))
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}", f"BUILDDIR={tmp_path}/build",
                  "TAGS=scaling-laws, new topic, VISION")
    assert result.returncode == 0, result.stdout + result.stderr
    page = Path(result.stdout.strip())
    assert "\n:tags: Scaling Laws, new topic, vision\n" in page.read_text()
    assert "'scaling-laws' is written 'Scaling Laws' on this site" in result.stderr
    assert "'VISION' is written 'vision' on this site" in result.stderr
    build = sphinx_build(site, tmp_path / "html")
    assert build.returncode == 0, build.stderr


def test_an_offline_refusal_says_where_offline_was_set_and_notes_nothing(tmp_path):
    """Set by -D, not conf.py; and no note of a tag's spelling for a page never made."""
    site = copy_root("newpage", tmp_path)
    existing = site / "papers" / "existing.md"
    existing.write_text(existing.read_text().replace(
        ":::{paper} arXiv:1312.2021\n", ":::{paper} arXiv:1312.2021\n:tags: vision\n"))
    result = make("paper", "ID=1605.08386", f"SOURCEDIR={site}", f"BUILDDIR={tmp_path}/build",
                  "O=-D arxiv_offline=1", "TAGS=VISION")
    assert result.returncode != 0
    assert "has no record of arXiv:1605.08386 and -D arxiv_offline sets arxiv_offline, so " \
           "arXiv is not asked" in result.stderr, result.stderr
    assert "is written" not in result.stderr


def test_takes_the_site_as_a_path_from_here(tmp_path, real_responses):
    """``--site source`` in a project made by sphinx-quickstart --sep: conf.py was run
    from its own folder, and the relative path then named another."""
    site = copy_root("newpage", tmp_path)
    point(site, NO_SERVER)
    prefill(site, real_responses, "astro-ph/0601001")
    result = new(Path(os.path.relpath(site)), "astro-ph/0601001")
    assert result.returncode == 0, result.stderr


def test_refresh_says_in_a_line_that_a_folder_is_no_site(tmp_path):
    result = python_m("mlcommentary", "refresh", "--site", str(tmp_path), timeout=120)
    assert result.returncode == 2
    assert (f"mlcommentary refresh: {tmp_path / 'conf.py'}: no such file; is {tmp_path} a "
            "Sphinx site? (--site names the folder of its conf.py)\n") in result.stderr
    assert "Traceback" not in result.stderr and "Configuration error" not in result.stderr


def test_refresh_fails_when_a_record_could_not_be_fetched(tmp_path, real_responses):
    """As make refresh-metadata does (-W): a refresh that fetched nothing is no success."""
    site = copy_root("newpage", tmp_path)
    prefill(site, real_responses, "1312.2021")
    result = python_m("mlcommentary", "refresh", "--site", str(site),
                      "--builddir", str(tmp_path / "build"), "-D", f"arxiv_api_url={NO_SERVER}",
                      timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[paper.unreachable]" in result.stderr, result.stderr


def test_a_site_without_markdown_gets_a_restructuredtext_page_that_builds(tmp_path,
                                                                          real_responses):
    """Without MyST a Markdown page is no page: Sphinx skipped it without a word, and the
    metadata file named it the paper's commentary."""
    site = tmp_path / "wiki"
    (site / "papers").mkdir(parents=True)
    (site / "conf.py").write_text(f'extensions = ["mlcommentary"]\nproject = "Wiki"\n'
                                  f'arxiv_api_url = {NO_SERVER!r}\n')
    (site / "index.rst").write_text("Wiki\n====\n\n.. toctree::\n   :glob:\n\n   papers/*\n")
    prefill(site, real_responses, "1605.08386")
    result = new(site, "1605.08386", "--tags", "algebra, random walks",
                 **git_name(tmp_path, "Ada Lovelace"))
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip())
    assert page.suffix == ".rst" and page.parent == site / "papers"
    assert stored(site)["commentaries"]["1605.08386"] == f"papers/{page.stem}"
    outdir = tmp_path / "html"
    build = sphinx_build(site, outdir)
    assert build.returncode == 0, build.stderr
    html = (outdir / "papers" / f"{page.stem}.html").read_text()
    assert 'class="paper-card"' in html and "Heat-bath random walks" in html
    assert f"Commentary by Ada Lovelace, {datetime.date.today():%-d %b %Y}." in html
    assert (outdir / "tags" / "random-walks.html").exists()
