"""Live activations during training in the Inspect dock, and the epoch slider."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.inspect import feature_grid
from guibuilder.inspect.snapshots import SnapshotHistory
from guibuilder.training.events import ActivationsEvent
from tests.ui.helpers import click_node

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 90_000


@pytest.fixture
def demo(window, qtbot, tmp_path):
    """The demo project (a small CNN on digits) open, set to train 2 quick epochs, with the
    Inspect dock in front and its dataset loaded."""
    path = tmp_path / DEMO.name
    shutil.copy(DEMO, path)
    window.load(path)
    training = window.training_panel
    training.run_root_override = tmp_path / "runs"
    training._commit("epochs", 2)
    training._commit("batch_size", 64)
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    qtbot.waitUntil(lambda: window.inspect_panel.dataset is not None, timeout=SLOW)
    yield window
    window.session.undo_stack.setClean()


def shown_image(panel) -> np.ndarray:
    return np.array(panel.activation_view.image.image, copy=True)


def train(qtbot, window) -> list[tuple[int, int | None, np.ndarray | None]]:
    """Click Start, bring the Inspect dock to the front, and wait for the run to end.

    Returns, for each activations event, its epoch, the epoch the view showed right after
    it arrived and a copy of the image drawn then.
    """
    training, panel = window.training_panel, window.inspect_panel
    seen: list[tuple[int, int | None, np.ndarray | None]] = []

    def record(event: ActivationsEvent) -> None:
        image = shown_image(panel) if panel.activation_view is not None else None
        seen.append((event.epoch, panel.shown_epoch, image))

    training.activations.connect(record)
    window.show_training()
    with qtbot.waitSignal(training.run_ended, timeout=SLOW) as ended:
        QTest.mouseClick(training.start_button, Qt.MouseButton.LeftButton)
        window.inspect_dock.raise_()
    training.activations.disconnect(record)
    assert ended.args == ["finished"], training.status_label.text()
    return seen


def test_training_refreshes_the_clicked_node_and_the_slider_scrubs_back(demo, qtbot):
    panel = demo.inspect_panel
    panel.sample_box.setValue(5)
    click_node(demo, "conv_1")
    qtbot.waitUntil(lambda: panel.last_activation is not None, timeout=SLOW)
    assert not panel.epoch_slider.isEnabled()
    assert panel.epoch_label.text() == "train to record every epoch"

    seen = train(qtbot, demo)

    # The view followed the run: each epoch's snapshot was drawn as it arrived.
    assert [epoch for epoch, _, _ in seen] == [0, 1, 2]
    assert [shown for _, shown, _ in seen] == [0, 1, 2]
    assert not np.allclose(seen[0][2], seen[2][2], equal_nan=True)
    assert panel.live_sample == 5 and panel.live.epochs() == [0, 1, 2]
    slider = panel.epoch_slider
    assert slider.isEnabled() and (slider.minimum(), slider.maximum()) == (0, 2)
    assert slider.value() == 2 and panel.epoch_label.text() == "epoch 2 of 2"
    last = panel.live.at(2).activations["conv_1"]
    assert last.shape == (8, 8, 16)
    # The maps are drawn on one colour scale, in the columns that fill the view.
    columns = panel.activation_view.columns
    drawn = feature_grid(last.astype("float32"), normalise=False, cols=columns)
    np.testing.assert_allclose(shown_image(panel), drawn.T, equal_nan=True)

    # After the run, the keyboard scrubs back to before training; the image changes.
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Home)
    assert slider.value() == 0 and panel.shown_epoch == 0
    assert panel.epoch_label.text() == "epoch 0 of 2 · before training"
    first = panel.live.at(0).activations["conv_1"].astype("float32")
    first_grid = feature_grid(first, normalise=False, cols=panel.activation_view.columns)
    np.testing.assert_allclose(shown_image(panel), first_grid.T, equal_nan=True)
    QTest.keyClick(slider, Qt.Key.Key_Right)
    assert panel.shown_epoch == 1 and panel.epoch_label.text() == "epoch 1 of 2"
    after_one = shown_image(panel)
    assert not np.allclose(after_one, first_grid.T, equal_nan=True)

    # A click on another node shows its activation at the slider's epoch, at once.
    click_node(demo, "digit")
    assert panel.node_id == "digit" and panel.shown_epoch == 1
    probs = panel.live.at(1).activations["digit"].astype("float32")
    assert panel.activation_view.kind == "vector"
    np.testing.assert_allclose(panel.activation_view.bars.opts["height"], probs)
    assert abs(float(probs.sum()) - 1.0) < 1e-2

    # A new run starts a new history.
    demo.training_panel._commit("epochs", 1)
    seen = train(qtbot, demo)
    assert [epoch for epoch, _, _ in seen] == [0, 1]
    assert panel.live.epochs() == [0, 1] and panel.epoch_label.text() == "epoch 1 of 1"
    assert panel.epoch_slider.maximum() == 1


def snapshot_event(epoch: int, epochs: int = 30) -> ActivationsEvent:
    """An activations event whose conv_1 maps are all ``epoch``, with a gradient."""
    maps = np.full((8, 8, 16), float(epoch), "float32")
    maps[0, 0, :] = epoch + 1.0
    probs = np.full(10, 0.1, "float32")
    return ActivationsEvent(
        epoch, epochs, {"conv_1": maps, "digit": probs}, {"conv_1": float(epoch)}, {}
    )


def test_the_slider_keeps_a_scrubbed_epoch_while_new_ones_arrive(demo, qtbot, monkeypatch):
    panel = demo.inspect_panel
    panel.sample_box.setValue(2)
    probe = panel.start_live(panel.dataset)
    assert np.array_equal(probe, panel.dataset.x_val[2:3])
    monkeypatch.setattr(panel, "live", SnapshotHistory(max_snapshots=6))
    click_node(demo, "conv_1")
    for epoch in range(4):
        panel.add_snapshot(snapshot_event(epoch))
    assert panel.shown_epoch == 3 and panel.epoch_label.text() == "epoch 3 of 30 · live"
    panel.epoch_slider.setFocus()
    QTest.keyClick(panel.epoch_slider, Qt.Key.Key_Left)
    assert panel.shown_epoch == 2
    for epoch in range(4, 12):
        panel.add_snapshot(snapshot_event(epoch))
    # Thinned to 6 snapshots: the slider stays on the kept epoch nearest before 2.
    kept = panel.live.epochs()
    assert len(kept) <= 6 and kept[0] == 0 and kept[-1] == 11
    assert panel.shown_epoch == max(e for e in kept if e <= 2)
    assert panel.epoch_slider.maximum() == len(kept) - 1
    QTest.keyClick(panel.epoch_slider, Qt.Key.Key_End)
    assert panel.shown_epoch == 11 and panel.epoch_label.text() == "epoch 11 of 30 · live"
    panel.add_snapshot(snapshot_event(12))
    assert panel.shown_epoch == 12, "at the newest epoch, the view follows the run"
    panel.live_ended("stopped")
    assert panel.epoch_label.text() == "epoch 12 of 12"

    # Another sample shows the current model; new epochs do not pull the view back, and
    # the slider brings the probe sample back.
    panel.sample_box.setValue(7)
    assert panel.shown_epoch is None
    qtbot.waitUntil(
        lambda: panel.last_activation is not None and panel.last_activation.sample == 7,
        timeout=SLOW,
    )
    panel.add_snapshot(snapshot_event(13))
    assert panel.sample_box.value() == 7 and panel.shown_epoch is None
    assert panel.epoch_label.text() == "epoch 13 of 30 · live · sample 2"
    QTest.keyClick(panel.epoch_slider, Qt.Key.Key_Home)
    assert panel.sample_box.value() == 2 and panel.shown_epoch == 0
    assert np.nanmax(shown_image(panel)) == 1.0


def test_snapshots_arriving_while_the_dock_is_hidden_are_kept_and_drawn_later(window, qtbot):
    window.load(DEMO)
    panel = window.inspect_panel
    window.summary_dock.raise_()
    QApplication.processEvents()
    assert not panel.is_shown()
    from guibuilder.data import load_dataset

    panel.start_live(load_dataset("digits"))
    click_node(window, "conv_1")
    for epoch in range(3):
        panel.add_snapshot(snapshot_event(epoch, epochs=3))
    assert panel.activation_view is None, "pyqtgraph views were made for a hidden panel"
    assert panel.live.epochs() == [0, 1, 2] and panel.epoch_slider.value() == 2
    window.inspect_dock.raise_()
    qtbot.waitUntil(lambda: panel.shown_epoch == 2, timeout=SLOW)
    assert panel.activation_view.kind == "image"


def test_a_dataset_loaded_after_training_leaves_no_stale_computing_message(
    window, qtbot, monkeypatch
):
    """After a run the Inspect dock comes to the front and a node is clicked while the worker
    loads the dataset again: the header then says what is drawn, not 'Computing…' for ever."""
    import guibuilder.data

    window.load(DEMO)
    panel = window.inspect_panel
    window.summary_dock.raise_()
    QApplication.processEvents()
    panel.start_live(guibuilder.data.load_dataset("digits"))
    for epoch in range(2):
        panel.add_snapshot(snapshot_event(epoch, epochs=1))
    loading = threading.Event()  # the worker's load waits for the click
    load = guibuilder.data.load_dataset
    monkeypatch.setattr(
        guibuilder.data, "load_dataset", lambda *a, **k: loading.wait(SLOW / 1000) and load(*a, **k)
    )
    with qtbot.waitSignal(panel.worker.dataset_ready, timeout=SLOW):
        window.inspect_dock.raise_()
        QApplication.processEvents()
        click_node(window, "conv_1")
        assert panel.shown_epoch == 1  # drawn from the snapshot at once
        loading.set()
    QApplication.processEvents()
    assert "Computing" not in panel.status_label.text()
    assert panel.status_label.text().startswith("conv_1: recorded epoch 1")
