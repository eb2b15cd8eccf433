"""A workflow's picture as SVG, drawn on the server from its declaration: no script, no external binary.

The layout is a plain layered one, top to bottom, so a phone scrolls it down rather than sideways:
- each state's row is its longest distance from the initial state along forward steps (a step back to an
  earlier state, such as a resubmission, is drawn as a curve up the side and does not push rows down);
  final states share the last row, so every ending reads as an ending;
- a state is a box with its Indonesian label (wrapped), a final state has a double border;
- a step is an arrow labelled with the step's label; steps between the same two states share one arrow.
  An arrow to the next row runs straight down, a longer or backward one bows out to the side, a step that
  stays in its state is a loop on the box's right.

Everything is computed here in pure Python from `Workflow.states` and `Workflow.steps`; the markup uses only
presentation attributes (no `style`), so the page's Content-Security-Policy stays strict. The SVG is its own
document fragment: well-formed XML with `role="img"`, a <title> and a <desc>; the page's table of steps is
its text alternative.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .base import Workflow

FONT = 13  # px: readable on a phone without zooming
CHAR_W = 7.2  # a generous average advance for the font at FONT px (labels must not overflow their boxes)
LINE_H = 16
BOX_W = 180
BOX_PAD = 10
ROW_GAP = 84  # room for an arrow's label between rows
COL_GAP = 36
GUTTER = 150  # each side, for arrows that bow out around the rows
WRAP = 22  # characters per line in a box
EDGE_WRAP = 24  # characters per line in an arrow's label


@dataclass
class _Box:
    name: str
    lines: list[str]
    row: int
    x: float = 0.0
    y: float = 0.0

    @property
    def h(self) -> float:
        return len(self.lines) * LINE_H + 2 * BOX_PAD

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2


def _rows(workflow: Workflow) -> dict[str, int]:
    """Longest forward distance from the initial state; a step to a state already on the current path is
    a step back and is ignored for ranking (DFS in declaration order, so the result is stable)."""
    out: dict[str, list[str]] = {s: [] for s in workflow.states}
    for step in workflow.steps:
        for source in step.sources:
            if step.dest != source and step.dest not in out[source]:
                out[source].append(step.dest)
    back: set[tuple[str, str]] = set()
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(state: str) -> None:
        on_path.add(state)
        for dest in out[state]:
            if dest in on_path:
                back.add((state, dest))
            elif dest not in done:
                visit(dest)
        on_path.discard(state)
        done.add(state)

    for state in [*workflow.entry_states, workflow.initial, *workflow.states]:
        if state not in done:
            visit(state)
    row = {s: 0 for s in workflow.states}
    for _ in workflow.states:  # relax |V| times: enough for a DAG's longest paths
        for source, dests in out.items():
            for dest in dests:
                if (source, dest) not in back:
                    row[dest] = max(row[dest], row[source] + 1)
    last = max((row[s] for s in workflow.states if s not in workflow.final), default=0) + 1
    for state in workflow.final:
        row[state] = last
    return row


def _layout(workflow: Workflow) -> tuple[dict[str, _Box], float, float]:
    ranks = _rows(workflow)
    boxes = {s: _Box(s, textwrap.wrap(label, WRAP) or [s], ranks[s]) for s, label in workflow.states.items()}
    by_row: dict[int, list[_Box]] = {}
    for box in boxes.values():  # declaration order within a row
        by_row.setdefault(box.row, []).append(box)
    widest = max(len(r) * BOX_W + (len(r) - 1) * COL_GAP for r in by_row.values())
    width = widest + 2 * GUTTER
    y = 20.0
    for row in sorted(by_row):
        boxes_here = by_row[row]
        row_w = len(boxes_here) * BOX_W + (len(boxes_here) - 1) * COL_GAP
        x = (width - row_w) / 2
        for box in boxes_here:
            box.x, box.y = x, y
            x += BOX_W + COL_GAP
        y += max(b.h for b in boxes_here) + ROW_GAP
    return boxes, width, y - ROW_GAP + 20


def _text_lines(x: float, y: float, lines: list[str], *, anchor: str = "middle", weight: str = "normal") -> str:
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="#1b2733">{spans}</text>')


def _label(x: float, y: float, text: str) -> str:
    """An arrow's label on a white plate, centred on (x, y), so it stays legible over the lines it crosses."""
    lines = textwrap.wrap(text, EDGE_WRAP) or [text]
    w = max(len(line) for line in lines) * CHAR_W * 0.92 + 10
    h = len(lines) * LINE_H + 6
    top = y - h / 2
    return (f'<rect x="{x - w / 2:.1f}" y="{top:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" fill="#ffffff" '
            f'fill-opacity="0.92" stroke="#c5d3df"/>'
            + _text_lines(x, top + LINE_H - 1, lines).replace(f'font-size="{FONT}"', f'font-size="{FONT - 1}"'))


