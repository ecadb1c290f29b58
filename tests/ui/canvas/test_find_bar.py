"""Find a layer (Ctrl+F) on a model far too tall to see whole, with real keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.graph import Graph
from guibuilder.ui.canvas.find_bar import matches
from guibuilder.ui.canvas.view import READABLE_SCALE
from tests.ui.helpers import show

CTRL, SHIFT, NONE = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.NoModifier,
)


def resnet_names() -> Graph:
    """A 145-node chain named the way Keras names ResNet50's layers."""
    graph = Graph("names")
    graph.add_node("Input", {"shape": [8]}, node_id="input_1", position=(0.0, 0.0))
    previous, y = "input_1", 0.0
    for stage, blocks in ((2, 3), (3, 4), (4, 6), (5, 3)):
        for block in range(1, blocks + 1):
            for step in (1, 2, 3):
                for kind, type_id in (("conv", "Dense"), ("relu", "ReLU")):
                    y += 120.0
                    node_id = f"conv{stage}_block{block}_{step}_{kind}"
                    graph.add_node(type_id, node_id=node_id, position=(0.0, y))
                    graph.connect(previous, node_id)
                    previous = node_id
    return graph


def centred(window, node_id: str) -> bool:
    item = window.scene.node_item(node_id)
    shown = window.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    middle = window.view.viewport().rect().center()
    return window.view.viewport().rect().contains(shown) and shown.contains(middle)


def test_matches_are_by_name_id_and_type_and_every_word_counts():
    graph = resnet_names()
    graph.rename("conv2_block1_1_conv", "First conv")
    assert matches(graph, "conv4_block3")[:2] == ["conv4_block3_1_conv", "conv4_block3_1_relu"]
    assert len(matches(graph, "conv4_block3")) == 6
    assert matches(graph, "first") == ["conv2_block1_1_conv"]
    assert len(matches(graph, "relu block1")) == 4 * 3
    assert matches(graph, "  ") == [] and matches(graph, "nothing") == []


def test_ctrl_f_finds_a_layer_and_enter_and_f3_go_to_the_next(window, qtbot):
    show(window, resnet_names())
    window.fit_action.trigger()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.view.find_bar
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F, CTRL)
    assert bar.isVisible() and bar.edit.hasFocus()
    QTest.keyClicks(bar.edit, "conv4_block3")
    found = [f"conv4_block3_{s}_{k}" for s in (1, 2, 3) for k in ("conv", "relu")]
    assert bar.found == found and bar.list.count() == 6
    assert bar.count.text() == "1 of 6"
    assert window.scene.selected_node_ids() == [found[0]] and centred(window, found[0])
    assert window.view.transform().m11() >= READABLE_SCALE
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    assert window.scene.selected_node_ids() == [found[1]] and centred(window, found[1])
    QTest.keyClick(bar.edit, Qt.Key.Key_F3)
    assert window.scene.selected_node_ids() == [found[2]] and bar.count.text() == "3 of 6"
    QTest.keyClick(bar.edit, Qt.Key.Key_F3, SHIFT)
    assert window.scene.selected_node_ids() == [found[1]]
    for _ in range(5):
        QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    assert window.scene.selected_node_ids() == [found[0]]  # round again
    rect = bar.list.visualItemRect(bar.list.item(4))
    QTest.mouseClick(bar.list.viewport(), Qt.MouseButton.LeftButton, NONE, rect.center())
    assert window.scene.selected_node_ids() == [found[4]] and centred(window, found[4])
    QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F3)  # F3 alone opens it again
    assert bar.isVisible() and bar.edit.text() == "conv4_block3"


def test_a_search_without_a_match_says_so(window):
    show(window, resnet_names())
    bar = window.view.find_bar
    window.view.find_bar.find_action.trigger()
    QTest.keyClicks(bar.edit, "lstm")
    assert bar.found == [] and bar.count.text() == "no match" and not bar.list.isVisible()
