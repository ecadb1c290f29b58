"""Where cards go on the canvas, so that no card lands on top of another. No Qt.

A node's card is the box :data:`CARD` wide and high with its top-left corner at the node's
position; the canvas draws exactly that box (``compiler.layout`` defines the size for the
auto-layout, the canvas and this module alike). A new card goes to the free spot nearest
where it was asked for (:func:`free_offset`); a layer spliced into an edge takes its place
on the edge's path and pushes the cards below it down (:func:`make_room`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

from guibuilder.compiler.layout import H_GAP, NODE_HEIGHT, NODE_WIDTH, V_GAP
from guibuilder.graph import Graph

Position = tuple[float, float]
#: ``(x, y, width, height)``: a card, or a group of cards, in scene units.
Box = tuple[float, float, float, float]

#: The size of a node's card: ``(width, height)``.
CARD = (NODE_WIDTH, NODE_HEIGHT)
#: The space kept around a card placed for the user (its ports and labels need it).
CLEARANCE = 20.0
#: How many of the nearest offsets along each axis are tried before the sure fallback.
_TRIES = 48


def card(position: Position) -> Box:
    """The box of the card whose top-left corner is ``position``."""
    return (position[0], position[1], *CARD)


def cards(graph: Graph, exclude: Iterable[str] = ()) -> dict[str, Box]:
    """The box of every node's card, but those in ``exclude``."""
    left_out = set(exclude)
    return {nid: card(n.position) for nid, n in graph.nodes.items() if nid not in left_out}


def clash(a: Box, b: Box, gap_x: float = 0.0, gap_y: float | None = None) -> bool:
    """Whether ``a`` and ``b`` come closer than ``gap_x`` across and ``gap_y`` down."""
    gap_y = gap_x if gap_y is None else gap_y
    return (
        a[0] < b[0] + b[2] + gap_x
        and b[0] < a[0] + a[2] + gap_x
        and a[1] < b[1] + b[3] + gap_y
        and b[1] < a[1] + a[3] + gap_y
    )


def overlapping(graph: Graph) -> list[tuple[str, str]]:
    """Every pair of nodes whose cards overlap."""
    boxes = cards(graph)
    return [(a, b) for a, b in combinations(boxes, 2) if clash(boxes[a], boxes[b])]


def _shift(box: Box, dx: float, dy: float) -> Box:
    return (box[0] + dx, box[1] + dy, box[2], box[3])


def _bounds(group: Sequence[Box]) -> Box:
    """The box around every box of ``group``."""
    left, top = min(g[0] for g in group), min(g[1] for g in group)
    right, bottom = max(g[0] + g[2] for g in group), max(g[1] + g[3] for g in group)
    return (left, top, right - left, bottom - top)


def _free(group: Sequence[Box], obstacles: Sequence[Box], dx: float, dy: float, gap: float):
    whole = _shift(_bounds(group), dx, dy)
    near = [o for o in obstacles if clash(whole, o, gap)]
    return not any(clash(_shift(g, dx, dy), o, gap) for g in group for o in near)


def free_offset(group: Sequence[Box], obstacles: Iterable[Box], gap: float = CLEARANCE) -> Position:
    """The smallest shift that keeps every box of ``group`` ``gap`` away from ``obstacles``.

    Tried: no shift, then shifts that put the group just beside or just above or below an
    obstacle, nearest first; a shift to the right of every obstacle is always free.
    """
    obstacles = list(obstacles)
    if not group or _free(group, obstacles, 0.0, 0.0, gap):
        return (0.0, 0.0)
    left, top, width, height = _bounds(group)
    right, bottom = left + width, top + height
    xs = (
        {0.0}
        | {o[0] + o[2] + gap - left for o in obstacles}
        | {o[0] - gap - right for o in obstacles}
    )
    ys = (
        {0.0}
        | {o[1] + o[3] + gap - top for o in obstacles}
        | {o[1] - gap - bottom for o in obstacles}
    )
    xs_near = sorted(xs, key=abs)[:_TRIES]
    ys_near = sorted(ys, key=abs)[:_TRIES]
    for dx, dy in sorted(((x, y) for x in xs_near for y in ys_near), key=_length):
        if _free(group, obstacles, dx, dy, gap):
            return (dx, dy)
    return (max(xs), 0.0)


