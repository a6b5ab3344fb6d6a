"""Each commentary's neighbourhood, "How it connects": the pages that discuss its
paper above it, the papers it relates the paper to and mentions below.

Browsers get a picture (``picture``): an SVG laid out at build time (no script, no
request: it works from ``file://``), coloured by the card's CSS variables so dark mode
follows, each box a link named by the whole title, each group a list to assistive
technology. It is written from the site's facts as the page is resolved, not from
reference nodes: resolving a dozen more references a page cost a tenth of the build.
Every other output (LaTeX, text, the EPUB) gets the same as lists of references
(``lists``), resolved as every other paper link is.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from docutils import nodes
from sphinx.application import Sphinx

#: At most this many boxes around the paper (the rest counted; the lists of the other
#: outputs name them all).
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
    """The picture, as SVG markup in ``svg``, made from the site's facts and escaped
    here; for the builders in ``formats.MAP_PICTURES`` only."""


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
TITLE = "How it connects"


@dataclass(frozen=True)
class Box:
    label: str
    href: str


def _section(section_id: str, body: nodes.Node) -> nodes.section:
    # Not searched: its words are other papers' titles.
    return nodes.section("", nodes.title(TITLE, TITLE), body,
                         ids=[section_id], classes=["paper-map-section", "no-search"])


def picture(section_id: str, title: str, meta: str,
            groups: list[tuple[Group, list[Box]]]) -> nodes.section | None:
    """The section "How it connects" as a picture, or None when the paper has no
    neighbours. The boxes are shared out among the groups in turn, so a paper that
    many pages discuss still shows what it relates to."""
    groups = [(group, boxes) for group, boxes in groups if boxes]
    if not groups:
        return None
    shown = [0] * len(groups)
    while sum(shown) < NEIGHBOURS and any(
            count < len(boxes) for count, (_, boxes) in zip(shown, groups)):
        for i, (_, boxes) in enumerate(groups):
            if shown[i] < len(boxes) and sum(shown) < NEIGHBOURS:
                shown[i] += 1
    return _section(section_id, paper_map("", svg=draw(title, meta, [
        (group, boxes[:count], len(boxes) - count)
        for count, (group, boxes) in zip(shown, groups)])))


def lists(section_id: str, groups: list[tuple[Group, list[nodes.Element]]]
          ) -> nodes.section | None:
    """The section "How it connects" as a list of links per group, for every output
    without the picture (LaTeX, text, the EPUB)."""
    blocks = []
    for group, links in groups:
        if links:
            blocks.append(nodes.paragraph("", "", nodes.strong(group.heading, group.heading)))
            blocks.append(nodes.bullet_list("", *(
                nodes.list_item("", nodes.paragraph("", "", link)) for link in links)))
    if not blocks:
        return None
    return _section(section_id, nodes.container("", *blocks, classes=["paper-map-lists"]))


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


def _item(box: Box, name: str, x: float, y: float, width: float, height: float,
          lines: list[str], baseline: float) -> str:
    """A box of a list: a link named by its <title> (also the tooltip), since the box
    may show its label cut."""
    return (f'<g role="listitem"><a href="{escape(box.href)}"><title>{escape(name)}</title>'
            f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" rx="6"/>'
            + _text(x + 6, baseline, lines) + "</a></g>")


def draw(title: str, meta: str, groups: list[tuple[Group, list[Box], int]]) -> str:
    """The picture: ``groups`` as ``(group, boxes, hidden)``. Boxes sit two to a
    row; a line down the middle joins each to the paper's box. Each group is a list
    of links to assistive technology, as the other outputs show it."""
    body: list[str] = []
    # Where each box's line meets it: its middle's height, and the x of its inner side.
    stubs: dict[str, list[tuple[float, float]]] = {"above": [], "below": []}
    y = 0.0

    def place(group: Group, boxes: list[Box], hidden: int) -> None:
        nonlocal y
        more = f" (and {hidden} more)" if hidden else ""
        body.append(_text(0, y + 15, [group.heading + more], "paper-map-heading"))
        y += HEADING
        items = []
        for i, box in enumerate(boxes):
            column = i % 2
            x = column * (WIDTH - COLUMN)
            top = y + (i // 2) * ROW
            stubs[group.side].append((top + BOX / 2, COLUMN if column == 0 else x))
            lines = _lines(box.label, BOX_CHARS, 2)
            # One line sits in the middle of its box, as two do.
            baseline = top + (18 if len(lines) == 2 else 26)
            items.append(_item(box, f"{group.relation}: {box.label}", x, top, COLUMN, BOX,
                               lines, baseline))
        body.append(f'<g role="list" aria-label="{group.heading}">{"".join(items)}</g>')
        y += ((len(boxes) + 1) // 2) * ROW + 4

    for group, boxes, hidden in groups:
        if group.side == "above":
            place(group, boxes, hidden)
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
    for group, boxes, hidden in groups:
        if group.side == "below":
            place(group, boxes, hidden)
    # One path for every line: from the middle to each box, and down the middle.
    middle = WIDTH / 2
    path = "".join(f"M{middle:g} {height:g}H{side:g}"
                   for stubs_of_side in stubs.values() for height, side in stubs_of_side)
    if stubs["above"]:
        path += f"M{middle:g} {min(h for h, _ in stubs['above']):g}V{centre_top:g}"
    if stubs["below"]:
        path += f"M{middle:g} {centre_top + CENTRE:g}V{max(h for h, _ in stubs['below']):g}"
    return (f'<svg class="paper-map-picture" viewBox="0 0 {WIDTH} {y - 4:g}" '
            f'role="group" aria-label="{escape("How it connects: " + title)}">'
            f'<path d="{path}"/>{"".join(body)}</svg>')


def _visit_map_html(self, node: paper_map) -> None:  # noqa: ANN001
    self.body.append(node["svg"])
    raise nodes.SkipNode


def setup_maps(app: Sphinx) -> None:
    app.add_node(paper_map, html=(_visit_map_html, None))


# -- an index's map: how the commentaries it lists connect -----------------------------

#: An index's map: one box a row, the arcs that join them in a gutter on the left.
GUTTER = 56
ROW_HEIGHT = 34
ROW_BOX = 28
GROUP_GAP = 14
ROW_CHARS = 46
MAP_TITLE = "How they connect"


def arrange(links: list[set[int]]) -> list[list[int]]:
    """The linked items (by position) in groups that link among themselves, largest
    first; in each, breadth first from its most linked item, so that linked items sit
    near each other. Items that link to none are left out."""
    degree = [len(others) for others in links]
    placed: set[int] = set()
    groups = []
    for start in sorted(range(len(links)), key=lambda i: (-degree[i], i)):
        if start in placed or not degree[start]:
            continue
        group, queue = [], [start]
        placed.add(start)
        while queue:
            item = queue.pop(0)
            group.append(item)
            for other in sorted(links[item] - placed, key=lambda i: (-degree[i], i)):
                placed.add(other)
                queue.append(other)
        groups.append(group)
    return sorted(groups, key=len, reverse=True)


def draw_links(label: str, boxes: list[Box], links: list[set[int]],
               groups: list[list[int]]) -> str:
    """An arc diagram: each group's boxes one under the other, every link an arc in the
    gutter between the two it joins."""
    rows: dict[int, float] = {}
    body: list[str] = []
    y = 0.0
    for group in groups:
        items = []
        for item in group:
            rows[item] = y + ROW_BOX / 2
            box = boxes[item]
            items.append(_item(box, box.label, GUTTER, y, WIDTH - GUTTER, ROW_BOX,
                               _lines(box.label, ROW_CHARS, 1), y + 18))
            y += ROW_HEIGHT
        body.append(f'<g role="list">{"".join(items)}</g>')
        y += GROUP_GAP
    arcs = []
    for item, others in enumerate(links):
        for other in sorted(others):
            if item < other and item in rows and other in rows:
                top, bottom = sorted((rows[item], rows[other]))
                bulge = GUTTER - min(GUTTER - 6, 8 + (bottom - top) / 8)
                arcs.append(f"M{GUTTER} {top:g}C{bulge:g} {top:g} {bulge:g} {bottom:g} "
                            f"{GUTTER} {bottom:g}")
    return (f'<svg class="paper-map-picture paper-map-links" viewBox="0 0 {WIDTH} '
            f'{y - GROUP_GAP - (ROW_HEIGHT - ROW_BOX):g}" role="group" '
            f'aria-label="{escape(label)}"><path d="{"".join(arcs)}"/>{"".join(body)}</svg>')
