"""The ``mlcommentary`` command (also ``python -m mlcommentary``): ``new <ID>``
starts a commentary (see ``newpage``); ``refresh`` builds the site with every record
fetched again, as ``sphinx-build -D arxiv_refresh=1`` does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .data.newpage import NewPageError, new_page

#: sphinx-quickstart's build folder, beside conf.py: where the commands look unless told.
BUILDDIR = "_build"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlcommentary")
    parser.add_argument("--version", action="version", version=f"mlcommentary {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser(
        "new", help="start a commentary page on a paper",
        description="Create <commentary_folder>/<slug>.md (papers/ unless conf.py says) "
                    "for a paper, with its card, and print its path. The record comes from the "
                    "site's metadata file or, when it lacks the paper, from its source (arXiv, "
                    "or Crossref and DataCite for a DOI) as conf.py's settings say.")
    new.add_argument("id", metavar="ID", help="the paper's arXiv ID or DOI, in any form the "
                     "paper directive takes (2303.00676, arXiv:2303.00676v2, an arxiv.org "
                     "URL, doi:10.18653/v1/N18-2074, a doi.org link)")
    new.add_argument("--site", type=Path, default=Path("."),
                     help="the folder of the site's conf.py (default: here)")
    new.add_argument("--slug", help="the page's file name, instead of one made from the title")
    new.add_argument("--tags", type=_comma_list, default=[],
                     help="the card's tags, comma-separated (\"scaling, vision\")")
    new.add_argument("--doctrees", type=Path,
                     help="the build's doctree folder, where an outage of a source is noted "
                          "(default: _build/doctrees in the site, if a build made it)")
    _add_overrides(new)
    refresh = commands.add_parser(
        "refresh", help="build the site with every record fetched from its source again",
        description="Build the site's HTML with every paper's record fetched again (needs "
                    "the network), saying what changed: sphinx-build -M html with "
                    "-D arxiv_refresh=1, failing on a warning (-W --keep-going) as make "
                    "refresh-metadata does: a paper its source could not give is one. "
                    "Other sphinx-build options go after --.")
    _add_overrides(refresh)
    refresh.add_argument("--site", type=Path, default=Path("."),
                         help="the folder of the site's conf.py (default: here)")
    refresh.add_argument("--builddir", type=Path,
                         help="the build folder (default: _build in the site)")
    refresh.add_argument("--prune", action="store_true",
                         help="also remove the records no page uses (-D arxiv_prune=1)")
    refresh.add_argument("options", nargs="*", help="more sphinx-build options, after --")
    arguments = parser.parse_args(argv)
    if arguments.command == "refresh":
        return _refresh(arguments)
    try:
        path = new_page(arguments.site, arguments.id, arguments.slug,
                        doctrees=_doctrees(arguments), tags=arguments.tags,
                        overrides=dict(arguments.overrides), notify=_note)
    except NewPageError as err:
        print(f"{parser.prog} new: {err}", file=sys.stderr)
        return 1
    print(_shown(path))
    return 0


def _add_overrides(command: argparse.ArgumentParser) -> None:
    command.add_argument("-D", dest="overrides", metavar="name=value", action="append",
                         type=_setting, default=[],
                         help="override a setting of conf.py, as sphinx-build -D does "
                              "(-D arxiv_offline=1)")


def _refresh(arguments: argparse.Namespace) -> int:
    if not (arguments.site / "conf.py").is_file():
        # As ``new`` says it, rather than Sphinx's configuration error and traceback.
        print(f"mlcommentary refresh: {arguments.site / 'conf.py'}: no such file; is "
              f"{arguments.site} a Sphinx site? (--site names the folder of its conf.py)",
              file=sys.stderr)
        return 2
    # Imported here: ``new`` needs no Sphinx.
    from sphinx.cmd.build import main as sphinx_build

    settings = [f"{name}={value}" for name, value in arguments.overrides]
    settings += ["arxiv_refresh=1", f"arxiv_prune={int(arguments.prune)}"]
    return sphinx_build(["-M", "html", str(arguments.site),
                         str(arguments.builddir or arguments.site / BUILDDIR),
                         "-W", "--keep-going",
                         *(option for setting in settings for option in ("-D", setting)),
                         *arguments.options])


def _doctrees(arguments: argparse.Namespace) -> Path | None:
    """``--doctrees``, else the site's ``_build/doctrees`` where a build has made it, else
    none: a site whose build goes elsewhere (``--sep``: ``build/`` beside the sources)
    would find a ``_build`` folder among its sources that no build reads."""
    default = arguments.site / BUILDDIR / "doctrees"
    return arguments.doctrees or (default if default.is_dir() else None)


def _setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not name=value")
    return name, value


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _comma_list(text: str) -> list[str]:
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def _shown(path: Path) -> str:
    """``path`` from here when it is below here (``papers/x.md``), else in full."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


if __name__ == "__main__":
    sys.exit(main())
