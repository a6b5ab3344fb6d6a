"""Two pages claiming one paper: the first keeps it, for good; the second is told where."""

from __future__ import annotations

import json
import re

from helpers import copy_root, sphinx_build

SECOND = "# Alpha, written later\n\n```{paper} arXiv:3012.00001\n```\n"


def test_a_new_page_never_takes_a_paper_over(tmp_path):
    srcdir = copy_root("duplicates", tmp_path)
    first = sphinx_build(srcdir, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    # Its name sorts first, and it is built from scratch, as on Read the Docs.
    (srcdir / "papers" / "alpha.md").write_text(SECOND)
    second = sphinx_build(srcdir, tmp_path / "second")

    assert second.returncode == 1  # -W
    [warning] = [line for line in second.stderr.splitlines() if "WARNING" in line]
    assert warning.startswith(f"{srcdir / 'papers' / 'alpha.md'}:3: WARNING: arXiv:3012.00001 ")
    assert "papers/zeta.md:3 keeps it (it claimed the paper first" in warning
    assert "papers/alpha.md:3 does not; this card links to the kept one" in warning
    assert warning.endswith("[paper.duplicate]")

    out = tmp_path / "second"
    assert 'href="papers/zeta.html#paper-3012-00001"' in (out / "index.html").read_text()
    alpha = (out / "papers" / "alpha.html").read_text()
    assert re.search(r"commentary on this paper is\s*<a[^>]*href=\"zeta.html\"", alpha)
    assert "commentary on this paper is" not in (out / "papers" / "zeta.html").read_text()


def test_without_a_record_of_the_first_page_the_path_decides(tmp_path):
    srcdir = copy_root("duplicates", tmp_path)
    (srcdir / "papers" / "alpha.md").write_text(SECOND)
    result = sphinx_build(srcdir, tmp_path / "out")
    [warning] = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warning.startswith(f"{srcdir / 'papers' / 'zeta.md'}:3: WARNING: ")
    assert ("papers/alpha.md:3 keeps it (of the pages that claim it, its path sorts first)"
            in warning)
    # From now on the file remembers the page that keeps it.
    saved = json.loads((srcdir / "_data" / "arxiv.json").read_text())
    assert saved["commentaries"] == {"3012.00001": "papers/alpha"}
