"""File > Export… and Edit > Copy as code, driven from the window's menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from guibuilder.compiler.build import build_model
from guibuilder.compiler.layers import load_keras
from guibuilder.graph import Graph
from guibuilder.ui.dialogs.export import ExportDialog
from tests.ui.helpers import chain_graph, show


@pytest.fixture
def clipboard(qapp):
    """The clipboard, cleared after the test so nothing of ours is left on it."""
    board = QApplication.clipboard()
    board.clear()
    yield board
    board.clear()


def _open_export(window, qtbot) -> ExportDialog:
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_export_dialog_writes_a_keras_file_that_keras_loads(window, qtbot, tmp_path):
    show(window, chain_graph())
    dialog = _open_export(window, qtbot)
    dialog.set_format("keras")
    out = tmp_path / "chain.keras"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert dialog.job.running and not dialog.export_button.isEnabled()
        window.session.set_param("hidden", "units", 7)
    assert dialog.export_button.isEnabled()
    assert str(out) in dialog.status.text()
    assert str(out) in window.statusBar().currentMessage()
    model = load_keras().saving.load_model(out)
    assert [layer.name for layer in model.layers] == ["x", "hidden", "out"]
    assert model.count_params() == build_model(chain_graph()).count_params()


def test_enter_in_the_export_dialog_exports_and_never_browses(window, qtbot, tmp_path, monkeypatch):
    show(window, chain_graph())
    dialog = _open_export(window, qtbot)
    monkeypatch.setattr(ExportDialog, "browse", lambda self: pytest.fail("Enter browsed"))
    dialog.set_format("python")
    out = tmp_path / "chain.py"
    dialog.path_edit.setText(str(out))
    for widget in (dialog.path_edit, dialog.format_box, dialog.browse_button):
        widget.setFocus()
        assert not dialog.browse_button.autoDefault()
        assert dialog.export_button.isDefault()
    dialog.path_edit.setFocus()
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert out.exists() and dialog.isVisible()


def test_the_diagram_exports_as_a_png(window, qtbot, tmp_path):
    show(window, chain_graph())
    dialog = _open_export(window, qtbot)
    dialog.set_format("png")
    out = tmp_path / "chain.png"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=120_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    picture = QImage(str(out))
    assert not picture.isNull() and picture.height() > picture.width()
    assert "Drew" in dialog.status.text()


def test_an_export_that_fails_is_explained_and_nothing_is_lost(window, qtbot, tmp_path):
    session = show(window, chain_graph())
    dialog = _open_export(window, qtbot)
    dialog.set_format("h5")
    dialog.path_edit.setText(str(tmp_path / "missing" / "chain.h5"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=30_000)
    assert dialog.status.text().startswith("Not exported:")
    assert "missing" in dialog.status.text()
    assert window.session is session and set(session.graph.nodes) == {"x", "hidden", "out"}
    assert not (tmp_path / "missing").exists()


def test_choosing_a_format_gives_the_path_its_suffix(window, qtbot):
    show(window, chain_graph())
    dialog = _open_export(window, qtbot)
    dialog.path_edit.setText("/tmp/somewhere/net.keras")
    dialog.set_format("python")
    assert dialog.path_edit.text() == "/tmp/somewhere/net.py"
    dialog.set_format("savedmodel")
    assert dialog.path_edit.text() == "/tmp/somewhere/net"
    dialog.set_format("onnx")
    assert dialog.path_edit.text() == "/tmp/somewhere/net.onnx"


def test_copy_as_code_puts_a_build_model_function_on_the_clipboard(window, clipboard):
    show(window, chain_graph())
    window.copy_code_action.trigger()
    text = clipboard.text()
    assert "def build_model" in text
    assert "import guibuilder" not in text and "from guibuilder" not in text
    namespace: dict = {}
    exec(compile(text, "<clipboard>", "exec"), namespace)
    model = namespace["build_model"]()
    assert model.count_params() == build_model(chain_graph()).count_params()
    assert "Copied" in window.statusBar().currentMessage()


def test_copy_as_code_of_a_broken_graph_says_why(window, clipboard, monkeypatch):
    graph = Graph("broken")
    graph.add_node("Dense", {"units": 3}, node_id="lonely", position=(0.0, 0.0))
    session = show(window, graph)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:]))
    window.copy_code_action.trigger()
    assert len(shown) == 1 and shown[0][0] == "Cannot copy as code"
    assert shown[0][1].endswith(".") and len(shown[0][1]) > 10
    assert clipboard.text() == ""
    assert window.session is session
