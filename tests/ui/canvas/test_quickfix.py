"""Quick fixes in the window: offered in the inspector, applied in one click, undone in one step."""

from __future__ import annotations

from tests.ui.helpers import chain_graph, show


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
