"""Author mistakes: typed warnings at the right file and line, the rest of the page intact."""

from __future__ import annotations

import pytest
from helpers import copy_root, sphinx_build, warnings


def warning_at(app, place: str, subtype: str) -> str:
    found = [w for w in warnings(app) if place in w and w.endswith(f"[paper.{subtype}]")]
    assert len(found) == 1, warnings(app)
    return found[0]


@pytest.mark.sphinx("html", testroot="warnings")
def test_each_mistake_warns_at_its_line(app):
    app.build()
    assert "3013.00001" in warning_at(app, "bad.md:3:", "bad_id")  # month 13
    assert "'hep-th/99'" in warning_at(app, "bad.md:6:", "bad_id")
    # At the :related: line, not the directive's.
    assert "'3012.1'" in warning_at(app, "bad.md:13:", "bad_id")
    assert "nothing-has-this-tag" in warning_at(app, "bad.md:8:", "empty_index")
    offline = warning_at(app, "bad.md:6:", "offline")
    assert "arXiv:3012.00009" in offline and offline.split("Used at ")[1].startswith("bad:6 ")
    # The page the metadata file names keeps the paper, though "duplicate" sorts first;
    # the other is told where it is.
    assert "good.md:3 keeps it (it claimed the paper first" in warning_at(
        app, "duplicate.md:3:", "duplicate")
    assert len(warnings(app)) == 6, warnings(app)
    page = (app.outdir / "bad.html").read_text()
    assert "Still here after all that." in page
    assert 'class="paper-ref-invalid">hep-th/99<' in page
    assert page.count('class="paper-card"') == 1  # the bad ID got no card, the good one did
    # The valid related paper survived next to the malformed one.
    assert "Synthetic Paper One" in page


@pytest.mark.sphinx("html", testroot="warnings", warningiserror=True)
def test_warnings_fail_the_build_under_W(app):
    app.build()
    assert app.statuscode == 1


@pytest.mark.sphinx("html", testroot="warnings", confoverrides={"suppress_warnings": ["paper"]})
def test_paper_warnings_can_be_suppressed(app):
    app.build()
    assert warnings(app) == []


@pytest.mark.sphinx("html", testroot="warnings", srcdir="warnings-orphan")
def test_a_commentary_outside_every_toctree_is_named(app):
    (app.srcdir / "orphan.md").write_text("# Orphan\n\n```{paper} 3012.00009\n```\n")
    app.build()
    orphan = [w for w in warnings(app) if "orphan.md" in w]
    assert len(orphan) == 1 and orphan[0].endswith("[toc.not_included]")


@pytest.mark.sphinx("html", testroot="warnings", srcdir="warnings-unknown-option")
def test_an_unknown_option_is_named_and_the_card_still_made(app):
    (app.srcdir / "unknown.md").write_text(
        "# Unknown\n\n```{paper} 3012.00002\n:tag: oops\n```\n\nStill here.\n")
    app.build()
    [warning] = [w for w in warnings(app) if "unknown.md:4:" in w]
    assert "Unknown option key: 'tag'" in warning and "'tags'" in warning
    assert warning.endswith("[myst.directive_option]")
    page = (app.outdir / "unknown.html").read_text()
    assert "Synthetic Paper Two" in page and "Still here." in page


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_mistake_fails_every_build_until_it_is_fixed(tmp_path, jobs):
    """Sphinx reads and writes again only the pages that changed, so the build after
    one that failed on a mistake passed over it. A page that warned is now read and
    written again, and warns again (as it is read, and as it is written), until it is
    fixed; then it is left alone."""
    srcdir = copy_root("warned", tmp_path)

    def build() -> tuple[int, list[str], str]:
        result = sphinx_build(srcdir, tmp_path / "html", "-j", jobs)
        return (result.returncode,
                sorted(line for line in result.stderr.splitlines() if "WARNING" in line),
                result.stdout)

    status, warned, _ = build()
    assert status == 1
    assert [line.rsplit(" ", 1)[-1] for line in warned] == ["[paper.bad_id]", "[ref.doc]"]
    assert all("page.md:" in line for line in warned), warned
    assert build()[:2] == (1, warned)
    assert build()[:2] == (1, warned)
    (srcdir / "page.md").write_text("# A page with mistakes\n\nNone left.\n")
    assert build()[:2] == (0, [])
    status, warned, output = build()
    assert (status, warned) == (0, [])
    assert "0 added, 0 changed, 0 removed" in output


def test_a_page_whose_warnings_are_suppressed_is_not_read_again(tmp_path):
    """suppress_warnings by type.subtype and by type: nothing shown, nothing to repeat."""
    srcdir = copy_root("warned", tmp_path)
    with (srcdir / "conf.py").open("a") as conf:
        conf.write('suppress_warnings = ["paper.bad_id", "ref"]\n')
    for _ in range(2):
        result = sphinx_build(srcdir, tmp_path / "html")
        assert result.returncode == 0, result.stderr
    assert "0 added, 0 changed, 0 removed" in result.stdout


@pytest.mark.parametrize("kept", ["42", "{\"page\": 1}", "[1, \"page\", null]", "not json"])
def test_a_damaged_list_of_warned_pages_is_a_list_of_none(tmp_path, kept):
    srcdir = copy_root("warned", tmp_path)
    (srcdir / "page.md").write_text("# A page\n\nNo mistake.\n")
    assert sphinx_build(srcdir, tmp_path / "html").returncode == 0
    (tmp_path / "html.doctrees" / "mlcommentary-warned.json").write_text(kept)
    result = sphinx_build(srcdir, tmp_path / "html")
    assert result.returncode == 0, result.stderr
