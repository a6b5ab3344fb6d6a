"""The ML Commentary site itself: it builds offline, warning-free, as Read the Docs will."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO
from helpers import copy_root, sphinx_build

#: The user's own files (content/, schemas/), beside the checkout unless the variable
#: says elsewhere.
SHARED = Path(os.environ.get("ML_COMMENTARY_SHARED") or REPO.parent / "shared")
SEED_PAGE = REPO / "papers" / "exploring-the-limits-of-large-scale-pre-training.md"


def test_site_builds_offline_without_warnings(built_site):
    app, server = built_site
    assert app.statuscode == 0
    assert app.warning.getvalue() == ""
    assert server.requests == []  # everything came from the committed metadata file


def test_seed_page_shows_the_real_card(built_site):
    app, _ = built_site
    page = BeautifulSoup(
        (app.outdir / "papers" / "exploring-the-limits-of-large-scale-pre-training.html").read_text(),
        "html.parser")
    card = page.select_one("div.paper-card")
    # The page's own heading is the paper's title: the card does not repeat it.
    assert page.select_one("h1").get_text().rstrip("#¶") == (
        "Exploring the Limits of Large Scale Pre-training")
    assert card.select_one(".paper-card-title") is None
    assert card.select_one(".paper-card-authors").get_text() == (
        "Samira Abnar, Mostafa Dehghani, Behnam Neyshabur, Hanie Sedghi")
    assert "@misc{abnar2021exploring," in card.select_one(".paper-card-bibtex").get_text()
    index = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    assert index.select_one("h1").get_text().rstrip("#¶") == "ML Commentary"
    assert index.select_one("ul.paper-index a")["href"].startswith(
        "papers/exploring-the-limits-of-large-scale-pre-training.html#paper-2110-02095")


def test_seed_record_is_the_public_record():
    """The committed record says what ../shared/content/2110.02095.md says, and no more."""
    public = SHARED / "content" / "2110.02095.md"
    if not public.exists():
        _skip_without(public)
    text = public.read_text(encoding="utf-8")
    record = json.loads((REPO / "_data" / "arxiv.json").read_text())["papers"]["2110.02095"]
    assert record["source"] == "arxiv-abstract-page"
    assert record["abstract"] == text.split("exactly as on the abstract page:")[1].strip()
    assert record["title"] in text and "; ".join(record["authors"]) in text
    assert (record["published"], record["version"], record["primary_category"]) == (
        "2021-10-05", 1, "cs.LG")
    # Schema 3 leaves out what a record does not know: the page gives none of these.
    assert not {"comment", "journal_ref", "doi"} & record.keys()


def test_seed_commentary_is_word_for_word():
    seed = SHARED / "content" / "ml-commentary-seed.md"
    if not seed.exists():
        _skip_without(seed)
    original = seed.read_text(encoding="utf-8").split("\n## ", 1)[1]
    heading, body = original.split("\n", 1)
    published = SEED_PAGE.read_text(encoding="utf-8")
    words = lambda text: text.split()  # noqa: E731
    assert words(body) == words(published.split("\n```\n", 1)[1])
    title, url = re.fullmatch(r"(.*) \((https://\S+)\)", heading).groups()
    assert published.startswith(f"# {title}\n\n```{{paper}} {url}\n")
    index = (REPO / "index.md").read_text()
    assert index.startswith("# ML Commentary\n\nNotes and summaries of machine learning papers.\n")


def test_read_the_docs_config_is_valid():
    schema_file = SHARED / "schemas" / "readthedocs-v2.schema.json"
    if not schema_file.exists():
        _skip_without(schema_file)
    config = yaml.safe_load((REPO / ".readthedocs.yaml").read_text())
    jsonschema.validate(config, json.loads(schema_file.read_text()))
    assert config["sphinx"]["fail_on_warning"] is True
    assert config["python"]["install"] == [{"requirements": "requirements.txt"}]


def _skip_without(path: Path) -> None:
    pytest.skip(f"{path} is not here; set ML_COMMENTARY_SHARED to the folder that holds "
                "content/ and schemas/")


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in (REPO / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            # -r: the other file; -e: the extension, which is this repository's own.
            if line and not line.startswith(("-r ", "-e ./")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*"
                                    r'(; python_version [<>=]=? "3\.[0-9]+")?', line), line



#: What makes up the site, as opposed to the rest of the repository.
SITE_PARTS = ("conf.py", "index.md", "writing.md", "README.md",
              "papers", "_data", "_ext", "_static")
NEW_PAGE = "notes/reading-list"


@pytest.fixture(scope="module")
def site_copy(tmp_path_factory):
    """The repository's site with a page outside papers/ in a toctree, Markdown files in
    tests/ and bench/, built once; returns the source, the build folder and the build."""
    srcdir = tmp_path_factory.mktemp("repo")
    for name in SITE_PARTS:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, srcdir / name)
    for folder in ("tests", "bench"):
        (srcdir / folder).mkdir()
        (srcdir / folder / "notes.md").write_text("# Not a page\n")
    (srcdir / "notes").mkdir()
    (srcdir / f"{NEW_PAGE}.md").write_text("# Reading list\n\nPapers to read next.\n")
    with (srcdir / "index.md").open("a") as index:
        index.write(f"\n```{{toctree}}\n:hidden:\n\n{NEW_PAGE}\n```\n")
    builddir = srcdir / "_build"
    return srcdir, builddir, sphinx_build(srcdir, builddir / "html", "-D", "arxiv_offline=1")


def test_every_markdown_page_is_built_and_nothing_else(site_copy):
    _, builddir, build = site_copy
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr
    html = builddir / "html"
    assert (html / f"{NEW_PAGE}.html").exists()
    for not_a_page in ("README.html", "tests/notes.html", "bench/notes.html"):
        assert not (html / not_a_page).exists(), not_a_page


def test_an_unchanged_rebuild_writes_nothing_and_says_nothing_changed(site_copy):
    """furo registers pygments_dark_style and sphinx-design extends html_static_path as the
    builder starts, after Sphinx compared the configuration with the last build's, so
    Sphinx always reports those two (see the README); nothing else may be reported."""
    srcdir, builddir, first = site_copy
    assert first.returncode == 0, first.stderr
    second = sphinx_build(srcdir, builddir / "html", "-D", "arxiv_offline=1")
    assert second.returncode == 0, second.stderr
    assert "writing output... [" not in second.stdout
    reported = re.findall(r"The configuration has changed \((.*)\)", second.stdout)
    assert reported in ([], ["2 options: 'html_static_path', 'pygments_dark_style'"]), reported


def test_an_edit_is_built_without_loading_the_schema_checker_or_the_file_lock(tmp_path):
    """A build whose metadata file did not change (an author's edit, which ``make
    livehtml`` builds in a new process) checks no record and writes no file, so it
    does not load jsonschema or filelock: a tenth of a second of each build's start.
    In a process of its own, as sphinx-build runs: the tests' processes have both."""
    srcdir = copy_root("dates", tmp_path)
    code = ("import sys; from sphinx.cmd.build import build_main; "
            f"assert build_main(['-q', '-b', 'html', {str(srcdir)!r}, "
            f"{str(tmp_path / 'html')!r}]) == 0; "
            "print(*sorted({'jsonschema', 'filelock'} & set(sys.modules)))")

    def loaded() -> list[str]:
        build = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True,
                               capture_output=True, text=True)
        return build.stdout.splitlines()[-1].split() if build.stdout.strip() else []

    # The first build checks every record of the file it has not seen.
    assert "jsonschema" in loaded()
    page = next((srcdir / "papers").glob("*.md"))
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    assert loaded() == []


