"""Quick fixes: offered only when they work, applied in one click, undone in one step."""

from __future__ import annotations

from guibuilder.graph import Graph
from guibuilder.ui.quickfix import quick_fixes
from tests.ui.helpers import chain_graph, show


def titles(graph: Graph, node_id: str) -> list[str]:
    return [fix.title for fix in quick_fixes(graph, node_id)]


def test_a_disconnected_layer_is_connected_in_one_click(window, qtbot):
    graph = chain_graph()
    graph.disconnect(graph.in_edges("hidden")[0])
    show(window, graph)
    window.scene.select_nodes(["hidden"])
    buttons = window.inspector.fix_buttons
    assert [b.text() for b in buttons] == ["Fix: Connect x to it"]
    buttons[0].click()
    assert graph.predecessors("hidden") == ["x"]
    qtbot.waitUntil(lambda: window.scene.node_item("hidden").error is None)
    assert not window.inspector.error_box.isVisibleTo(window.inspector)
    window.undo_action.trigger()
    assert graph.predecessors("hidden") == []


def test_a_model_without_input_gets_one():
    graph = Graph()
    graph.add_node("Dense", node_id="d")
    assert titles(graph, "d") == ["Add an Input above it"]
    quick_fixes(graph, "d")[0].build(graph).redo()
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
    fixes[0].build(graph).redo()
    assert graph.node("conv2d").params["filters"] == 16


def test_flatten_before_a_layer_that_needs_a_flat_input():
    graph = Graph()
    graph.add_node("Input", {"shape": [4, 4, 2]}, node_id="x")
    graph.add_node("RepeatVector", {"n": 3}, node_id="r")
    graph.connect("x", "r")
    assert "Insert Flatten before it" in titles(graph, "r")
