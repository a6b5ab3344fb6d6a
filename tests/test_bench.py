"""The benchmark runs (at a size too small to time anything): `make bench` keeps working."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def _bench(*options: str) -> list[dict[str, str]]:
    """The rows of the benchmark's table, run with ``options`` at five commentaries."""
    result = subprocess.run(
        [sys.executable, "bench/build_times.py", "--sizes", "5", "--fetch-delay", "0",
         *options], cwd=REPO, capture_output=True, text=True, timeout=600, check=True)
    header, _, *rows = result.stdout.split("\n\n")[1].splitlines()
    columns = [c.strip() for c in header.split("|")[1:-1]]
    return [dict(zip(columns, [c.strip() for c in row.split("|")[1:-1]])) for row in rows]


def test_benchmark_runs_and_measures_what_it_says():
    # One edit of each kind, not the fastest of three: the figures' form is asserted,
    # not their size (12 builds fewer, a fifth of the run).
    table = _bench("--peer-at", "5", "--cold-builds", "2", "--edits", "1")
    # Every site shape, each at its size.
    assert [(cells["shape"], cells["N"]) for cells in table] == [
        ("eight-tags", "5"), ("fifteen-tags", "5"), ("mixed-sources", "5")]
    for cells in table:
        # The behaviour the figures rest on: what each rebuild rewrites, and no request
        # from a build whose metadata file is full.
        # The edited page, and for a reference the referenced paper's page and the page
        # of each tag the two share, whose map gains the link; not the home page, whose
        # toctree shows nothing that changed.
        assert cells["prose edit s (pages)"].endswith("(1)")
        assert cells["new reference s (pages)"].endswith(("(2)", "(3)", "(4)"))
        assert cells["cold fetch: requests, s, min gap s"].startswith("1, ")
        assert cells["warm requests"] == "0"
        assert cells["MyST+furo peer s"] != "-"
        # Small sites' cold builds, the floor's too, timed more than once, with their
        # range; the figure is the fastest's.
        for column in ("serial s", "-j 2 s"):
            assert re.fullmatch(r"([\d.]+) \(\1-[\d.]+\)", cells[column]), cells[column]
        assert re.fullmatch(r"([\d.]+) \(\1-[\d.]+\) \([\d.]+x\)", cells["floor s"])
        # The search figures, and the floor's edit, at every size.
        assert cells["floor prose edit s"] != "-"
        size, first_search = cells["search index KB, first result s"].split(", ")
        assert float(size) > 0 and float(first_search) > 0


def test_a_large_site_and_its_floor_are_built_twice_and_the_j2_build_once():
    """Past --cold-builds-up-to: the serial ratio to the floor from two builds of each,
    in turn (one of each, minutes apart, moved it by a fifth); -j 2 once."""
    [cells] = _bench("--shapes", "eight-tags", "--cold-builds-up-to", "4", "--edits", "1")
    assert re.fullmatch(r"([\d.]+) \(\1-[\d.]+\)", cells["serial s"]), cells["serial s"]
    assert re.fullmatch(r"([\d.]+) \(\1-[\d.]+\) \([\d.]+x\)", cells["floor s"])
    assert re.fullmatch(r"[\d.]+", cells["-j 2 s"]), cells["-j 2 s"]


def test_the_few_big_tags_shape_has_fifteen_tags(tmp_path):
    """Issue 18's site shape: fifteen tags of about N / 7.5 commentaries each."""
    srcdir = tmp_path / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "sites.py"), str(srcdir), "300",
                    "ext", "fifteen-tags"], check=True, capture_output=True)
    tags = Counter(tag for page in (srcdir / "papers").glob("*.md")
                   for tag in re.search(r":tags: (.*)", page.read_text())[1].split(", "))
    assert len(tags) == 15 and all(25 <= count <= 55 for count in tags.values())
