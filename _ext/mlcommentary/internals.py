"""What the extension reaches in Sphinx, arxiv and pybtex that they do not document,
each with why there is no public way, in one place.

Each was checked on Sphinx 9.0.4, 9.1.1 and 9.2.0 (arxiv 4.0.2, pybtex 0.26.1). Every
other module goes through the functions here, so this list is complete by construction:
``tests/test_internals.py`` fails when another module marks a private access (``noqa:
SLF001``). ``changed()`` names, in words, what a release no longer has; ``setup()``
stops the build with those words rather than let it fail mid-way on an
``AttributeError``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Imported when checked, not when loaded: the data layer (data/arxiv.py) imports this
# module, and no Sphinx.
if TYPE_CHECKING:
    import arxiv
    import requests
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.project import Project
    from sphinx.util.parallel import ParallelTasks

CHECKED_ON = "Sphinx 9.0.4, 9.1.1 and 9.2.0"


@dataclass(frozen=True)
class Internal:
    #: The name, as its project spells it.
    name: str
    #: What relies on it, and why no public way serves.
    use: str
    #: Whether the installed release still has it.
    present: Callable[[], bool]


def _found(where: str) -> Any:
    """``module:attribute.path``, imported."""
    module, _, path = where.partition(":")
    return reduce(getattr, path.split(".") if path else (), importlib.import_module(module))


def _has(where: str, *names: str) -> Callable[[], bool]:
    return lambda: all(hasattr(_found(where), name) for name in names)


def _set_by(where: str, *attributes: str) -> Callable[[], bool]:
    """Whether ``where`` (an ``__init__``) still sets these attributes of ``self``: the
    names its compiled code uses, which every build reads at once, where its source (read
    and tokenised from the file) cost some 10 ms a build."""
    return lambda: set(attributes) <= set(_found(where).__code__.co_names)


def _all(*checks: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: all(check() for check in checks)


#: The environment's per-page tables that reading fills (Sphinx's collectors and
#: ``Builder.read_doc``), and that merging a reading process's pages takes from.
ENV_PER_PAGE = ("titles", "longtitles", "tocs", "toc_num_entries", "toctree_includes",
                "files_to_rebuild", "metadata", "dependencies", "included",
                "glob_toctrees", "numbered_toctrees")

INTERNALS = (
    Internal("sphinx.project.Project._docname_to_path and _path_to_docname",
             "exports/pages.py registers each generated tag and year page as a "
             "document: Sphinx finds documents only by listing the source folder before "
             "it reads, when no page's tags are known yet (sources written then, as "
             "sphinx-tags writes them, would need a second reader of every page's tags, "
             "drafts and papers, one that disagrees with Sphinx's where a page includes "
             "another file)",
             _set_by("sphinx.project:Project.__init__", "_docname_to_path",
                     "_path_to_docname")),
    Internal("sphinx.search.IndexBuilder._filenames, _titles, _all_titles, "
             "_mapping and _title_mapping",
             "exports/pages.py, sphinx_ext/search.py and sphinx_ext/mathml.py correct "
             "the search index before it is written (a generated page's source, math "
             "in titles, a gone page's words): Sphinx has no hook between feeding the "
             "index and writing it",
             _set_by("sphinx.search:IndexBuilder.__init__", "_filenames", "_titles",
                     "_all_titles", "_mapping", "_title_mapping")),
    Internal("sphinx.environment.BuildEnvironment._write_doc_doctree_cache and "
             "_pickled_doctree_cache",
             "buildscale/doctrees.py lets a doctree go once it has served, which "
             "bounds memory",
             _set_by("sphinx.environment:BuildEnvironment.__init__",
                     "_write_doc_doctree_cache", "_pickled_doctree_cache")),
    Internal("sphinx.environment.BuildEnvironment.files_to_rebuild",
             "buildscale/toctrees.py narrows, for one write, which toctree pages Sphinx "
             "writes again for the pages read: undocumented, though not underscored",
             _set_by("sphinx.environment:BuildEnvironment.__init__", "files_to_rebuild")),
    Internal("sphinx.environment.BuildEnvironment.titles, longtitles, tocs, "
             "toc_num_entries, toctree_includes, files_to_rebuild, metadata, "
             "dependencies, included, glob_toctrees and numbered_toctrees",
             "buildscale/reading.py empties, in a reading process, the per-page tables "
             "it inherited, so that it sends back only its own pages: Sphinx pickles the "
             "whole environment back, and has no hook at that point; undocumented, "
             "though not underscored",
             _set_by("sphinx.environment:BuildEnvironment.__init__", *ENV_PER_PAGE)),
    Internal("sphinx.builders.Builder.read_doc and BuildEnvironment.clear_doc",
             "exports/pages.py reads the tag and year pages again once every commentary "
             "is read (their lists come from reading), as Sphinx's read loop does: no "
             "event lets a handler add a document after reading; undocumented, though not "
             "underscored",
             _all(_has("sphinx.builders:Builder", "read_doc"),
                  _has("sphinx.environment:BuildEnvironment", "clear_doc"))),
    Internal("sphinx.util.parallel.ParallelTasks._precvs_waiting and _join_one",
             "buildscale/builder.py waits until a writing process is free",
             _all(_has("sphinx.util.parallel:ParallelTasks", "_join_one"),
                  _set_by("sphinx.util.parallel:ParallelTasks.__init__",
                          "_precvs_waiting"))),
    Internal("arxiv.Client._session",
             "data/arxiv.py mounts a retrying, time-bounded adapter: the client takes no "
             "session of its own",
             _set_by("arxiv:Client.__init__", "_session")),
    Internal("pybtex.database.output.bibtex.Writer._encode",
             "data/bibtex.py keeps arXiv's TeX as it is in an entry: pybtex escapes it again",
             _has("pybtex.database.output.bibtex:Writer", "_encode")),
)


def changed() -> list[str]:
    """One sentence for each internal the installed releases no longer have."""
    problems = []
    for internal in INTERNALS:
        try:
            present = internal.present()
        except Exception:  # noqa: BLE001  (whatever a newer release raises here)
            present = False
        if not present:
            owner = internal.name.split(".")[0]
            problems.append(f"{owner} changed {internal.name} (checked on {CHECKED_ON}): "
                            f"{internal.use}.")
    return problems


# -- the accesses ------------------------------------------------------------------


def project_paths(project: Project) -> tuple[MutableMapping[str, Path],
                                             MutableMapping[Path, str]]:
    """Sphinx's map of docnames to source paths and its inverse."""
    return project._docname_to_path, project._path_to_docname  # noqa: SLF001


