"""Generated pages: one per tag and per year of the papers, one listing each kind, and
the map of how the commentaries connect.

They are documents of the project, read like any page, so they are in the search
index and the toctrees (the sidebar), written in parallel and rewritten only when
what they show changes. Pages added at write time (``html-collect-pages``, ABlog's
way) are none of these: search and the sidebar never see them, and every build
writes them all. Sources written into the author's folder (sphinx-tags' way) would
change the checkout on every build, and need the tags before Sphinx has read them.

So their sources are written into the doctree folder, which is build output, once
the domain knows every commentary's tags: after the pages are read, they are read
in turn, and named in Sphinx's project as documents, so the next build finds them
as it finds the author's. A source is rewritten only when its text changes; what
a page lists comes from the domain when it is written (``cards.BuildCards``), and
the domain says when that changes (``PaperDomain.refresh_view``).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from .. import internals
from ..data import restructuredtext as rst
from ..sphinx_ext.domain import tag_key
from ..sphinx_ext.nodes import paper_index_placeholder
from .outputs import remove_outputs

TAGS, YEARS, MAP = "tags", "years", "map"
#: The pages listing the tags and the years, and the map: a site puts them in a
#: toctree to show them in its sidebar; without, they are orphans that every tag and
#: year links to.
OVERVIEWS = (f"{TAGS}/index", f"{YEARS}/index", MAP)
#: reStructuredText, which every Sphinx project can read, whatever its own sources are.
SUFFIX = ".rst"


def tag_page(key: str) -> str:
    # A key has no "_": the tag "index" cannot take the page listing the tags.
    return f"{TAGS}/{'_index' if key == 'index' else key}"


def tag_feed(key: str) -> str:
    """The tag's Atom feed (``feeds``), beside its page."""
    return tag_page(key) + ".xml"


def year_page(year: str) -> str:
    return f"{YEARS}/{year}"


