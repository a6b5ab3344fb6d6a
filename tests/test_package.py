"""The extension as a package: a wheel built from ``_ext``, installed in a fresh virtual
environment, used by a Sphinx project that is not this site (``tests/roots/test-foreign``:
the basic theme, an ``index.rst``, a reStructuredText page and a MyST one, its own
metadata file path and commentary folder)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import mlcommentary
import pytest
from bs4 import BeautifulSoup
from conftest import REPO
from helpers import copy_root

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                            timeout=900, cwd=cwd)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A virtual environment with the package from its wheel, the versions the site pins,
    and MyST for the project's Markdown page: nothing of this checkout on its path."""
    tmp = tmp_path_factory.mktemp("package")
    # From a copy: setuptools builds inside the source folder (build/, *.egg-info).
    source = shutil.copytree(REPO / "_ext", tmp / "source", ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
         tmp / "dist", source)
    [wheel] = (tmp / "dist").glob("mlcommentary-*.whl")
    pins = [line for line in (REPO / "requirements.txt").read_text().splitlines()
            if re.match(r"[A-Za-z0-9_.-]+==", line)]
    (tmp / "constraints.txt").write_text("\n".join(pins) + "\n")
    # Installed by this pip (--python), into an environment made without one, and not
    # compiled ahead: a pip of its own and the bytecode of every package took 11 s of 25.
    _run(sys.executable, "-m", "venv", "--without-pip", tmp / "venv")
    _run(sys.executable, "-m", "pip", "--python", tmp / "venv" / "bin" / "python", "install",
         "--quiet", "--no-compile", "-c", tmp / "constraints.txt", wheel, "myst-parser")
    return tmp / "venv"


def test_the_wheel_holds_the_extension_and_its_files(venv):
    location = _run(venv / "bin" / "python", "-c",
                    "import mlcommentary, pathlib; print(pathlib.Path(mlcommentary.__file__).parent)")
    package = Path(location.stdout.strip())
    assert REPO not in package.parents
    assert (package / "assets" / "paper-card.css").is_file()
    assert (package / "assets" / "floating-ui" / "LICENSE").is_file()
    # The site's own sidebar extension is not part of it, nor is furo needed.
    missing = subprocess.run([venv / "bin" / "python", "-c", "import furo_sidebar"],
                             capture_output=True)
    assert missing.returncode != 0


def test_a_foreign_project_builds_with_the_installed_package(venv, tmp_path):
    project = copy_root("foreign", tmp_path)
    _run(venv / "bin" / "sphinx-build", "-W", "--keep-going", "-b", "html", project,
         project / "_build")
    operators = BeautifulSoup((project / "_build" / "notes" / "operators.html").read_text(),
                              "html.parser")
    fields = BeautifulSoup((project / "_build" / "notes" / "fields.html").read_text(),
                           "html.parser")
    # Each page's card, from its own metadata file.
    assert "Synthetic neural operators" in operators.select_one("div.paper-card").get_text()
    assert "Synthetic field models" in fields.select_one("div.paper-card").get_text()
    # Each page's mention resolves to the other's commentary, rst and MyST alike.
    assert operators.select_one('a.paper-ref[href="fields.html#paper-2705-00042"]')
    assert fields.select_one('a.paper-ref[href="operators.html#paper-2705-00041"]')
    assert (project / "_build" / "tags" / "operators.html").is_file()
    assert "2705.00041" in (project / "_build" / "papers.bib").read_text()


def test_the_command_starts_a_commentary_in_the_projects_folder(venv, tmp_path):
    project = copy_root("foreign", tmp_path)
    result = _run(venv / "bin" / "mlcommentary", "new", "2705.00043", "--slug", "kernels",
                  cwd=project)
    assert result.stdout.strip() == "notes/kernels.md"
    assert "```{paper} 2705.00043" in (project / "notes" / "kernels.md").read_text()


def test_sharing_without_its_extra_says_what_to_install(venv, tmp_path):
    """The wheel alone has no sphinxext-opengraph: listing the Open Graph feature names
    the extra that brings it, not only the module that is missing."""
    project = copy_root("foreign", tmp_path)
    result = subprocess.run(
        [venv / "bin" / "sphinx-build", "-b", "html", "-D",
         "extensions=myst_parser,mlcommentary,mlcommentary.exports.sharing", project,
         project / "_build"], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert ('mlcommentary.exports.sharing needs sphinxext-opengraph: pip install '
            '"mlcommentary[sharing]"') in result.stderr


def test_the_command_says_its_version(venv):
    result = _run(venv / "bin" / "mlcommentary", "--version")
    assert result.stdout.strip() == f"mlcommentary {mlcommentary.__version__}"
