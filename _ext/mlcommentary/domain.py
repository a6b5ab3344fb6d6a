"""The ``paper`` domain: every page's papers, and what the site knows of them.

While reading, each document records what it claims (its ``paper`` directive)
and what it mentions (roles and ``:related:``), under its own docname, so
``clear_doc`` and ``merge_domaindata`` are exact and parallel reads are safe.
Project-wide facts (who claims each paper, where it is discussed) are computed
once after reading, in the main process, by ``refresh_view``; comparing that
view with the previous build's tells which pages must be rewritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Set
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from .ids import ArxivId, InvalidArxivId, parse_arxiv_id
from .metadata import PaperRecord

logger = logging.getLogger(__name__)


def paper_anchor(arxiv_id: ArxivId) -> str:
    return "paper-" + arxiv_id.base.replace("/", "-").replace(".", "-")


class PaperRole(XRefRole):
    """``{paper}`2110.02095``` or ``{paper}`the ViT paper <2010.11929>```."""

    innernodeclass = nodes.inline

    def result_nodes(self, document, env, node, is_ref):  # noqa: ANN001
        try:
            arxiv_id = parse_arxiv_id(node["reftarget"])
        except InvalidArxivId as err:
            logger.warning("%s", err, type="paper", subtype="bad_id", location=node)
            return [nodes.inline(node.astext(), node.astext(), classes=["paper-ref-invalid"])], []
        # Registered globally as well as in the domain, so name the domain here.
        node["refdomain"], node["reftype"] = "paper", "paper"
        node["reftarget"] = str(arxiv_id)
        env.domains["paper"].note_mention(env.current_document.docname, arxiv_id, node.line)
        return [node], []


class PaperDomain(Domain):
    name = "paper"
    label = "arXiv papers"
    object_types = {"paper": ObjType("paper", "paper")}
    roles = {"paper": PaperRole()}
    initial_data: dict[str, Any] = {
        # docname -> {"claims": {base: claim}, "mentions": {base: [line, ...]},
        #             "has_index": bool}
        "documents": {},
        # The project-wide view of the last build: base -> facts (see refresh_view).
        "view": {},
    }
    data_version = 1
    dangling_warnings = {"paper": "cannot resolve paper reference %(target)s"}

    #: Records from the metadata file and this build's fetch; reloaded every build.
    records: dict[str, PaperRecord]

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self.records = {}

    # -- per document, while reading ------------------------------------------

    def _document(self, docname: str) -> dict[str, Any]:
        return self.data["documents"].setdefault(
            docname, {"claims": {}, "mentions": {}, "has_index": False}
        )

    def note_claim(self, docname: str, arxiv_id: ArxivId, line: int | None,
                   tags: list[str], related: list[ArxivId]) -> None:
        self._document(docname)["claims"][arxiv_id.base] = {
            "id": str(arxiv_id), "line": line, "tags": tags,
            "related": [str(r) for r in related],
        }

    def note_mention(self, docname: str, arxiv_id: ArxivId, line: int | None) -> None:
        self._document(docname)["mentions"].setdefault(arxiv_id.base, []).append(line)

    def note_index(self, docname: str) -> None:
        self._document(docname)["has_index"] = True

    def clear_doc(self, docname: str) -> None:
        self.data["documents"].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["documents"]:
                self.data["documents"][docname] = otherdata["documents"][docname]

    # -- project-wide, after reading --------------------------------------------

    def claims(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every claim as ``(base, docname, claim)``, in docname order."""
        for docname in sorted(self.data["documents"]):
            for base, claim in self.data["documents"][docname]["claims"].items():
                yield base, docname, claim

    def uses(self) -> dict[str, list[tuple[str, int | None]]]:
        """Every paper the site needs, with the ``(docname, line)`` places that use it."""
        places: dict[str, list[tuple[str, int | None]]] = {}
        for docname in sorted(self.data["documents"]):
            document = self.data["documents"][docname]
            for base, claim in document["claims"].items():
                places.setdefault(base, []).append((docname, claim["line"]))
            for base, lines in document["mentions"].items():
                places.setdefault(base, []).extend((docname, line) for line in lines)
        return places

    def refresh_view(self) -> set[str]:
        """Recompute the project-wide view; return the docnames whose output it changes."""
        view: dict[str, dict[str, Any]] = {}
        for base, docname, claim in self.claims():
            # The line is left out: moving a directive down a page changes no output.
            shown = {key: claim[key] for key in ("id", "tags", "related")}
            view.setdefault(base, {"docname": docname, "claim": shown, "discussed_in": []})
        for docname in sorted(self.data["documents"]):
            for base in self.data["documents"][docname]["mentions"]:
                facts = view.setdefault(base, {"docname": None, "claim": None, "discussed_in": []})
                if docname != facts["docname"]:
                    facts["discussed_in"].append(docname)
        for base, facts in view.items():
            record = self.records.get(base)
            facts["record"] = _digest(record.to_json()) if record else None

        old, self.data["view"] = self.data["view"], view
        index_pages = {d for d, doc in self.data["documents"].items() if doc["has_index"]}
        affected: set[str] = set()
        for base in view.keys() | old.keys():
            before, after = old.get(base, {}), view.get(base, {})
            if before == after:
                continue
            owners = {before.get("docname"), after.get("docname")} - {None}
            affected |= owners
            # Only the card shows "Discussed in"; everything else also shows
            # on the pages that link to the paper and in the paper indexes.
            if _without(before, "discussed_in") != _without(after, "discussed_in"):
                affected |= {*before.get("discussed_in", ()), *after.get("discussed_in", ())}
                affected |= index_pages
        return affected & set(self.data["documents"])

    def warn_duplicate_claims(self) -> None:
        first: dict[str, str] = {}
        for base, docname, claim in self.claims():
            if base in first:
                logger.warning("arXiv:%s already has its commentary in %s; this page's card "
                               "links there", base, first[base], type="paper",
                               subtype="duplicate", location=(docname, claim["line"]))
            else:
                first[base] = docname

    def owner(self, base: str) -> tuple[str, str] | None:
        """``(docname, anchor)`` of the commentary on ``base``, if the site has one."""
        facts = self.data["view"].get(base)
        if not facts or facts["docname"] is None:
            return None
        return facts["docname"], paper_anchor(ArxivId(base))

    def discussed_in(self, base: str) -> list[str]:
        facts = self.data["view"].get(base)
        return facts["discussed_in"] if facts else []

    def title(self, arxiv_id: ArxivId) -> str:
        """The paper's title, or its identifier while the site has no record of it."""
        record = self.records.get(arxiv_id.base)
        return record.title if record else f"arXiv:{arxiv_id}"

    def commented_papers(self) -> Iterable[tuple[str, dict[str, Any]]]:
        for base, facts in self.data["view"].items():
            if facts["docname"] is not None:
                yield base, facts

    # -- references -------------------------------------------------------------

    def resolve_xref(self, env: BuildEnvironment, fromdocname: str, builder: Builder,
                     typ: str, target: str, node: pending_xref,
                     contnode: nodes.Element) -> nodes.reference | None:
        """A link to the paper's commentary on this site.

        Without one, Sphinx asks its ``missing-reference`` handlers: intersphinx
        finds a commentary on another site, and ``link_to_arxiv`` comes last.
        """
        try:
            arxiv_id = parse_arxiv_id(target)
        except InvalidArxivId:
            return None
        owner = self.owner(arxiv_id.base)
        if owner is None:
            return None
        contnode, tooltip = self._link_text(arxiv_id, node, contnode)
        reference = make_refnode(builder, fromdocname, owner[0], owner[1], contnode, tooltip)
        reference["classes"].append("paper-ref")
        return reference

    def link_to_arxiv(self, node: pending_xref, contnode: nodes.Element) -> nodes.reference:
        arxiv_id = parse_arxiv_id(node["reftarget"])
        contnode, tooltip = self._link_text(arxiv_id, node, contnode)
        return nodes.reference("", "", contnode, refuri=arxiv_id.abs_url, reftitle=tooltip,
                               internal=False, classes=["paper-ref"])

    def _link_text(self, arxiv_id: ArxivId, node: pending_xref,
                   contnode: nodes.Element) -> tuple[nodes.Element, str]:
        """The author's text, or else the paper's title; and the tooltip."""
        if not node.get("refexplicit"):
            contnode = nodes.inline("", self.title(arxiv_id))
        record = self.records.get(arxiv_id.base)
        return contnode, f"arXiv:{arxiv_id}" + (f": {record.title}" if record else "")

    def resolve_any_xref(self, env: BuildEnvironment, fromdocname: str, builder: Builder,
                         target: str, node: pending_xref,
                         contnode: nodes.Element) -> list[tuple[str, nodes.reference]]:
        reference = self.resolve_xref(env, fromdocname, builder, "paper", target, node, contnode)
        return [("paper:paper", reference)] if reference is not None else []

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for base, facts in sorted(self.commented_papers()):
            arxiv_id = ArxivId(base)
            yield base, self.title(arxiv_id), "paper", facts["docname"], paper_anchor(arxiv_id), 1


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _without(facts: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k != key}
