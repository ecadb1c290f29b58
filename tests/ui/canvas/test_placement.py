"""Nothing lands on top of anything, on the canvas: splice, double-click, paste, duplicate."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.editing.placement import overlapping
from tests.ui.canvas.test_canvas import drop, palette_mime, snapshot

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"


def open_demo(window):
    assert window.open_path(DEMO)
    QApplication.processEvents()
    window.fit_action.trigger()
    return window.session.graph


def cards_apart(window) -> bool:
    """No two node items' cards overlap on the canvas itself."""
    items = window.scene.node_items()
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.mapRectToScene(a.shape().boundingRect()).intersects(
                b.mapRectToScene(b.shape().boundingRect())
            ):
                return False
    return True


def test_a_layer_dropped_on_the_conv32_to_flatten_edge_makes_room(window):
    graph = open_demo(window)
    before = snapshot(window)
    edge = next(e for e in graph.edges if (e.source, e.target) == ("conv_2", "features"))
    middle = window.scene.edge_item(edge).path().pointAtPercent(0.5)
    event = drop(window, palette_mime(window, "MaxPooling2D"), middle)
    assert event.isAccepted()
    assert graph.predecessors("max_pooling2d") == ["conv_2"]
    assert graph.successors("max_pooling2d") == ["features"]
    assert overlapping(graph) == [] and cards_apart(window)
    conv, pool, flatten = (graph.node(n).position for n in ("conv_2", "max_pooling2d", "features"))
    assert conv[0] == pool[0] == flatten[0] and conv[1] < pool[1] < flatten[1]
    # The edges between them show: no card lies over them.
    for source, target in (("conv_2", "max_pooling2d"), ("max_pooling2d", "features")):
        path = window.scene.edge_item(graph.in_edges(target)[0]).path()
        assert path.length() > 40
        for item in window.scene.node_items():
            if item.node_id not in (source, target):
                assert not item.mapToScene(item.shape()).intersects(path)
    window.undo_action.trigger()
    assert snapshot(window) == before


def test_a_double_clicked_palette_layer_lands_in_free_space(window):
    graph = open_demo(window)
    window.view.centerOn(window.scene.node_item("conv_2"))
    tree = window.palette.tree
    item = window.palette.item("Conv2D")
    tree.scrollToItem(item)
    point = tree.visualItemRect(item).center()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(tree.viewport(), left, none, point)
    QTest.mouseDClick(tree.viewport(), left, none, point)
    assert "conv2d" in graph
    assert overlapping(graph) == [] and cards_apart(window)
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.node_item("conv2d").sceneBoundingRect().center())
    assert window.scene.selected_node_ids() == ["conv2d"]


def test_paste_and_duplicate_land_in_free_space(window):
    graph = open_demo(window)
    window.scene.select_nodes(["conv_2"])
    window.copy_action.trigger()
    for _ in range(3):
        window.paste_action.trigger()
    window.duplicate_action.trigger()
    assert len(graph) == 7 + 4
    assert overlapping(graph) == [] and cards_apart(window)
    window.undo_action.trigger()
    assert len(graph) == 7 + 3
