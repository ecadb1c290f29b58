"""Opening a saved Keras model from the window: imported in a worker thread, cancellable."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from guibuilder.compiler.layers import load_keras
from guibuilder.document import Project, project_to_dict
from guibuilder.ui.dialogs import model_import
from tests.ui.helpers import chain_graph, show


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A tiny Functional model saved as .keras, and its layer names and parameter count."""
    keras = load_keras()
    inputs = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(3, name="scores")(hidden)
    model = keras.Model(inputs, outputs)
    path = tmp_path_factory.mktemp("models") / "tiny.keras"
    model.save(path)
    return path, [layer.name for layer in model.layers], model.count_params()


def test_open_a_keras_model_through_the_open_action(window, qtbot, monkeypatch, small_model):
    path, names, params = small_model
    show(window, chain_graph())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    job = window.model_import
    qtbot.waitUntil(lambda: set(window.session.graph.nodes) == set(names), timeout=30_000)
    assert not job.running
    assert sorted(item.node_id for item in window.scene.node_items()) == sorted(names)
    assert window.session.project.weights is not None
    assert window.windowTitle().split("[*]")[0] == "tiny"  # the model file, unsaved
    qtbot.waitUntil(lambda: "Builds" in window.build_label.text(), timeout=30_000)
    assert window.params_label.text() == f"{params} parameters"


def test_the_window_answers_during_an_import_and_cancel_keeps_the_document(
    window, qtbot, monkeypatch, tmp_path
):
    release = threading.Event()
    calls = []

    def slow_import(path):
        calls.append(path)
        release.wait(20)
        return Project(graph=chain_graph(), title="never shown")

    monkeypatch.setattr(model_import, "import_project", slow_import)
    show(window, chain_graph())
    window.session.set_param("hidden", "units", 9)
    before = project_to_dict(window.session.project)

    assert window.open_path(tmp_path / "slow.keras")
    job = window.model_import
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: job.dialog.isVisible(), timeout=5_000)
    assert job.running and len(calls) == 1
    assert len(ticks) >= 5  # the GUI thread kept running its event loop
    timer.stop()

    qtbot.mouseClick(job.dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert job.cancelled and not job.dialog.isVisible()
    release.set()
    assert job.wait(5)
    qtbot.wait(5 * model_import.POLL_MS)
    assert project_to_dict(window.session.project) == before
    assert window.session.modified


def test_a_model_that_cannot_load_is_explained_and_the_document_stays(
    window, qtbot, monkeypatch, tmp_path
):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a zip file")
    show(window, chain_graph())
    before = project_to_dict(window.session.project)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    assert window.open_path(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert "broken.keras" in shown[0]
    assert project_to_dict(window.session.project) == before
