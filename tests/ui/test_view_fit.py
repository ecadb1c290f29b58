"""Fit view: the demo is legible in a screenshot-sized window; zoom limits on huge models."""

from __future__ import annotations

from pathlib import Path

from guibuilder.ui.app import SCREENSHOT_SIZE
from tests.ui.helpers import chain_graph, show

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "digits_cnn.gbproj"


def test_the_demo_fits_near_full_size_in_the_screenshot_window(window, qtbot):
    window.resize(SCREENSHOT_SIZE)
    qtbot.waitUntil(lambda: window.size() == SCREENSHOT_SIZE)
    assert window.open_path(DEMO)
    window.fit_action.trigger()
    rect = window.view.mapFromScene(window.scene.nodes_rect()).boundingRect()
    assert window.view.viewport().rect().contains(rect)
    assert window.view.transform().m11() >= 0.8


def test_zooming_out_below_the_minimum_does_not_jump_in(window):
    show(window, chain_graph())
    window.view.scale(0.01, 0.01)
    window.view.zoom(0.5)
    assert window.view.transform().m11() <= 0.01
    window.view.zoom(2.0)
    assert 0.019 < window.view.transform().m11() < 0.021