@dataclass(frozen=True)
class SearchIndex:
    """The parts of Sphinx's search index corrected before it is written."""

    filenames: MutableMapping[str, str]
    titles: MutableMapping[str, str]
    section_titles: MutableMapping[str, list[tuple[str, str]]]
    terms: tuple[MutableMapping[str, set[str]], ...]


def search_index(builder: Builder) -> SearchIndex | None:
    """The builder's search index; None when it makes none (``html_search`` off, or
    a builder without search)."""
    indexer: Any = getattr(builder, "indexer", None)
    if indexer is None:
        return None
    return SearchIndex(indexer._filenames, indexer._titles,  # noqa: SLF001
                       indexer._all_titles,  # noqa: SLF001
                       (indexer._mapping, indexer._title_mapping))  # noqa: SLF001


def doctree_caches(env: BuildEnvironment) -> tuple[MutableMapping[str, Any], ...]:
    """Sphinx's doctrees kept between reading and writing, and those loaded from disk."""
    return env._write_doc_doctree_cache, env._pickled_doctree_cache  # noqa: SLF001


def tasks_waiting(tasks: ParallelTasks) -> bool:
    """Whether a task waits for a process."""
    return bool(tasks._precvs_waiting)  # noqa: SLF001


def join_one(tasks: ParallelTasks) -> bool:
    """Collects a finished task's result, starting a waiting task; whether one had."""
    return tasks._join_one()  # noqa: SLF001


def arxiv_session(client: arxiv.Client) -> requests.Session:
    return client._session  # noqa: SLF001