def test_the_data_layer_needs_no_sphinx():
    """Every module of ``mlcommentary.data`` (IDs, records, the metadata file, the
    fetcher, TeX, BibTeX, settings, the loopback arXiv) loads in a process of its own
    without Sphinx or docutils, for scripts, the command and the benchmark."""
    modules = sorted(f"mlcommentary.data.{path.stem}"
                     for path in (REPO / "_ext" / "mlcommentary" / "data").glob("[!_]*.py"))
    assert len(modules) >= 10
    code = (f"import sys, importlib; sys.path.insert(0, '_ext'); "
            f"[importlib.import_module(name) for name in {modules!r}]; "
            "loaded = {m.split('.')[0] for m in sys.modules}; "
            "assert not loaded & {'sphinx', 'docutils', 'furo', 'bs4'}, loaded")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_buildscale_knows_nothing_of_papers():
    """The build-scale patches are an extension of their own: they import nothing of
    the paper extension but ``internals`` (the list of Sphinx's private names)."""
    for path in (REPO / "_ext" / "mlcommentary" / "buildscale").glob("*.py"):
        imports = re.findall(r"^\s*from (\.+[\w.]*) import (.+)$", path.read_text(), re.M)
        assert all(module in (".", "..") and names in ("internals", "__version__")
                   or module.startswith(".") and module.count(".") == 1 and len(module) > 1
                   for module, names in imports), (path.name, imports)
