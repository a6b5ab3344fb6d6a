"""Each commentary's neighbourhood: the pages that discuss its paper above it, the
papers it relates the paper to and mentions below.

The section is built from standard nodes (``neighbourhood``): lists of links,
resolved as every other paper link is, which LaTeX, text and the EPUB show as they
are. Browsers get a picture instead, an SVG written with the page from those resolved
links: laid out at build time (no script, no request: it works from ``file://``),
coloured by the card's CSS variables so dark mode follows, each box a link named by
the paper's whole title, each group a list to assistive technology.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from docutils import nodes
from sphinx.application import Sphinx

from . import formats
from .mathml import plain_node

#: At most this many boxes around the paper (the rest are in the list, and counted).
NEIGHBOURS = 24
#: The picture's coordinates: two columns of boxes with the connecting line between.
WIDTH = 360
COLUMN = 164
BOX = 44
ROW = BOX + 8
HEADING = 24
CENTRE = 64
#: Characters that fit a line of a box, and of the centre box, at the picture's 12px.
BOX_CHARS = 23
CENTRE_CHARS = 50


class paper_map(nodes.General, nodes.Element):  # noqa: N801
    """A paper's neighbourhood: ``title`` and ``meta`` name the paper; its children are
    one container per group (``group``, ``label``, ``side``, ``more``), each a heading
    and a list of links."""


@dataclass(frozen=True)
class Group:
    #: What the group's heading says: "Discussed in", "Related", "Mentions".
    heading: str
    #: What each of its links is to the paper, in the link's name: "Discusses it".
    relation: str
    #: "above" the paper or "below" it.
    side: str


DISCUSSED = Group("Discussed in", "Discusses it", "above")
RELATED = Group("Related", "Related paper", "below")
MENTIONED = Group("Mentions", "Mentioned in the commentary", "below")


def neighbourhood(title: str, meta: str, section_id: str,
                  groups: list[tuple[Group, list[nodes.Element]]]) -> nodes.section | None:
    """The section "How it connects", or None when the paper has no neighbours. Each
    group's links are pending references; the boxes are shared out among the groups
    in turn, so a paper mentioned by many pages still shows what it relates to."""
    groups = [(group, links) for group, links in groups if links]
    if not groups:
        return None
    shown = dict.fromkeys(range(len(groups)), 0)
    while sum(shown.values()) < NEIGHBOURS and any(
            shown[i] < len(links) for i, (_, links) in enumerate(groups)):
        for i, (_, links) in enumerate(groups):
            if shown[i] < len(links) and sum(shown.values()) < NEIGHBOURS:
                shown[i] += 1
    picture = paper_map("", title=title, meta=meta)
    for i, (group, links) in enumerate(groups):
        container = nodes.container("", classes=["paper-map-group"], heading=group.heading,
                                    relation=group.relation, side=group.side,
                                    shown=shown[i])
        container += nodes.paragraph("", "", nodes.strong(group.heading, group.heading))
        container += nodes.bullet_list("", *(nodes.list_item("", nodes.paragraph("", "", link))
                                             for link in links))
        picture += container
    heading = "How it connects"
    # Not searched: its words are other papers' titles.
    return nodes.section("", nodes.title(heading, heading), picture,
                         ids=[section_id], classes=["paper-map-section", "no-search"])


@dataclass(frozen=True)
class Box:
    label: str
    href: str
    name: str


def _boxes(container: nodes.Element) -> list[Box]:
    boxes = []
    for item in container.findall(nodes.list_item):
        link = next(item.findall(nodes.reference), None)
        if link is None:
            continue  # a page the output leaves out
        label = " ".join(plain_node(link).split())
        href = link.get("refuri") or "#" + link.get("refid", "")
        boxes.append(Box(label, href, f"{container['relation']}: {label}"))
    return boxes[:container["shown"]]


def _lines(text: str, width: int, count: int) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][:width - 1].rstrip() + "…"
    return lines


def _text(x: float, y: float, lines: list[str], css_class: str = "") -> str:
    """Lines of text from ``(x, y)``, 15 units apart; ``x`` is their middle in the
    class ``paper-map-middle``."""
    first, *rest = lines
    spans = "".join(f'<tspan x="{x:g}" dy="15">{escape(line)}</tspan>' for line in rest)
    attributes = f' class="{css_class}"' if css_class else ""
    return f'<text x="{x:g}" y="{y:g}"{attributes}>{escape(first)}{spans}</text>'


def draw(title: str, meta: str, groups: list[tuple[str, str, list[Box], int]]) -> str:
    """The picture: ``groups`` as ``(heading, side, boxes, hidden)``. Boxes sit two to a
    row; a line down the middle joins each to the paper's box. Each group is a list
    of links to assistive technology, as the other outputs show it."""
    body: list[str] = []
    stubs: dict[str, list[float]] = {"above": [], "below": []}
    y = 0.0

    def place(heading: str, side: str, boxes: list[Box], hidden: int) -> None:
        nonlocal y
        more = f" (and {hidden} more)" if hidden else ""
        body.append(_text(0, y + 15, [heading + more], "paper-map-heading"))
        y += HEADING
        items = []
        for i, box in enumerate(boxes):
            column = i % 2
            x = column * (WIDTH - COLUMN)
            top = y + (i // 2) * ROW
            stubs[side].append(top + BOX / 2)
            lines = _lines(box.label, BOX_CHARS, 2)
            # One line sits in the middle of its box, as two do.
            baseline = top + (18 if len(lines) == 2 else 26)
            items.append(f'<g role="listitem"><a href="{escape(box.href)}" '
                         f'aria-label="{escape(box.name)}"><rect x="{x}" y="{top:g}" '
                         f'width="{COLUMN}" height="{BOX}" rx="6"/>'
                         + _text(x + 6, baseline, lines) + "</a></g>")
        body.append(f'<g role="list" aria-label="{escape(heading)}">{"".join(items)}</g>')
        y += ((len(boxes) + 1) // 2) * ROW + 4

    for heading, side, boxes, hidden in groups:
        if side == "above":
            place(heading, side, boxes, hidden)
    centre_top = y + 4
    title_lines = _lines(title, CENTRE_CHARS, 2)
    body.append(f'<g class="paper-map-paper"><rect x="1" y="{centre_top:g}" '
                f'width="{WIDTH - 2}" height="{CENTRE}" rx="6"/>'
                + _text(WIDTH / 2, centre_top + (22 if len(title_lines) == 2 else 28),
                        title_lines, "paper-map-middle paper-map-title")
                + _text(WIDTH / 2, centre_top + (52 if len(title_lines) == 2 else 46),
                        _lines(meta, CENTRE_CHARS, 1), "paper-map-middle paper-map-meta")
                + "</g>")
    y = centre_top + CENTRE + 12
    for heading, side, boxes, hidden in groups:
        if side == "below":
            place(heading, side, boxes, hidden)
    # One path for every line: from the middle to each box, and down the middle.
    middle = WIDTH / 2
    path = "".join(f"M{middle:g} {stub:g}H{COLUMN if i % 2 == 0 else WIDTH - COLUMN}"
                   for side in ("above", "below") for i, stub in enumerate(stubs[side]))
    if stubs["above"]:
        path += f"M{middle:g} {min(stubs['above']):g}V{centre_top:g}"
    if stubs["below"]:
        path += f"M{middle:g} {centre_top + CENTRE:g}V{max(stubs['below']):g}"
    return (f'<svg class="paper-map-picture" viewBox="0 0 {WIDTH} {y - 4:g}" '
            f'role="group" aria-label="{escape("How it connects: " + title)}">'
            f'<path d="{path}"/>{"".join(body)}</svg>')


def _visit_map_html(self, node: paper_map) -> None:  # noqa: ANN001
    if self.builder.name not in formats.MAP_PICTURES:
        return  # the EPUB: its manifest would have to declare every page with SVG
    groups = []
    for container in node.findall(nodes.container):
        boxes = _boxes(container)
        groups.append((container["heading"], container["side"], boxes,
                       sum(1 for _ in container.findall(nodes.list_item)) - len(boxes)))
    # The picture alone: its groups are lists of links to assistive technology too.
    self.body.append(draw(node["title"], node["meta"], groups))
    raise nodes.SkipNode


def _children_only(self, node: paper_map) -> None:  # noqa: ANN001
    """Every other builder shows the lists as they are."""


def setup_maps(app: Sphinx) -> None:
    plain = (_children_only, _children_only)
    app.add_node(paper_map, html=(_visit_map_html, _children_only), latex=plain,
                 text=plain, man=plain, texinfo=plain)
