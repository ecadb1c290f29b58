"""Quick fixes: offered only when they work, each one edit (so one undo step)."""

from __future__ import annotations

from guibuilder.editing.quickfix import quick_fixes
from guibuilder.graph import Graph


def titles(graph: Graph, node_id: str) -> list[str]:
    return [fix.title for fix in quick_fixes(graph, node_id)]


def test_a_model_without_input_gets_one():
    graph = Graph()
    graph.add_node("Dense", node_id="d")
    assert titles(graph, "d") == ["Add an Input above it"]
    quick_fixes(graph, "d")[0].build(graph).do()
    assert graph.predecessors("d") == ["input"]


def test_padding_same_when_the_window_does_not_fit():
    graph = Graph()
    graph.add_node("Input", {"shape": [2, 2, 1]}, node_id="x")
    graph.add_node("Conv2D", {"kernel_size": [3, 3], "padding": "valid"}, node_id="c")
    graph.connect("x", "c")
    assert "Use padding='same'" in titles(graph, "c")


def test_a_residual_add_with_mismatched_channels_gets_a_projection():
    graph = Graph()
    graph.add_node("Input", {"shape": [8, 8, 3]}, node_id="x")
    graph.add_node("Conv2D", {"filters": 16, "padding": "same"}, node_id="c")
    graph.add_node("Add", node_id="add")
    graph.connect("x", "c")
    graph.connect("c", "add")
    graph.connect("x", "add")
    fixes = quick_fixes(graph, "add")
    assert [f.title for f in fixes] == ["Project x to 16 channels with a 1x1 Conv2D"]
    fixes[0].build(graph).do()
    assert graph.node("conv2d").params["filters"] == 16


def test_flatten_before_a_layer_that_needs_a_flat_input():
    graph = Graph()
    graph.add_node("Input", {"shape": [4, 4, 2]}, node_id="x")
    graph.add_node("RepeatVector", {"n": 3}, node_id="r")
    graph.connect("x", "r")
    assert "Insert Flatten before it" in titles(graph, "r")


def test_connect_offers_the_nearest_free_output_above_else_the_last_added_layer():
    graph = Graph()
    graph.add_node("Input", {"shape": [4]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Dense", {"units": 8}, node_id="a", position=(0.0, 150.0))
    graph.add_node("Dense", {"units": 8}, node_id="b", position=(0.0, 300.0))
    graph.connect("x", "a")
    graph.connect("a", "b")
    # A new layer beside the chain, higher than its free end: the end is offered, not an
    # older layer that happens to be closer and above.
    graph.add_node("Dense", {"units": 2}, node_id="new", position=(300.0, 160.0))
    assert titles(graph, "new") == ["Connect b to it"]
    # A free output above the new layer is the nearest sensible source.
    graph.add_node("Dense", {"units": 3}, node_id="side", position=(300.0, 0.0))
    graph.connect("x", "side")
    assert titles(graph, "new") == ["Connect side to it"]
    # Below it: the last added free layer (not the older free end b).
    graph.move("side", (300.0, 400.0))
    assert titles(graph, "new") == ["Connect side to it"]
