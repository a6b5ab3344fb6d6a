"""What many tests do with a Sphinx build: copy a test root, build it, read its logs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOTS = REPO / "tests" / "roots"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def copy_root(name: str, tmp_path: Path) -> Path:
    """A private copy of ``tests/roots/test-<name>``, for tests that change or rebuild it."""
    srcdir = tmp_path / name
    shutil.copytree(ROOTS / f"test-{name}", srcdir)
    return srcdir


def build(make_app, srcdir: Path, buildername: str = "html", **kwargs):
    """Build once, then undo the app's registrations so that the next app starts clean."""
    app = make_app(buildername, srcdir=srcdir, **kwargs)
    app.build()
    app.cleanup()
    return app


def warnings(app) -> list[str]:
    return [line for line in _ANSI.sub("", app.warning.getvalue()).splitlines()
            if "WARNING" in line]


def written(app) -> list[str]:
    """The docnames this build wrote, sorted."""
    status = _ANSI.sub("", app.status.getvalue())
    return sorted(re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", status))


def sphinx_build(srcdir: Path, outdir: Path, *args: str, builder: str = "html"):
    """A real ``sphinx-build`` with -W, as an author runs it; doctrees beside the output."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-N", "-W", "--keep-going", "-b", builder,
         "-d", str(outdir / ".doctrees"), *args, str(srcdir), str(outdir)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO / "_ext")})
