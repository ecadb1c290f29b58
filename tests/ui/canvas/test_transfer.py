"""Transfer learning in the window, as a person does it: open a trained model, freeze its body
from the canvas' context menu, replace its head, train on a new task, export."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolBar

from guibuilder.compiler.importer import import_model
from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH
from guibuilder.data import load_dataset
from guibuilder.graph import Graph
from guibuilder.ui.dialogs.export import ExportDialog
from tests.subprocesses import run_python
from tests.training.transfer_base import BODY, HEAD, train_base
from tests.ui.canvas.test_canvas import drop, palette_mime
from tests.ui.helpers import chain_graph, show, viewport_pos

RUN_TIMEOUT_MS = 120_000

#: Loads the export with Keras alone and reports its accuracy on the digits validation set.
PLAIN_KERAS = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np
    model = keras.saving.load_model(sys.argv[1], safe_mode=True)
    data = np.load(sys.argv[2])
    probs = keras.ops.convert_to_numpy(model(data["x"]))
    assert not any(m.startswith("guibuilder") for m in sys.modules), "guibuilder was imported"
    print("accuracy", float((probs.argmax(-1) == data["y"]).mean()))
    print("frozen", *sorted(layer.name for layer in model.layers if not layer.trainable))
    """
)


@pytest.fixture(autouse=True)
def no_thread_left():
    yield
    alive = [t.name for t in threading.enumerate() if t.name == "guibuilder-training"]
    assert not alive, alive


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A tiny CNN trained headless on digits 0-4, saved as .keras."""
    return train_base(tmp_path_factory.mktemp("base"))


def card_center(window, node_id: str) -> QPoint:
    item = window.scene.node_item(node_id)
    return viewport_pos(window, item.mapToScene(QPointF(NODE_WIDTH / 2, NODE_HEIGHT / 2)))


def entry_text(action) -> str:
    """A menu entry's text as shown, without the ``&`` of its keyboard mnemonic."""
    return action.text().replace("&", "")


def right_click(window, qtbot, node_id: str | None, handle) -> None:
    """Right-click ``node_id``'s card (or empty canvas); ``handle`` gets the menu once shown.

    ``handle`` picks an entry or closes the menu; this returns once the menu is gone.
    """
    handled: list[bool] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, pick)
            return
        handle(menu)
        handled.append(True)

    viewport = window.view.viewport()
    pos = card_center(window, node_id) if node_id else QPoint(5, 5)
    QTimer.singleShot(0, pick)
    # A right click: the press, then the context-menu event the platform sends with it
    # (QTest's synthetic press does not make one), then the release.
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, pos=pos)
    menu_event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, menu_event)
    QTest.mouseRelease(viewport, Qt.MouseButton.RightButton, pos=pos)
    qtbot.waitUntil(lambda: bool(handled) and QApplication.activePopupWidget() is None)


def context_menu(window, qtbot, node_id: str | None, text: str) -> bool:
    """Right-click ``node_id``'s card (or empty canvas) and click the entry ``text``.

    Returns whether the entry was enabled; a disabled one is not clicked and the menu closes.
    """
    seen: list[bool] = []

    def pick(menu: QMenu) -> None:
        action = next(a for a in menu.actions() if entry_text(a) == text and a.isVisible())
        seen.append(action.isEnabled())
        if action.isEnabled():
            QTest.mouseClick(
                menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center()
            )
        else:
            menu.close()

    right_click(window, qtbot, node_id, pick)
    return seen[0]


