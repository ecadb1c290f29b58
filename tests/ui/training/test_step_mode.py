"""Step mode in the training panel: each click on Step trains one batch and pauses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from guibuilder.ui.mainwindow import MainWindow

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
STEP_TIMEOUT_MS = 90_000


@pytest.fixture
def demo(window: MainWindow, tmp_path) -> MainWindow:
    """The demo project (the conftest checks that no training thread outlives a test)."""
    window.load(DEMO)
    window.training_panel.run_root_override = tmp_path / "runs"
    window.show_training()
    return window


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def batch_points(window: MainWindow) -> int:
    return len(window.training_panel.plots.batch_plot.data("batch")[0])


def stop(qtbot, window: MainWindow) -> None:
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_ended, timeout=STEP_TIMEOUT_MS) as ended:
        click(panel.stop_button)
    assert ended.args == ["stopped"]


def test_two_clicks_on_step_give_two_batch_points_and_a_paused_run(qtbot, demo):
    panel = demo.training_panel
    assert panel.step_button.isEnabled() and panel.state == "idle"
    click(panel.step_button)
    qtbot.waitUntil(lambda: batch_points(demo) == 1, timeout=STEP_TIMEOUT_MS)
    assert panel.state == "paused"
    assert panel.pause_button.text() == "Resume"
    click(panel.step_button)
    qtbot.waitUntil(lambda: batch_points(demo) == 2, timeout=STEP_TIMEOUT_MS)
    qtbot.waitUntil(lambda: "step 2/" in panel.progress.format(), timeout=10_000)
    QTest.qWait(400)
    assert batch_points(demo) == 2, "a step must train exactly one batch"
    assert panel.training.steps_done == 2
    assert panel.state == "paused"
    x, loss = panel.plots.batch_plot.data("batch")
    steps = panel.live.steps
    assert list(x) == pytest.approx([1 / steps, 2 / steps])
    assert all(value > 0 for value in loss)
    assert panel.progress.value() == 2
    assert panel.eta_label.text() == "", "a paused run shows no ETA"
    stop(qtbot, demo)
    assert panel.step_button.isEnabled() and panel.start_button.isEnabled()


def test_step_pauses_a_running_run_and_resume_lets_it_go_on(qtbot, demo):
    panel = demo.training_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: batch_points(demo) > 0, timeout=STEP_TIMEOUT_MS)
    click(panel.step_button)
    assert panel.state == "paused"
    qtbot.waitUntil(lambda: panel.progress.format().startswith("Paused"), timeout=10_000)
    held = panel.training.steps_done
    QTest.qWait(400)
    assert panel.training.steps_done == held
    click(panel.pause_button)
    assert panel.state == "running"
    qtbot.waitUntil(lambda: panel.training.steps_done > held + 2, timeout=STEP_TIMEOUT_MS)
    stop(qtbot, demo)


def test_the_step_action_is_in_the_train_menu_with_its_shortcut(demo):
    panel = demo.training_panel
    assert panel.step_action in panel.run_actions()
    assert panel.step_action.shortcut().toString() == "F10"
    train_menu = next(a.menu() for a in demo.menuBar().actions() if a.text() == "&Train")
    assert panel.step_action in train_menu.actions()
