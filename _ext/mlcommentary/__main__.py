"""Commands beside the build: ``python -m mlcommentary new <arXiv ID>`` (see ``newpage``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .newpage import NewPageError, new_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlcommentary")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser(
        "new", help="start a commentary page on a paper",
        description="Create papers/<slug>.md for an arXiv paper, with its card, and print "
                    "its path. The record comes from the site's metadata file or, when it "
                    "lacks the paper, from arXiv as conf.py's settings say.")
    new.add_argument("id", metavar="ID", help="the paper's arXiv ID, in any form the paper "
                     "directive takes (2303.00676, arXiv:2303.00676v2, an arxiv.org URL)")
    new.add_argument("--site", type=Path, default=Path("."),
                     help="the folder of the site's conf.py (default: here)")
    new.add_argument("--slug", help="the page's file name, instead of one made from the title")
    new.add_argument("--tags", type=_comma_list, default=[],
                     help="the card's tags, comma-separated (\"scaling, vision\")")
    new.add_argument("-D", dest="overrides", metavar="name=value", action="append",
                     type=_setting, default=[],
                     help="override a setting of conf.py, as sphinx-build -D does "
                          "(make paper O=\"-D arxiv_offline=1\")")
    new.add_argument("--doctrees", type=Path,
                     help="the build's doctree folder, where an outage of arXiv is noted "
                          "(default: _build/doctrees in the site)")
    arguments = parser.parse_args(argv)
    try:
        path = new_page(arguments.site, arguments.id, arguments.slug,
                        doctrees=arguments.doctrees, tags=arguments.tags,
                        overrides=dict(arguments.overrides), notify=_note)
    except NewPageError as err:
        print(f"{parser.prog} new: {err}", file=sys.stderr)
        return 1
    print(_shown(path))
    return 0


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