def connect_ports(window, source: str, target: str) -> None:
    """Drag from ``source``'s output port to ``target``'s input port."""
    scene = window.scene
    start = viewport_pos(window, scene.node_item(source).outputs[0].anchor())
    end = viewport_pos(window, scene.node_item(target).inputs[0].anchor())
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def type_into(editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def test_freeze_up_to_here_and_unfreeze_all_are_one_undo_step_each(window, qtbot):
    graph = Graph("two")
    graph.add_node("Input", {"shape": [8]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Dense", {"units": 4}, node_id="a", position=(0.0, 150.0))
    graph.add_node("Dense", {"units": 4}, node_id="b", position=(0.0, 300.0))
    graph.add_node("Dense", {"units": 2}, node_id="out", position=(0.0, 450.0))
    for source, target in (("x", "a"), ("a", "b"), ("b", "out")):
        graph.connect(source, target)
    session = show(window, graph)
    window.view.fit()
    assert not context_menu(window, qtbot, None, "Unfreeze All")  # nothing is frozen yet

    assert context_menu(window, qtbot, "b", "Freeze Up to Here")
    assert [n.id for n in graph if not n.trainable] == ["a", "b"]  # not the input, not out
    assert window.scene.selected_node_ids() == ["b"]
    assert not window.inspector.trainable_box.isChecked()  # the inspector follows
    assert session.undo_stack.count() == 1
    assert "Froze 2 layers up to 'b'" in window.statusBar().currentMessage()
    assert window.scene.node_item("b")._lines[3].endswith("❄")
    assert "Frozen" in window.scene.node_item("b").toolTip()
    assert "Frozen" not in window.scene.node_item("out").toolTip()
    assert not context_menu(window, qtbot, "a", "Freeze Up to Here")  # already frozen

    assert context_menu(window, qtbot, "out", "Freeze Up to Here")
    assert all(not n.trainable for n in graph if n.id != "x")
    assert context_menu(window, qtbot, None, "Unfreeze All")
    assert all(n.trainable for n in graph)
    assert session.undo_stack.count() == 3
    window.undo_action.trigger()
    assert [n.id for n in graph if not n.trainable] == ["a", "b", "out"]
    window.undo_action.trigger()
    assert [n.id for n in graph if not n.trainable] == ["a", "b"]
    window.undo_action.trigger()
    assert all(n.trainable for n in graph)


def test_a_kept_layer_whose_weights_stop_fitting_is_named_in_the_status_bar(window, qtbot):
    from guibuilder.compiler.build import build_model
    from guibuilder.document.weights import WeightStore

    session = show(window, chain_graph())
    session.project.weights = WeightStore.from_model(build_model(chain_graph()), chain_graph())
    window.scene.select_nodes(["hidden"])
    type_into(window.inspector.fields["units"].editor, "6")
    qtbot.waitUntil(lambda: "no longer fit" in window.statusBar().currentMessage())
    # The next layer's kernel takes the hidden units as its rows: it stops fitting too.
    message = window.statusBar().currentMessage()
    assert "'hidden', 'out' no longer fit them" in message and "start fresh" in message
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.scene.weight_fit.misfits)
    window.scene.select_nodes(["out"])
    type_into(window.inspector.fields["units"].editor, "3")
    qtbot.waitUntil(lambda: "of 'out' no longer fit" in window.statusBar().currentMessage())
    assert "(10 values for 15 parameters)" in window.statusBar().currentMessage()
    # Weights that fit again (as a training run leaves them) end the misfit at once...
    graph = session.graph
    trained = WeightStore.from_model(build_model(graph), graph)
    session.set_slot("weights", trained, "Train model")
    assert not window.scene.weight_fit.misfits
    # ...so the next edit that breaks them is named again.
    type_into(window.inspector.fields["units"].editor, "4")
    qtbot.waitUntil(lambda: "(15 values for 20 parameters)" in window.statusBar().currentMessage())
    # A new layer never takes the id (and so the weights) of a deleted one.
    window.scene.select_nodes(["out"])
    window.delete_action.trigger()
    drop(window, palette_mime(window, "Dense"), QPointF(600, 300))
    assert "out" not in session.graph and len(session.graph.nodes) == 3


def test_fine_tune_an_opened_model_in_the_window(window, qtbot, monkeypatch, base, tmp_path):
    _, imported = import_model(base)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(base), ""))
    window.open_action.trigger()
    qtbot.waitUntil(lambda: HEAD in window.session.graph, timeout=30_000)
    session = window.session
    graph = session.graph
    window.view.fit()

    # Freeze the body from the context menu of the flatten node.
    assert context_menu(window, qtbot, "flatten", "Freeze Up to Here")
    assert {n.id for n in graph if not n.trainable} == set(BODY)

    # Replace the 5-class head: select it with a click, delete it, drop a new Dense,
    # connect the flatten to it, and make it a 10-class softmax in the inspector.
    head_at = window.scene.node_item(HEAD).pos()
    QTest.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=card_center(window, HEAD)
    )
    assert window.scene.selected_node_ids() == [HEAD]
    toolbar = window.findChild(QToolBar, "MainToolbar")
    QTest.mouseClick(toolbar.widgetForAction(window.delete_action), Qt.MouseButton.LeftButton)
    assert HEAD not in graph
    drop(window, palette_mime(window, "Dense"), head_at + QPointF(NODE_WIDTH / 2, NODE_HEIGHT))
    (new_head,) = window.scene.selected_node_ids()
    assert new_head != HEAD  # the old head's stored weights cannot come back
    connect_ports(window, "flatten", new_head)
    assert graph.predecessors(new_head) == ["flatten"]
    fields = window.inspector.fields
    type_into(fields["units"].editor, "10")
    combo = fields["activation"].editor
    combo.setCurrentIndex(combo.findText("softmax"))
    combo.activated.emit(combo.currentIndex())
    assert graph.node(new_head).params["units"] == 10
    assert graph.outputs() == [(new_head, 0)]

    # Train 2 epochs on all ten digits.
    window.show_training()
    panel = window.training_panel
    datasets = panel._editors["dataset"]
    datasets.setCurrentIndex(datasets.findData("digits"))
    datasets.activated.emit(datasets.currentIndex())
    type_into(panel._editors["epochs"], "2")
    type_into(panel._editors["learning_rate"], "0.01")
    assert session.project.training["learning_rate"] == 0.01
    with qtbot.waitSignal(panel.run_ended, timeout=RUN_TIMEOUT_MS) as ended:
        QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert ended.args == ["finished"], panel.status_label.text()
    assert "no longer fit" not in panel.status_label.text()

    trained = session.project.weights
    for kept, before in zip(trained.get("conv"), imported.get("conv"), strict=True):
        np.testing.assert_array_equal(kept, before)  # bitwise unchanged
    kernel, bias = trained.get(new_head)
    assert kernel.shape == (72, 10) and np.any(bias != 0)  # biases start at zero

    # File > Export… as .keras, then load it with Keras alone in a fresh process.
    out = tmp_path / "digits10.keras"
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    qtbot.waitExposed(dialog)
    dialog.set_format("keras")
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.close()
    digits = load_dataset("digits")
    np.savez(tmp_path / "val.npz", x=digits.x_val, y=digits.y_val)
    done = run_python("-c", PLAIN_KERAS, str(out), str(tmp_path / "val.npz"), timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert report["frozen"].split() == sorted(BODY)
    assert float(report["accuracy"]) > 0.5  # chance is 0.1