class GeneratedDirective(SphinxDirective):
    """The body of a generated page: ``list`` (JSON rows of page, label, count, in its
    content), ``commentaries`` (a paper index by ``:tag:`` key or ``:year:``) or ``map``
    (how all the commentaries connect)."""

    required_arguments = 1
    has_content = True
    option_spec = {"tag": directives.unchanged, "year": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        if self.arguments[0] == "list":
            items = nodes.bullet_list(classes=["paper-pages"])
            for docname, label, count in json.loads("\n".join(self.content)):
                link = addnodes.pending_xref("", nodes.inline(label, label), refdomain="std",
                                             reftype="doc", reftarget=docname,
                                             refexplicit=True,
                                             refdoc=self.env.current_document.docname)
                many = "commentary" if count == 1 else "commentaries"
                items += nodes.list_item("", nodes.paragraph(
                    "", "", link, nodes.Text(f" — {count} {many}")))
            return [items]
        if self.arguments[0] == "map":
            index = paper_index_placeholder(tags=[], map=True, listing=False)
            self.set_source_info(index)
            return [index]
        tag = self.options.get("tag")
        # A tag's page also draws how its commentaries connect.
        index = paper_index_placeholder(tags=[tag] if tag else [],
                                        year=self.options.get("year"), map=bool(tag))
        self.set_source_info(index)
        return [index]


#: In a build's doctree folder: the generated pages' sources.
FOLDER = "mlcommentary-pages"


def _folder(app: Sphinx) -> Path:
    return Path(app.doctreedir) / FOLDER


def _sources(env: BuildEnvironment) -> dict[str, str]:
    """Every generated page's source, by docname, from what the domain knows now."""
    domain = env.domains["paper"]
    commentaries = domain.commentaries()
    tags = domain.tags()
    tag_counts = Counter(tag_key(tag) for c in commentaries for tag in c.tags)
    year_counts = Counter(c.year for c in commentaries if c.year)
    sources = {
        OVERVIEWS[0]: _overview(
            "Tags", "Every tag of the site's commentaries, and how many commentaries have it. "
            "Every paper the site mentions is in :paper-bibliography:`papers.bib`.",
            "No commentary has tags yet.",
            [(_name(tag_page(key)), tags[key], tag_counts[key]) for key in sorted(tags)]),
        OVERVIEWS[1]: _overview(
            "Years", "The years the papers were first submitted in, newest first.",
            "No commentary's paper has a year yet.",
            [(_name(year_page(year)), year, year_counts[year])
             for year in sorted(year_counts, reverse=True)]),
        MAP: _map(len(commentaries), env.config.paper_map_size,
                  [(tag_page(key), tags[key], tag_counts[key]) for key in sorted(tags)]),
    }
    for key, spelling in tags.items():
        sources[tag_page(key)] = _page(
            spelling, f"Commentaries tagged {rst.escaped(spelling)}, newest paper first, also "
            f"as an :paper-feed:`Atom feed <{tag_feed(key)}>`. See :doc:`all tags <index>`.",
            tag=key)
    for year in year_counts:
        sources[year_page(year)] = _page(
            year, f"Commentaries on papers first submitted in {year}, newest first. "
            "See :doc:`all years <index>`.", year=year)
    return sources


def _name(docname: str) -> str:
    """A generated page's name as its overview's toctree names it."""
    return docname.split("/", 1)[1]


def _overview(title: str, lead: str, empty: str, rows: list[tuple[str, str, int]],
              toctree: bool = True) -> str:
    if not rows:
        return f"{_title(title)}\n{empty}\n"
    source = (f"{_title(title)}\n{lead}\n\n.. paper-generated:: list\n\n"
              f"   {json.dumps(rows, ensure_ascii=False)}\n")
    if toctree:
        entries = "".join(f"   {docname}\n" for docname, _label, _count in rows)
        source += f"\n.. toctree::\n   :hidden:\n\n{entries}"
    return source


def _map(commentaries: int, size: int, tag_rows: list[tuple[str, str, int]]) -> str:
    """The map page: the whole site's map while one can be read, then the tags' maps."""
    if not commentaries:
        return f"{_title('Map')}\nNo commentaries yet.\n"
    if commentaries > size:
        # The tags' pages are in the tags' overview's toctree already.
        return _overview(
            "Map", f"The site's {commentaries:,} commentaries are more than one map can "
            "show: each tag's page draws how its commentaries connect.",
            "No commentary has tags yet, and so no tag's page a map.", tag_rows,
            toctree=False)
    return (f"{_title('Map')}\nHow the site's commentaries connect: an arc joins two when "
            "one mentions the other's paper, and linked ones sit together. Each tag's page "
            "draws its own; see :doc:`all tags <tags/index>`.\n\n.. paper-generated:: map\n")


def _page(title: str, lead: str, **option: str) -> str:
    [(name, value)] = option.items()
    return (f"{_title(title)}\n{lead}\n\n.. paper-generated:: commentaries\n"
            f"   :{name}: {value}\n")


def _title(text: str) -> str:
    return rst.title(rst.escaped(text))


def _register(env: BuildEnvironment, docname: str, path: Path) -> None:
    """Make ``path`` the source of document ``docname``, outside the source folder.

    Sphinx has no interface for this; its project maps docnames to paths relative
    to the source folder, which may start with "..". (The search index names it.)
    """
    path = Path(os.path.relpath(path, env.srcdir))
    env.project.docnames.add(docname)
    to_path, to_docname = internals.project_paths(env.project)
    to_path[docname] = path
    to_docname[path] = docname


def _unregister(env: BuildEnvironment, docname: str) -> None:
    to_path, to_docname = internals.project_paths(env.project)
    to_docname.pop(to_path.pop(docname, None), None)
    env.project.docnames.discard(docname)


def _forget(app: Sphinx, env: BuildEnvironment, docname: str, path: Path) -> None:
    """A page no tag or year needs any more: its source, its document, its output."""
    _unregister(env, docname)
    path.unlink(missing_ok=True)
    app.events.emit("env-purge-doc", env, docname)
    env.clear_doc(docname)
    remove_outputs(app, docname)


def _is_generated(app: Sphinx, docname: str) -> bool:
    # By the paths' text: asked for every page, where resolving them costs a
    # millisecond each; both come from the same unresolved folders.
    source = os.path.normpath(app.env.doc2path(docname))
    return source.startswith(os.path.join(os.path.normpath(_folder(app)), ""))


def name_sources_in_search(app: Sphinx) -> list:
    """The search index names each page's source file by its path from the source
    folder: a generated page's would name the build's folders, and differ between two
    builds of one site. Named as if the author had written it instead, before the index
    is written (which follows this event)."""
    index = internals.search_index(app.builder)
    if index is not None:
        # The few pages in the folder are asked, not the thousands in the index.
        for docname in _generated(app).keys() & index.filenames.keys():
            if _is_generated(app, docname):
                index.filenames[docname] = docname + SUFFIX
    return []


def hide_source(app: Sphinx, pagename: str, templatename: str, context: dict,
                doctree: object) -> None:
    """No "Show source" for a generated page: the author wrote no source for it."""
    if doctree is not None and _is_generated(app, pagename):
        context["sourcename"] = ""


def _generated(app: Sphinx) -> dict[str, Path]:
    folder = _folder(app)
    return {path.relative_to(folder).with_suffix("").as_posix(): path
            for path in sorted(folder.rglob(f"*{SUFFIX}"))}


def _write(app: Sphinx, docname: str, text: str) -> bool:
    """Write a page's source if it changed; whether it did."""
    path = _folder(app) / (docname + SUFFIX)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def find_pages(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
               removed: set[str]) -> list[str]:
    """Before reading: the generated pages are documents again, and the overviews
    exist from the first build on, so that the author's toctrees can name them."""
    folder = _folder(app)
    # A doctree folder inside the source folder is searched too, unless excluded: this
    # build's (sphinx-build's default), or another's (``mlcommentary refresh`` into the
    # source folder's _build, where the project builds elsewhere). What is found in
    # any build's folder of generated pages is not the author's. Told by the paths'
    # text, as in _is_generated: there is a path for every page.
    for path, docname in list(internals.project_paths(env.project)[1].items()):
        if FOLDER in Path(path).parts:
            _unregister(env, docname)
            added.discard(docname)
            changed.discard(docname)
    for docname, path in _generated(app).items():
        if docname not in env.all_docs:
            # Left by a build whose environment this one does not have (a fresh one, a
            # moved folder): whether its tag or year is still used is known only once
            # the pages are read. Read now, it would warn about a tag that is gone and
            # then be dropped from the build it was added to; update_pages writes it
            # again if it is still wanted, and an overview lists no page before then.
            path.unlink()
            remove_outputs(app, docname)
    for docname in OVERVIEWS:
        if not (folder / (docname + SUFFIX)).is_file():
            _write(app, docname, _sources(env)[docname])
    for docname, path in _generated(app).items():
        if docname in env.found_docs:
            continue  # the author's own page of that name wins
        _register(env, docname, path)
        removed.discard(docname)
        if docname not in env.all_docs:
            added.add(docname)
        elif path.stat().st_mtime_ns // 1_000 > env.all_docs[docname]:
            changed.add(docname)
    return []


def update_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After reading, once the domain's view is fresh: write and read the pages whose
    source changed, drop those of tags and years no longer used. Returns the pages read."""
    sources = _sources(env)
    generated = _generated(app)
    for docname in generated.keys() - sources.keys():
        _forget(app, env, docname, generated[docname])
    reread = []
    for docname, text in sorted(sources.items()):
        if docname in env.found_docs and not _is_generated(app, docname):
            continue  # the author's own page
        if _write(app, docname, text) or docname not in env.all_docs:
            _register(env, docname, _folder(app) / (docname + SUFFIX))
            reread.append(docname)
    # Every page is a document before any is read: an overview's toctree names them.
    for docname in reread:
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
        app.builder.read_doc(docname)
    _orphan_unless_listed(env)
    return reread


def _orphan_unless_listed(env: BuildEnvironment) -> None:
    """An overview in none of the site's toctrees is an orphan: reached from the tags and
    years, not from the sidebar. Decided every build, as the author's toctrees change."""
    listed = {docname for included in env.toctree_includes.values() for docname in included}
    for docname in OVERVIEWS:
        if docname not in env.all_docs:
            continue
        if docname in listed:
            env.metadata[docname].pop("orphan", None)
        else:
            env.metadata[docname]["orphan"] = True


def setup_pages(app: Sphinx) -> None:
    app.add_directive("paper-generated", GeneratedDirective)
    app.connect("env-get-outdated", find_pages)
    app.connect("html-page-context", hide_source)
    app.connect("html-collect-pages", name_sources_in_search)