def _length(offset: Position) -> tuple[float, float, float]:
    return (offset[0] ** 2 + offset[1] ** 2, abs(offset[1]), offset[0])


def free_position(graph: Graph, want: Position, exclude: Iterable[str] = ()) -> Position:
    """The top-left corner nearest ``want`` where a new card clears every other card."""
    dx, dy = free_offset([card(want)], cards(graph, exclude).values())
    return (want[0] + dx, want[1] + dy)


def make_room(
    graph: Graph, want: Position
) -> tuple[Position, dict[str, tuple[Position, Position]]]:
    """Where a card spliced in at ``want`` goes, and the moves that make room for it.

    The card keeps its column and goes down below any card above it that it would touch;
    every card at or below it then moves down by what the nearest of them needs to clear
    it (``V_GAP`` down, ``H_GAP`` across). Moving the whole lower part by one amount keeps
    the cards there as they were to each other, and apart from those above.

    Returns
    -------
    The new card's top-left corner, and ``{node id: (old position, new position)}``.
    """
    x, y = want
    boxes = cards(graph)
    while True:
        new = card((x, y))
        above = [b for b in boxes.values() if b[1] < y and clash(new, b, H_GAP, V_GAP)]
        if not above:
            break
        y = max(b[1] + b[3] + V_GAP for b in above)
    below = {nid: b for nid, b in boxes.items() if b[1] >= y}
    need = max(
        (y + NODE_HEIGHT + V_GAP - b[1] for b in below.values() if clash(new, b, H_GAP, V_GAP)),
        default=0.0,
    )
    moves = {nid: ((b[0], b[1]), (b[0], b[1] + need)) for nid, b in below.items()} if need else {}
    return (x, y), moves


def nudge(graph: Graph, moved: Mapping[str, Position]) -> dict[str, Position]:
    """New positions ``moved`` for some nodes, shifted as one so none overlaps another card.

    Positions that overlap nothing are kept; otherwise the group goes to the nearest spot
    where it clears the other cards by :data:`CLEARANCE`.
    """
    others = list(cards(graph, exclude=moved).values())
    group = [card(p) for p in moved.values()]
    if _free(group, others, 0.0, 0.0, 0.0):
        return dict(moved)
    dx, dy = free_offset(group, others)
    return {nid: (p[0] + dx, p[1] + dy) for nid, p in moved.items()}


#: Space between a card and an edge routed beside it.
LANE_GAP = 24.0
#: Half the width of an edge's line, with a little air.
_EDGE_PAD = 4.0


def side_lane(start: Position, end: Position, obstacles: Iterable[Box]) -> float | None:
    """The x of a lane beside the cards that an edge from ``start`` down to ``end`` would
    pass behind, or None when it passes behind none.

    ``start`` is the source's output (below its card), ``end`` the target's input (above
    its card), ``obstacles`` every other card. The lane is on the side nearer the edge,
    clear of every card between the two heights: a residual's skip is drawn beside the
    main path instead of under its cards.
    """
    top, bottom = start[1], end[1]
    if bottom - top <= 2 * _EDGE_PAD:
        return None
    between = [o for o in obstacles if o[1] < bottom and o[1] + o[3] > top]
    left, right = min(start[0], end[0]) - _EDGE_PAD, max(start[0], end[0]) + _EDGE_PAD
    blockers = [o for o in between if o[0] < right and o[0] + o[2] > left]
    if not blockers:
        return None
    lanes = (
        _clear_lane(max(o[0] + o[2] for o in blockers) + LANE_GAP, between, +1),
        _clear_lane(min(o[0] for o in blockers) - LANE_GAP, between, -1),
    )
    middle = (start[0] + end[0]) / 2
    return min(lanes, key=lambda x: (abs(x - middle), -x))


def _clear_lane(x: float, cards_between: Sequence[Box], side: int) -> float:
    """The first x from ``x`` outwards (``side`` +1: right, -1: left) beside every card."""
    moved = True
    while moved:
        moved = False
        for o in cards_between:
            if o[0] - LANE_GAP / 2 < x < o[0] + o[2] + LANE_GAP / 2:
                x = o[0] + o[2] + LANE_GAP if side > 0 else o[0] - LANE_GAP
                moved = True
    return x
