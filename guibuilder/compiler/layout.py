"""A layered (Sugiyama-style) top-to-bottom drawing of the graph.

1. Layers: longest path from the inputs, so parallel branches start side by side; then
   each input is pulled down next to its nearest consumer, so that a side input sits
   beside the layer it feeds.
2. Edges that skip layers get a chain of invisible points, one per layer they cross.
3. The order within each layer comes from barycentre sweeps down and up; the order with
   the fewest crossings is kept.
4. Horizontal positions: each node moves towards the mean of its neighbours, as close as
   the order and the minimum gaps allow (an exact least-squares fit per layer).

A node's position is the top-left corner of its box, ``NODE_WIDTH`` x ``NODE_HEIGHT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from guibuilder.graph import Graph

NODE_WIDTH = 180.0
NODE_HEIGHT = 64.0
#: Space between two boxes side by side, and between two layers.
H_GAP = 40.0
V_GAP = 56.0
#: Room a long edge takes where it passes a layer.
EDGE_WIDTH = 12.0
EDGE_GAP = 24.0

_ORDER_SWEEPS = 8
#: Odd, so the last sweep runs downward and a branch stays in the column it starts in.
_POSITION_SWEEPS = 7


def auto_layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """Top-left positions of every node for a layered top-to-bottom drawing."""
    order = graph.topological_order()
    if not order:
        return {}
    index = {node_id: i for i, node_id in enumerate(order)}
    pairs = sorted({(index[e.source], index[e.target]) for e in graph.edges})
    ranks = _ranks(len(order), pairs)
    up, down, rank_of = _with_edge_points(ranks, pairs)
    layers = _order_layers(rank_of, up, down)
    xs = _positions(layers, up, down, real=len(order))
    left = min(xs[v] for v in range(len(order))) - NODE_WIDTH / 2
    return {
        node_id: (xs[i] - NODE_WIDTH / 2 - left, ranks[i] * (NODE_HEIGHT + V_GAP))
        for i, node_id in enumerate(order)
    }


def apply_layout(graph: Graph) -> None:
    """Move every node to its place in :func:`auto_layout`."""
    for node_id, position in auto_layout(graph).items():
        graph.move(node_id, position)


def _ranks(n: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Longest-path layers (vertices are in topological order), then each source moved
    down to just above its nearest successor."""
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for u, v in pairs:
        preds[v].append(u)
        succs[u].append(v)
    ranks = [0] * n
    for v in range(n):
        if preds[v]:
            ranks[v] = max(ranks[u] for u in preds[v]) + 1
    for v in range(n):
        if succs[v] and not preds[v]:
            ranks[v] = min(ranks[s] for s in succs[v]) - 1
    return ranks


def _with_edge_points(
    ranks: list[int], pairs: Sequence[tuple[int, int]]
) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Neighbour lists between adjacent layers, with points added on long edges."""
    rank_of = list(ranks)
    up: list[list[int]] = [[] for _ in ranks]
    down: list[list[int]] = [[] for _ in ranks]
    for u, v in pairs:
        previous = u
        for r in range(ranks[u] + 1, ranks[v]):
            point = len(rank_of)
            rank_of.append(r)
            up.append([previous])
            down.append([])
            down[previous].append(point)
            previous = point
        up[v].append(previous)
        down[previous].append(v)
    return up, down, rank_of


def _order_layers(
    rank_of: list[int], up: list[list[int]], down: list[list[int]]
) -> list[list[int]]:
    """Vertices per layer, ordered to keep crossings few."""
    layers: list[list[int]] = [[] for _ in range(max(rank_of) + 1)]
    for v, r in enumerate(rank_of):
        layers[r].append(v)
    pos = [0.0] * len(rank_of)
    for layer in layers:
        _renumber(layer, pos)
    best = [list(layer) for layer in layers]
    best_crossings = _crossings(layers, down, pos)
    for sweep in range(_ORDER_SWEEPS):
        downward = sweep % 2 == 0
        sequence = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for r in sequence:
            neighbours = up if downward else down
            layer = layers[r]
            keys = {v: _barycentre(neighbours[v], pos, pos[v]) for v in layer}
            layer.sort(key=lambda v: keys[v])
            _renumber(layer, pos)
        crossings = _crossings(layers, down, pos)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
        if best_crossings == 0:
            break
    return best


def _renumber(layer: list[int], pos: list[float]) -> None:
    for i, v in enumerate(layer):
        pos[v] = float(i)


def _barycentre(neighbours: list[int], pos: list[float], own: float) -> float:
    if not neighbours:
        return own
    return sum(pos[u] for u in neighbours) / len(neighbours)


def _crossings(layers: list[list[int]], down: list[list[int]], pos: list[float]) -> int:
    """Edge crossings between adjacent layers, counted as inversions."""
    total = 0
    for layer in layers[:-1]:
        targets = [
            pos[w]
            for v in sorted(layer, key=lambda v: pos[v])
            for w in sorted(down[v], key=lambda w: pos[w])
        ]
        total += _inversions(targets)
    return total


def _inversions(values: list[float]) -> int:
    """Pairs out of order, by merge sort."""
    if len(values) < 2:
        return 0
    middle = len(values) // 2
    left, right = values[:middle], values[middle:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    j = 0
    for value in left:
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count


def _positions(
    layers: list[list[int]], up: list[list[int]], down: list[list[int]], real: int
) -> list[float]:
    """Centre x of every vertex: near its neighbours, in order, never overlapping."""
    count = sum(len(layer) for layer in layers)
    width = [NODE_WIDTH if v < real else EDGE_WIDTH for v in range(count)]
    xs = [0.0] * count
    gaps: list[list[float]] = []
    for layer in layers:
        layer_gaps = [
            (width[a] + width[b]) / 2 + (H_GAP if a < real and b < real else EDGE_GAP)
            for a, b in pairwise(layer)
        ]
        gaps.append(layer_gaps)
        x = -sum(layer_gaps) / 2
        for v, gap in zip(layer, [*layer_gaps, 0.0], strict=True):
            xs[v] = x
            x += gap
    for sweep in range(_POSITION_SWEEPS):
        downward = sweep % 2 == 0
        sequence = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for r in sequence:
            neighbours = up if downward else down
            layer = layers[r]
            wanted = [
                _barycentre_x(neighbours[v], down[v] if downward else up[v], xs, xs[v])
                for v in layer
            ]
            for v, x in zip(layer, _fit_in_order(wanted, gaps[r]), strict=True):
                xs[v] = x
    return xs


def _barycentre_x(main: list[int], other: list[int], xs: list[float], own: float) -> float:
    """Where a vertex wants to be: over its neighbours on the sweep side, else the other."""
    if main:
        return sum(xs[u] for u in main) / len(main)
    if other:
        return sum(xs[u] for u in other) / len(other)
    return own


def _fit_in_order(wanted: list[float], gaps: list[float]) -> list[float]:
    """Positions closest to ``wanted`` (least squares) that keep the order and the gaps.

    With offsets o_i (the running sum of the gaps) the problem becomes an isotonic
    regression of ``wanted - o``, solved by pooling adjacent violators.
    """
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [sum, count]
    for target, offset in zip(wanted, offsets, strict=True):
        blocks.append([target - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    result: list[float] = []
    for total, count in blocks:
        result.extend([total / count] * int(count))
    return [y + offset for y, offset in zip(result, offsets, strict=True)]
