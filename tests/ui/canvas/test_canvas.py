"""The canvas driven the way a person drives it: drops, port drags, moves, undo."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.document import project_to_dict
from guibuilder.graph import Edge, Graph
from guibuilder.ui.canvas.palette import LAYER_MIME
from tests.ui.helpers import chain_graph, show, viewport_pos


def snapshot(window) -> dict:
    return project_to_dict(window.session.project)


def drop(window, mime: QMimeData, scene_point: QPointF) -> QDropEvent:
    """Send the view the drag-enter, drag-move and drop events of a real drag."""
    viewport = window.view.viewport()
    pos = QPointF(viewport_pos(window, scene_point))
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos.toPoint(), actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    event = QDropEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, event)
    return event


def palette_mime(window, type_id: str) -> QMimeData:
    tree = window.palette.tree
    return tree.mimeData([window.palette.item(type_id)])


def test_palette_mime_carries_the_type_id(window):
    mime = palette_mime(window, "Conv2D")
    assert mime.hasFormat(LAYER_MIME)
    assert bytes(mime.data(LAYER_MIME).data()) == b"Conv2D"


def test_palette_search_filters_entries(window):
    window.palette.search.setText("pool")
    conv = window.palette.item("Conv2D")
    pool = window.palette.item("MaxPooling2D")
    assert conv.isHidden() and not pool.isHidden()
    window.palette.search.clear()
    assert not conv.isHidden()


def test_drop_from_palette_adds_a_node_and_undo_removes_it(window):
    show(window, Graph())
    event = drop(window, palette_mime(window, "Dense"), QPointF(300, 200))
    assert event.isAccepted()
    graph = window.session.graph
    assert list(graph.nodes) == ["dense"]
    node = graph.node("dense")
    assert abs(node.position[0] + 90 - 300) <= 1 and abs(node.position[1] + 32 - 200) <= 1
    assert window.scene.node_item("dense").isSelected()
    window.undo_action.trigger()
    assert not graph.nodes and window.scene.node_item("dense") is None
    window.redo_action.trigger()
    assert window.scene.node_item("dense") is not None


def test_double_click_entry_adds_at_view_centre(window):
    show(window, Graph())
    window.palette.layer_activated.emit("Input")
    node = window.session.graph.node("input")
    center = window.view.center_point()
    assert abs(node.position[0] + 90 - center.x()) <= 1


def test_drop_onto_an_edge_splices_the_layer_in(window):
    show(window, chain_graph())
    graph = window.session.graph
    edge_item = window.scene.edge_item(graph.in_edges("out")[0])
    middle = edge_item.path().pointAtPercent(0.5)
    drop(window, palette_mime(window, "Dropout"), middle)
    assert graph.predecessors("dropout") == ["hidden"]
    assert graph.predecessors("out") == ["dropout"]
    window.undo_action.trigger()
    assert graph.predecessors("out") == ["hidden"] and "dropout" not in graph


def test_connect_two_ports_with_the_mouse(window, qtbot):
    graph = chain_graph()
    graph.disconnect(graph.in_edges("hidden")[0])
    show(window, graph)
    before = snapshot(window)
    scene = window.scene
    start = viewport_pos(window, scene.node_item("x").outputs[0].anchor())
    end = viewport_pos(window, scene.node_item("hidden").inputs[0].anchor())
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert scene.node_item("hidden").inputs[0].highlight
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert graph.predecessors("hidden") == ["x"]
    assert scene.edge_item(graph.in_edges("hidden")[0]) is not None
    assert not scene.node_item("hidden").inputs[0].highlight
    window.undo_action.trigger()
    assert snapshot(window) == before


def test_a_connection_that_would_loop_is_refused(window):
    graph = Graph()
    graph.add_node("Input", {"shape": [4]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Concatenate", node_id="cat", position=(0.0, 150.0))
    graph.add_node("Dense", node_id="d", position=(300.0, 300.0))
    graph.connect("x", "cat")
    graph.connect("cat", "d")
    show(window, graph)
    before = snapshot(window)
    scene = window.scene
    free_slot = scene.node_item("cat").inputs[-1]
    start = viewport_pos(window, scene.node_item("d").outputs[0].anchor())
    end = viewport_pos(window, free_slot.anchor())
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert not free_slot.highlight
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert snapshot(window) == before
    assert "loop" in window.statusBar().currentMessage()


def test_variadic_port_shows_a_free_slot(window):
    graph = Graph()
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Add", node_id="add", position=(0.0, 150.0))
    graph.connect("x", "add")
    graph.connect("x", "add")
    show(window, graph)
    slots = [(p.port, p.slot) for p in window.scene.node_item("add").inputs]
    assert slots == [("inputs", 0), ("inputs", 1), ("inputs", 2)]


def test_named_ports_are_labelled(window):
    graph = Graph()
    graph.add_node("MultiHeadAttention", node_id="mha")
    show(window, graph)
    labels = [p.label for p in window.scene.node_item("mha").inputs]
    assert labels[:2] == ["query", "value"] and len(labels) == 3


def test_dragging_a_node_is_one_undo_step(window):
    show(window, chain_graph())
    item = window.scene.node_item("out")
    viewport = window.view.viewport()
    start = viewport_pos(window, item.mapToScene(QPointF(60, 20)))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(viewport, start + QPointF(10 * step, 6 * step).toPoint())
    end = start + QPointF(50, 30).toPoint()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    stack = window.session.undo_stack
    assert stack.count() == 1
    assert window.session.graph.node("out").position == (50.0, 330.0)
    edge = window.scene.edge_item(window.session.graph.in_edges("out")[0])
    assert edge.path().pointAtPercent(1.0) == item.inputs[0].anchor()
    stack.undo()
    assert window.session.graph.node("out").position == (0.0, 300.0)
    assert item.pos() == QPointF(0, 300)


def test_delete_then_undo_and_redo_restore_the_exact_graph(window):
    graph = Graph()
    graph.add_node("Input", {"shape": [4]}, node_id="a")
    graph.add_node("Input", {"shape": [4]}, node_id="b", position=(220.0, 0.0))
    graph.add_node("Add", node_id="add", position=(100.0, 150.0))
    graph.add_node("Dense", node_id="head", position=(100.0, 300.0))
    graph.connect("a", "add")
    graph.connect("b", "add")
    graph.connect("add", "head")
    graph.set_outputs([("head", 0)])
    show(window, graph)
    before = snapshot(window)
    window.scene.select_nodes(["a", "head"])
    window.delete_action.trigger()
    after = snapshot(window)
    assert list(window.session.graph.nodes) == ["b", "add"]
    window.undo_action.trigger()
    assert snapshot(window) == before
    assert len(window.scene.node_items()) == 4
    window.redo_action.trigger()
    assert snapshot(window) == after
    window.undo_action.trigger()
    assert snapshot(window) == before


def test_delete_a_selected_edge(window):
    show(window, chain_graph())
    graph = window.session.graph
    edge = graph.in_edges("out")[0]
    window.scene.edge_item(edge).setSelected(True)
    window.delete_action.trigger()
    assert edge not in graph.edges and window.scene.edge_item(edge) is None
    window.undo_action.trigger()
    assert edge in graph.edges


def test_copy_paste_and_duplicate_keep_inner_edges(window):
    show(window, chain_graph())
    graph = window.session.graph
    window.scene.select_nodes(["hidden", "out"])
    window.copy_action.trigger()
    window.paste_action.trigger()
    assert set(graph.nodes) == {"x", "hidden", "out", "dense", "dense_1"}
    assert graph.predecessors("dense_1") == ["dense"] and graph.predecessors("dense") == []
    assert graph.node("dense").position == (40.0, 190.0)
    assert window.scene.selected_node_ids() == ["dense", "dense_1"]
    window.duplicate_action.trigger()
    assert len(graph) == 7
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert set(graph.nodes) == {"x", "hidden", "out"}


def test_error_badge_appears_and_goes_after_the_fix(window, qtbot):
    graph = chain_graph()
    graph.disconnect(graph.in_edges("hidden")[0])
    show(window, graph)
    item = window.scene.node_item("hidden")
    assert item.error and "needs an input" in item.error
    assert "needs an input" in item.toolTip()
    window.scene.select_nodes(["hidden"])
    assert window.inspector.error_box.isVisibleTo(window.inspector)
    assert "Does not build" in window.build_label.text()
    window.session.add_edge(Edge("x", "hidden"))
    qtbot.waitUntil(lambda: item.error is None)
    assert not window.inspector.error_box.isVisibleTo(window.inspector)
    assert "Builds" in window.build_label.text()


def test_zoom_with_the_wheel_and_fit_view(window):
    show(window, chain_graph())
    before = window.view.transform().m11()
    window.view.zoom(1.5)
    assert window.view.transform().m11() > before
    window.fit_action.trigger()
    rect = window.view.mapFromScene(window.scene.nodes_rect()).boundingRect()
    assert window.view.viewport().rect().contains(rect)


def test_auto_layout_is_one_undo_step(window):
    graph = chain_graph()
    for node_id in graph.nodes:
        graph.move(node_id, (0.0, 0.0))
    show(window, graph)
    window.layout_action.trigger()
    ys = [graph.node(n).position[1] for n in ("x", "hidden", "out")]
    assert ys == sorted(ys) and len(set(ys)) == 3
    window.undo_action.trigger()
    assert all(graph.node(n).position == (0.0, 0.0) for n in graph.nodes)
