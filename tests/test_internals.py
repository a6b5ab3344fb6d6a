"""What the extension takes from Sphinx and the libraries that they do not document:
all of it in ``mlcommentary.internals``, and a release that changes it is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import copy_root
from sphinx.errors import ExtensionError
from sphinx.project import Project
from sphinx.util.parallel import ParallelTasks

import mlcommentary
from mlcommentary import internals

PACKAGE = Path(mlcommentary.__file__).parent


def test_the_installed_releases_have_every_internal_the_extension_uses():
    assert internals.changed() == []


def test_an_attribute_no_longer_set_is_named(monkeypatch):
    def __init__(self, srcdir, source_suffix):  # a release that keeps its paths elsewhere
        self.srcdir = srcdir

    monkeypatch.setattr(Project, "__init__", __init__)
    [problem] = internals.changed()
    assert problem.startswith("sphinx changed sphinx.project.Project._docname_to_path and "
                              "_path_to_docname (checked on Sphinx 9.0.4")


def _code(line: str) -> str:
    """The line without its comment and the names it quotes (``env._app``) in prose."""
    return re.sub(r"``[^`]*``", "", line.split("#")[0])


def test_no_other_module_reaches_a_private_name():
    """ruff's SLF001 marks an access to another object's private name; only
    ``internals`` may carry one."""
    reaching = [f"{path.name}:{number}"
                for path in sorted(PACKAGE.rglob("*.py")) if path.name != "internals.py"
                for number, line in enumerate(path.read_text().splitlines(), 1)
                if "SLF001" in line
                or re.search(r"\b(?!self\b)[a-z_]+\._[a-z]\w*(?<!__)\b", _code(line))]
    assert reaching == []


def test_a_sphinx_that_changed_an_internal_is_named_before_the_build(
        make_app, tmp_path, monkeypatch):
    monkeypatch.delattr(ParallelTasks, "_join_one")
    with pytest.raises(ExtensionError) as raised:
        make_app("html", srcdir=copy_root("site", tmp_path))
    message = str(raised.value)
    assert ("sphinx changed sphinx.util.parallel.ParallelTasks._precvs_waiting and "
            "_join_one (checked on Sphinx 9.0.4, 9.1.1 and 9.2.0): buildscale/builder.py "
            "waits until a writing process is free.") in message
    assert "Project" not in message