Point = tuple[float, float]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float = 0.5) -> Point:
    u = 1 - t
    return (u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
            u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1])


def _edges(workflow: Workflow) -> list[tuple[str, str, str]]:
    """(source, dest, label) with the labels of steps between the same two states joined."""
    joined: dict[tuple[str, str], list[str]] = {}
    for step in workflow.steps:
        for source in step.sources:
            labels = joined.setdefault((source, step.dest), [])
            if step.label not in labels:
                labels.append(step.label)
    return [(s, d, " / ".join(labels)) for (s, d), labels in joined.items()]


def _spread(box: _Box, index: int, count: int) -> float:
    """The x of the index-th of `count` arrows leaving or entering a box's bottom or top, spread out so that
    their labels do not sit on one another."""
    return box.x + BOX_W * (index + 1) / (count + 1)


def workflow_svg(workflow: Workflow) -> str:
    boxes, width, height = _layout(workflow)
    centre = width / 2
    parts: list[str] = []
    edges = _edges(workflow)
    down = [(s, d) for s, d, _ in edges if boxes[d].row > boxes[s].row]
    # One label for arrows that are the same step from several states (withdraw, reject): they converge on
    # their destination, and the label sits just above it, where they meet.
    shared: dict[tuple[str, str], int] = {}
    for _, dest, text in edges:
        shared[(dest, text)] = shared.get((dest, text), 0) + 1
    labelled: set[tuple[str, str]] = set()
    side_lane = {"left": 0, "right": 0}  # how many arrows already bow out on each side
    for source, dest, text in edges:
        a, b = boxes[source], boxes[dest]
        if source == dest:  # a step that stays: a loop on the right of the box
            x0, y0 = a.x + BOX_W, a.y + a.h * 0.3
            y1 = a.y + a.h * 0.7
            path = f"M{x0:.1f},{y0:.1f} C{x0 + 60:.1f},{y0 - 20:.1f} {x0 + 60:.1f},{y1 + 20:.1f} {x0 + 2:.1f},{y1:.1f}"
            label_at = (x0 + 50 + min(len(text), EDGE_WRAP) * CHAR_W * 0.46, (y0 + y1) / 2)
            parts.append(f'<path d="{path}" fill="none" stroke="#4a5a6a" stroke-width="1.5" marker-end="url(#panah)"/>')
            parts.append(_label(label_at[0], label_at[1], text))
            continue
        # Round the side the arrow leans to: where its destination lies, or its source when that is central.
        lean = b.cx - centre if abs(b.cx - centre) > 1 else a.cx - centre
        side = "left" if lean < 0 else "right"
        low, high = sorted((a.row, b.row))
        spanned = [x for x in boxes.values() if low <= x.row <= high]
        if b.row > a.row:  # down: out of the bottom, into the top, spread so that labels do not pile up
            outs = sorted((d for s, d in down if s == source), key=lambda d: (boxes[d].cx, boxes[d].row))
            ins = sorted((s for s, d in down if d == dest), key=lambda s: (boxes[s].cx, -boxes[s].row))
            p0 = (_spread(a, outs.index(dest), len(outs)), a.y + a.h)
            p3 = (_spread(b, ins.index(source), len(ins)), b.y - 2)
            if b.row == a.row + 1:
                p1, p2 = (p0[0], p0[1] + ROW_GAP / 2), (p3[0], p3[1] - ROW_GAP / 2)
            else:  # past the rows in between: round them, beyond their outermost box
                lane = side_lane[side]
                side_lane[side] += 1
                bow = (max(x.x + BOX_W for x in spanned if a.row < x.row < b.row) + 30 + 20 * lane if side == "right"
                       else min(x.x for x in spanned if a.row < x.row < b.row) - 30 - 20 * lane)
                # Down a little, out to a lane beyond the rows in between, straight down it, and in from above.
                turn = ROW_GAP * 0.45
                path = (f"M{p0[0]:.1f},{p0[1]:.1f} C{p0[0]:.1f},{p0[1] + turn:.1f} {bow:.1f},{p0[1]:.1f} "
                        f"{bow:.1f},{p0[1] + turn:.1f} L{bow:.1f},{p3[1] - turn:.1f} "
                        f"C{bow:.1f},{p3[1]:.1f} {p3[0]:.1f},{p3[1] - turn:.1f} {p3[0]:.1f},{p3[1]:.1f}")
                label_at = (bow, (p0[1] + p3[1]) / 2)
                if shared[(dest, text)] > 1:
                    label_at = (b.cx, b.y - ROW_GAP * 0.3)
                parts.append(f'<path d="{path}" fill="none" stroke="#4a5a6a" stroke-width="1.5" '
                             'marker-end="url(#panah)"/>')
                if (dest, text) not in labelled:
                    labelled.add((dest, text))
                    parts.append(_label(label_at[0], label_at[1], text))
                continue
        else:  # back up (or across a row): out of one side and into the same side, bowing beyond the rows
            lane = side_lane[side]
            side_lane[side] += 1
            if side == "right":
                p0, p3 = (a.x + BOX_W, a.y + a.h / 2), (b.x + BOX_W + 2, b.y + b.h / 2)
                bow = max(x.x + BOX_W for x in spanned) + 30 + 20 * lane
            else:
                p0, p3 = (a.x, a.y + a.h / 2), (b.x - 2, b.y + b.h / 2)
                bow = min(x.x for x in spanned) - 30 - 20 * lane
            p1, p2 = (bow, p0[1]), (bow, p3[1])
        path = f"M{p0[0]:.1f},{p0[1]:.1f} C{p1[0]:.1f},{p1[1]:.1f} {p2[0]:.1f},{p2[1]:.1f} {p3[0]:.1f},{p3[1]:.1f}"
        if shared[(dest, text)] > 1:
            label_at = (b.cx, b.y - ROW_GAP * 0.3)
        else:
            label_at = _bezier(p0, p1, p2, p3, 0.5)
        parts.append(f'<path d="{path}" fill="none" stroke="#4a5a6a" stroke-width="1.5" marker-end="url(#panah)"/>')
        if (dest, text) not in labelled:
            labelled.add((dest, text))
            parts.append(_label(label_at[0], label_at[1], text))
    labels = [p for p in parts if p.startswith("<rect")]
    parts = [p for p in parts if not p.startswith("<rect")] + labels  # labels over every line
    for box in boxes.values():
        final = box.name in workflow.final
        initial = box.name == workflow.initial
        parts.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_W}" height="{box.h:.1f}" rx="8" '
                     f'fill="{"#eef3f7" if final else "#ffffff"}" stroke="#0b5c8c" '
                     f'stroke-width="{3 if initial else 1.5}"/>')
        if final:
            parts.append(f'<rect x="{box.x + 4:.1f}" y="{box.y + 4:.1f}" width="{BOX_W - 8}" height="{box.h - 8:.1f}" '
                         f'rx="6" fill="none" stroke="#0b5c8c" stroke-width="1"/>')
        parts.append(_text_lines(box.cx, box.y + BOX_PAD + LINE_H - 3, box.lines,
                                 weight="bold" if initial else "normal"))
    title = f"Diagram status {workflow.title}"
    desc = (f"{len(workflow.states)} status dan {len(workflow.steps)} tindakan, dimulai dari "
            f"“{workflow.states[workflow.initial]}”; berakhir pada "
            + ", ".join(f"“{workflow.states[s]}”" for s in workflow.states if s in workflow.final)
            + ". Rinciannya ada pada tabel tindakan di bawah.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" '
            f'aria-labelledby="diagram-judul diagram-uraian" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Arial, Helvetica, sans-serif">'
            f'<title id="diagram-judul">{escape(title)}</title><desc id="diagram-uraian">{escape(desc)}</desc>'
            '<defs><marker id="panah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5a6a"/></marker></defs>'
            + "".join(parts) + "</svg>")
