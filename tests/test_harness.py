"""The tests' own machinery, where a mistake makes every test slower, not wrong."""

from __future__ import annotations

import json

from helpers import python_m


def test_forked_processes_inherit_what_the_server_imported():
    """``python_m``'s server imports ``PRELOADED`` once. A module it cannot import is
    skipped without a word, and then imported again by every build it forks."""
    result = python_m("helpers")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"helpers inherited": True, "not preloaded": []}
