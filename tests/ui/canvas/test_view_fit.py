"""Fit view: the demo is legible in a screenshot-sized window; zoom limits on huge models."""

from __future__ import annotations

from pathlib import Path

from guibuilder.graph import Graph
from guibuilder.ui.app import SCREENSHOT_SIZE
from guibuilder.ui.canvas.view import MIN_SCALE
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


def test_a_model_too_tall_to_fit_is_shown_from_its_inputs(window):
    graph = Graph("tall")
    graph.add_node("Input", {"shape": [8]}, node_id="x", position=(0.0, 0.0))
    previous = "x"
    for i in range(150):
        node_id = f"d{i}"
        graph.add_node("Dense", {"units": 8}, node_id=node_id, position=(0.0, 120.0 * (i + 1)))
        graph.connect(previous, node_id)
        previous = node_id
    show(window, graph)
    window.fit_action.trigger()
    assert window.view.transform().m11() == MIN_SCALE
    viewport = window.view.viewport().rect()
    top = window.view.mapFromScene(window.scene.node_item("x").sceneBoundingRect())
    assert viewport.contains(top.boundingRect())
    assert not viewport.contains(window.view.mapFromScene(0.0, 120.0 * 150))


def test_zooming_out_below_the_minimum_does_not_jump_in(window):
    show(window, chain_graph())
    window.view.scale(0.01, 0.01)
    window.view.zoom(0.5)
    assert window.view.transform().m11() <= 0.01
    window.view.zoom(2.0)
    assert 0.019 < window.view.transform().m11() < 0.021
