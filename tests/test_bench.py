"""The benchmark runs (at a size too small to time anything): `make bench` keeps working."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_benchmark_runs_and_measures_what_it_says():
    result = subprocess.run(
        [sys.executable, "bench/build_times.py", "--sizes", "5", "--peer-at", "5",
         "--fetch-delay", "0"],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=True)
    header, _, row = result.stdout.splitlines()[2:5]
    cells = dict(zip([c.strip() for c in header.split("|")[1:-1]],
                     [c.strip() for c in row.split("|")[1:-1]]))
    assert cells["N"] == "5"
    # The behaviour the figures rest on: what each rebuild rewrites, and no request
    # from a build whose metadata file is full.
    # The edited page, and for a reference the referenced paper's page; not the home
    # page, whose toctree shows nothing that changed.
    assert cells["prose edit s (pages)"].endswith("(1)")
    assert cells["new reference s (pages)"].endswith("(2)")
    assert cells["cold fetch: requests, s, min gap s"].startswith("1, ")
    assert cells["warm requests"] == "0"
    assert cells["MyST+furo peer s"] != "-"
    # The floor and the search figures, at every size.
    assert cells["floor s"].endswith("x)") and cells["floor prose edit s"] != "-"
    size, first_search = cells["search index KB, first result s"].split(", ")
    assert float(size) > 0 and float(first_search) > 0
