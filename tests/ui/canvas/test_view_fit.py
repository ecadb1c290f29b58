"""Fit view: the demo is legible in a screenshot-sized window; zoom limits on huge models."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from guibuilder.graph import Graph
from guibuilder.ui.app import SCREENSHOT_SIZE
from guibuilder.ui.canvas.minimap import REFRESH_MS
from guibuilder.ui.canvas.view import READABLE_SCALE
from tests.ui.helpers import chain_graph, show

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"


def test_the_demo_fits_near_full_size_in_the_screenshot_window(window, qtbot):
    window.resize(SCREENSHOT_SIZE)
    qtbot.waitUntil(lambda: window.size() == SCREENSHOT_SIZE)
    assert window.open_path(DEMO)
    window.fit_action.trigger()
    rect = window.view.mapFromScene(window.scene.nodes_rect()).boundingRect()
    assert window.view.viewport().rect().contains(rect)
    assert window.view.transform().m11() >= 0.8


def tall_chain(length: int = 150) -> Graph:
    graph = Graph("tall")
    graph.add_node("Input", {"shape": [8]}, node_id="x", position=(0.0, 0.0))
    previous = "x"
    for i in range(length):
        node_id = f"d{i}"
        graph.add_node("Dense", {"units": 8}, node_id=node_id, position=(0.0, 120.0 * (i + 1)))
        graph.connect(previous, node_id)
        previous = node_id
    return graph


def in_view(window, node_id: str) -> bool:
    item = window.scene.node_item(node_id)
    shown = window.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return window.view.viewport().rect().contains(shown)


def test_a_model_too_tall_to_fit_is_shown_readable_from_its_inputs(window, qtbot):
    show(window, tall_chain())
    window.fit_action.trigger()
    assert window.view.transform().m11() == READABLE_SCALE
    assert in_view(window, "x") and not in_view(window, "d149")
    qtbot.waitUntil(window.view.minimap.isVisible)


def test_a_model_too_wide_to_read_whole_is_shown_from_its_first_input(window):
    graph = Graph("wide")
    for i in range(40):
        graph.add_node("Input", {"shape": [4]}, node_id=f"x{i}", position=(220.0 * i, 0.0))
    show(window, graph)
    window.fit_action.trigger()
    assert window.view.transform().m11() == READABLE_SCALE
    assert in_view(window, "x0")


def test_a_click_on_the_minimap_moves_the_view_there(window, qtbot):
    show(window, tall_chain())
    window.fit_action.trigger()
    minimap = window.view.minimap
    qtbot.waitUntil(minimap.isVisible)
    bottom = QPoint(minimap.width() // 2, minimap.height() - 10)
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, bottom)
    assert in_view(window, "d149") and not in_view(window, "x")
    qtbot.wait(2 * REFRESH_MS)
    assert minimap.isVisible()


def test_the_minimap_shows_only_while_the_model_does_not_fit(window, qtbot):
    show(window, chain_graph())
    window.fit_action.trigger()
    qtbot.wait(2 * REFRESH_MS)
    assert not window.view.minimap.isVisible()
    window.view.zoom(3.0)
    qtbot.waitUntil(window.view.minimap.isVisible)
    window.fit_action.trigger()
    qtbot.waitUntil(lambda: not window.view.minimap.isVisible())


def test_fit_view_hides_the_minimap_at_once_when_the_model_fits(window, qtbot):
    show(window, chain_graph())
    window.view.zoom(3.0)
    qtbot.waitUntil(window.view.minimap.isVisible)
    window.fit_action.trigger()  # a screenshot is taken right after: no timer may be due
    assert not window.view.minimap.isVisible()


def test_zooming_out_below_the_minimum_does_not_jump_in(window):
    show(window, chain_graph())
    window.view.scale(0.01, 0.01)
    window.view.zoom(0.5)
    assert window.view.transform().m11() <= 0.01
    window.view.zoom(2.0)
    assert 0.019 < window.view.transform().m11() < 0.021


def test_presentation_mode_shows_a_tall_model_readable_from_its_inputs(window, qtbot):
    show(window, tall_chain(40))
    window.presentation.set_active(True)
    qtbot.wait(50)
    try:
        assert window.view.transform().m11() >= READABLE_SCALE
        assert in_view(window, "x") and not in_view(window, "d39")
    finally:
        window.presentation.set_active(False)
