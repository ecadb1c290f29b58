"""The layered drawing: no overlapping boxes, edges pointing down, fast on long graphs."""

from __future__ import annotations

import time

from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH, apply_layout, auto_layout
from guibuilder.graph import Graph


def _generic(graph: Graph, node_id: str, *sources: str) -> None:
    graph.add_node("KerasLayer", node_id=node_id)
    for source in sources:
        graph.connect(source, node_id)


def _dense_net(blocks: int, per_block: int) -> Graph:
    """A DenseNet-like graph: chains whose outputs are concatenated with their input."""
    graph = Graph()
    graph.add_node("Input", {"shape": [8]}, node_id="x")
    current = "x"
    for b in range(blocks):
        previous = current
        for i in range(per_block):
            _generic(graph, f"b{b}_{i}", previous)
            previous = f"b{b}_{i}"
        _generic(graph, f"cat{b}", current, previous)
        current = f"cat{b}"
    return graph


def _branchy() -> Graph:
    """Inception-like: several parallel branches of different lengths, then a merge."""
    graph = Graph()
    graph.add_node("Input", {"shape": [8]}, node_id="x")
    graph.add_node("Input", {"shape": [2]}, node_id="side")
    ends = []
    for branch, length in enumerate([1, 3, 2, 4]):
        previous = "x"
        for i in range(length):
            _generic(graph, f"br{branch}_{i}", previous)
            previous = f"br{branch}_{i}"
        ends.append(previous)
    _generic(graph, "merge", *ends)
    _generic(graph, "late", "merge", "side")
    return graph


def _overlaps(positions: dict[str, tuple[float, float]]) -> list[tuple[str, str]]:
    items = sorted(positions.items(), key=lambda item: (item[1][1], item[1][0]))
    found = []
    for i, (a, (ax, ay)) in enumerate(items):
        for b, (bx, by) in items[i + 1 :]:
            if by >= ay + NODE_HEIGHT:
                break
            if abs(ax - bx) < NODE_WIDTH:
                found.append((a, b))
    return found


def test_no_overlaps_and_edges_point_down():
    for graph in (_dense_net(4, 5), _branchy()):
        positions = auto_layout(graph)
        assert set(positions) == set(graph.nodes)
        assert not _overlaps(positions)
        for edge in graph.edges:
            assert positions[edge.target][1] > positions[edge.source][1]


def test_side_input_sits_next_to_its_consumer():
    positions = auto_layout(_branchy())
    late_y = positions["late"][1]
    assert positions["side"][1] == late_y - (positions["late"][1] - positions["merge"][1])


def test_straight_chain_is_one_column():
    graph = Graph()
    graph.add_node("Input", {"shape": [3]}, node_id="x")
    previous = "x"
    for i in range(5):
        _generic(graph, f"n{i}", previous)
        previous = f"n{i}"
    xs = {x for x, _ in auto_layout(graph).values()}
    assert xs == {0.0}


def test_parallel_branches_do_not_cross():
    graph = _branchy()
    positions = auto_layout(graph)
    order = sorted(range(4), key=lambda b: positions[f"br{b}_0"][0])
    for i in range(1, 4):
        depth = [b for b in order if f"br{b}_{i}" in positions]
        xs = [positions[f"br{b}_{i}"][0] for b in depth]
        assert xs == sorted(xs)


def test_long_graph_is_fast_and_deterministic():
    graph = _dense_net(58, 6)
    assert len(graph) > 400
    start = time.perf_counter()
    first = auto_layout(graph)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert auto_layout(graph) == first
    assert not _overlaps(first)


def test_apply_layout_moves_the_nodes():
    graph = _branchy()
    moved = []
    graph.events.node_moved.connect(lambda node_id, _pos: moved.append(node_id))
    apply_layout(graph)
    assert set(moved) == set(graph.nodes)
    assert graph.node("x").position == auto_layout(graph)["x"]


def test_empty_graph():
    assert auto_layout(Graph()) == {}
