"""Step mode refreshes the Inspect dock: each step shows the clicked node's new activations."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

from guibuilder.inspect import feature_grid
from guibuilder.ui.mainwindow import MainWindow
from tests.ui.helpers import click_node

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 90_000


@pytest.fixture
def demo(window: MainWindow, qtbot, tmp_path) -> MainWindow:
    """The demo project open with the Inspect dock in front, its dataset loaded."""
    window.load(DEMO)
    window.training_panel.run_root_override = tmp_path / "runs"
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    qtbot.waitUntil(lambda: window.inspect_panel.dataset is not None, timeout=SLOW)
    return window


def shown_image(window: MainWindow) -> np.ndarray:
    return np.array(window.inspect_panel.activation_view.image.image, copy=True)


def test_each_step_shows_the_clicked_nodes_activations_after_that_step(demo, qtbot):
    panel, training = demo.inspect_panel, demo.training_panel
    click_node(demo, "conv_1")
    qtbot.waitUntil(lambda: panel.last_activation is not None, timeout=SLOW)
    toolbar = demo.findChild(QToolBar, "MainToolbar")
    step_button = toolbar.widgetForAction(training.step_action)
    assert step_button.isVisible() and panel.is_shown()

    images = []
    for step in (1, 2, 3):
        QTest.mouseClick(step_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda s=step: panel.shown_step == s, timeout=SLOW)
        assert training.state == "paused" and panel.shown_epoch == 1
        assert panel.epoch_label.text() == f"epoch 1, step {step} · live"
        assert f"recorded epoch 1, step {step}" in panel.status_label.text()
        images.append(shown_image(demo))
        # What is drawn is the recorded activation after this step.
        kept = panel.live.snapshots[-1]
        assert (kept.epoch, kept.step) == (1, step)
        maps = kept.activations["conv_1"].astype("float32")
        columns = panel.activation_view.columns
        drawn = feature_grid(maps, normalise=False, cols=columns)
        np.testing.assert_allclose(images[-1], drawn.T, equal_nan=True)
        # The steps do not pile up: before training, then the latest step.
        assert [(s.epoch, s.step) for s in panel.live.snapshots] == [(0, 0), (1, step)]
        assert panel.epoch_slider.maximum() == 1 and panel.epoch_slider.value() == 1
    for before, after in itertools.pairwise(images):
        assert not np.allclose(before, after, equal_nan=True), "a step changed nothing shown"
    assert training.training.steps_done == 3

    with qtbot.waitSignal(training.run_ended, timeout=SLOW) as ended:
        QTest.mouseClick(toolbar.widgetForAction(training.stop_action), Qt.MouseButton.LeftButton)
    assert ended.args == ["stopped"]
    # The stop cut epoch 1 short: the last snapshot says how far it went, not "epoch 1".
    kept = panel.live.snapshots[-1]
    assert kept.epoch == 1 and kept.step >= 3
    assert panel.epoch_label.text() == f"epoch 1, step {kept.step}"
