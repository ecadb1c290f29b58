"""The classroom in the window: a teacher locks, a student is refused, a challenge is checked."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from guibuilder.document import (
    Challenge,
    Classroom,
    LockedError,
    Project,
    load_project,
    project_to_dict,
    save_project,
)
from guibuilder.editing.edits import SetSlot
from guibuilder.graph import Graph
from guibuilder.ui import theme
from guibuilder.ui.classroom.challenge import ChallengeDialog
from guibuilder.ui.classroom.locks import LockSettingsDialog
from guibuilder.ui.mainwindow import MainWindow
from tests.ui.helpers import chain_graph, show, viewport_pos

RUN_TIMEOUT_MS = 90_000
LEFT, NO_MODS = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


@pytest.fixture(autouse=True)
def no_thread_left():
    yield
    alive = [t.name for t in threading.enumerate() if t.name == "guibuilder-training"]
    assert not alive, alive


def snapshot(window: MainWindow) -> dict:
    return project_to_dict(window.session.project)


def click_node(window: MainWindow, node_id: str) -> None:
    """Select ``node_id`` with a real mouse click on its card."""
    item = window.scene.node_item(node_id)
    pos = viewport_pos(window, item.mapToScene(QPointF(60, 40)))
    QTest.mouseClick(window.view.viewport(), LEFT, NO_MODS, pos)
    assert window.scene.selected_node_ids() == [node_id]


def drag_ports(window: MainWindow, source: str, target: str) -> bool:
    """Drag from ``source``'s output port to ``target``'s first input port; return whether
    that port lit up as a place to connect while dragging."""
    scene = window.scene
    port = scene.node_item(target).inputs[0]
    start = viewport_pos(window, scene.node_item(source).outputs[0].anchor())
    end = viewport_pos(window, port.anchor())
    viewport = window.view.viewport()
    QTest.mousePress(viewport, LEFT, NO_MODS, start)
    offered = port.highlight
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, LEFT, NO_MODS, end)
    return offered


def lock(window: MainWindow, node_id: str) -> None:
    """The teacher clicks the layer and chooses Teacher > Lock Selected Layers."""
    click_node(window, node_id)
    window.classroom.lock_action.trigger()


def message(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def render(window: MainWindow, node_id: str) -> QImage:
    item = window.scene.node_item(node_id)
    rect = item.sceneBoundingRect()
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    window.scene.render(painter, source=rect)
    painter.end()
    return image


# ------------------------------------------------------------------ locked layers
def test_a_locked_layer_cannot_be_deleted_until_the_teacher_unlocks_it(window):
    show(window, chain_graph())
    before_badge = render(window, "hidden")
    lock(window, "hidden")
    assert window.session.project.classroom.locked_nodes == {"hidden"}
    assert window.scene.node_item("hidden").locked
    actions = window.classroom
    assert not actions.lock_action.isEnabled() and actions.unlock_action.isEnabled()
    assert render(window, "hidden") != before_badge
    assert "Locked by the teacher" in window.scene.node_item("hidden").toolTip()
    before = snapshot(window)
    click_node(window, "hidden")
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert snapshot(window) == before
    assert message(window) == "layer 'hidden' is locked by the teacher, so it cannot be deleted."
    window.classroom.unlock_action.trigger()
    assert not window.scene.node_item("hidden").locked
    click_node(window, "hidden")
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "hidden" not in window.session.graph


def test_a_locked_layers_fields_are_read_only_and_say_why(window):
    show(window, chain_graph())
    lock(window, "hidden")
    inspector = window.inspector
    assert inspector.node_id == "hidden"
    units = inspector.fields["units"].editor
    assert not units.isEnabled()
    assert "Locked by the teacher" in units.toolTip()
    assert inspector.name_edit.isReadOnly() and not inspector.trainable_box.isEnabled()
    assert inspector.findChild(type(inspector.shape_label), "lockNote").isVisible()
    before = snapshot(window)
    QTest.mouseClick(units, LEFT)
    QTest.keyClicks(units, "99")
    QTest.keyClick(units, Qt.Key.Key_Return)
    window.rename_action.trigger()
    QTest.keyClicks(inspector.name_edit, "renamed")
    QTest.keyClick(inspector.name_edit, Qt.Key.Key_Return)
    assert snapshot(window) == before
    with pytest.raises(LockedError):
        window.session.set_param("hidden", "units", 99)
    assert snapshot(window) == before
    assert message(window) == (
        "layer 'hidden' is locked by the teacher, so its parameters cannot change."
    )
    click_node(window, "out")
    assert window.inspector.fields["units"].editor.isEnabled()


def test_a_drag_into_a_locked_layers_input_is_refused(window):
    graph = chain_graph()
    graph.disconnect(graph.in_edges("hidden")[0])
    show(window, graph)
    lock(window, "hidden")
    before = snapshot(window)
    assert not drag_ports(window, "x", "hidden")
    assert snapshot(window) == before
    assert message(window) == (
        "Cannot connect: layer 'hidden' is locked by the teacher, "
        "so its input connections cannot change."
    )
    window.undo_action.trigger()  # the teacher takes the lock back
    assert window.session.project.classroom is None
    assert drag_ports(window, "x", "hidden")
    assert graph.predecessors("hidden") == ["x"]


def test_a_locked_layers_output_still_feeds_new_layers(window):
    graph = chain_graph()
    graph.add_node("Dense", {"units": 3}, node_id="extra", position=(260.0, 300.0))
    show(window, graph)
    lock(window, "hidden")
    assert drag_ports(window, "hidden", "extra")
    assert graph.predecessors("extra") == ["hidden"]


def test_locks_survive_save_and_open(window, tmp_path):
    show(window, chain_graph())
    lock(window, "x")
    path = tmp_path / "lesson.gbproj"
    assert window.save_to(path)
    window.new_project()
    window.load(path)
    assert window.scene.node_item("x").locked
    assert load_project(path).classroom.locked_nodes == {"x"}


# ------------------------------------------------------------------ settings and view
def test_fitting_a_locked_input_to_the_data_is_refused(qtbot, window):
    graph = Graph("wrong")
    graph.add_node("Input", {"shape": [5]}, node_id="x")
    graph.add_node("Dense", {"units": 2, "activation": "softmax"}, node_id="out")
    graph.connect("x", "out")
    room = Classroom(locked_nodes=frozenset({"x"}))
    window.show_project(Project(graph, dataset={"name": "moons"}, classroom=room))
    panel = window.training_panel
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(lambda: panel.fit_input_button.isVisibleTo(panel), timeout=20_000)
    QTest.mouseClick(panel.fit_input_button, LEFT)
    assert window.session.graph.node("x").params["shape"] == [5]
    assert message(window) == "layer 'x' is locked by the teacher, so its parameters cannot change."


def test_locked_training_settings_are_disabled_and_refused(window):
    show(window, chain_graph())
    window.classroom.settings_action.trigger()
    dialog = window.classroom.dialog
    assert isinstance(dialog, LockSettingsDialog)
    QTest.mouseClick(dialog.boxes["epochs"], LEFT)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, LEFT)
    assert window.session.project.classroom.locked_settings == {"epochs"}
    panel = window.training_panel
    assert not panel._editors["epochs"].isEnabled()
    assert not panel._editors["batch_size"].isEnabled()
    assert panel._editors["learning_rate"].isEnabled()
    assert "Locked by the teacher" in panel._rows["epochs"].toolTip()
    project = window.session.project
    edit = SetSlot(project, "training", {"epochs": 99}, "Set epochs")
    with pytest.raises(LockedError, match="epochs and batch size settings, so epochs"):
        window.session.push(edit)
    assert project.training is None
    window.undo_action.trigger()
    assert panel._editors["epochs"].isEnabled()


def test_student_view_hides_the_teacher_actions_and_is_saved(window, tmp_path):
    show(window, chain_graph())
    teacher = window.classroom.teacher_actions
    assert all(action.isVisible() for action in teacher)
    window.classroom.student_action.trigger()
    assert not any(action.isVisible() for action in teacher)
    assert window.classroom.student_action.isVisible()
    path = tmp_path / "class.gbproj"
    assert window.save_to(path)
    window.new_project()
    assert all(action.isVisible() for action in teacher)
    window.load(path)
    assert window.classroom.student_action.isChecked()
    assert not any(action.isVisible() for action in teacher)
    window.classroom.student_action.trigger()
    assert all(action.isVisible() for action in teacher)


def undo_keys(window: MainWindow, times: int = 1, redo: bool = False) -> None:
    """Press Ctrl+Z (Ctrl+Shift+Z to redo) on the canvas ``times`` times."""
    ctrl = Qt.KeyboardModifier.ControlModifier
    mods = ctrl | Qt.KeyboardModifier.ShiftModifier if redo else ctrl
    for _ in range(times):
        QTest.keyClick(window.view, Qt.Key.Key_Z, mods)


def test_ctrl_z_in_student_view_cannot_take_back_the_teachers_lock(window):
    show(window, chain_graph())
    undo_keys(window)  # nothing to undo yet: the keys reach the undo action and do nothing
    window.session.set_param("out", "units", 3)  # an earlier teacher edit
    lock(window, "hidden")
    undo_keys(window)
    assert window.session.project.classroom is None  # the teacher may still take it back
    undo_keys(window, redo=True)
    assert window.session.project.classroom.locked_nodes == {"hidden"}
    window.classroom.student_action.trigger()
    assert message(window) == (
        "Student view is on: the teacher's actions are hidden "
        "and the changes before it cannot be undone."
    )
    teacher_state = snapshot(window)
    undo_keys(window, 3)
    assert snapshot(window) == teacher_state
    assert window.scene.node_item("hidden").locked and window.classroom.student_action.isChecked()
    assert not window.undo_action.isEnabled()
    assert window.session.modified  # the teacher's work still asks to be saved
    # The student's own edits undo as usual, down to where Student View began.
    click_node(window, "out")
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "out" not in window.session.graph
    undo_keys(window, 2)
    assert snapshot(window) == teacher_state
    undo_keys(window, 2, redo=True)
    assert "out" not in window.session.graph
    click_node(window, "hidden")
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "hidden" in window.session.graph
    assert message(window).endswith("'hidden' is locked by the teacher, so it cannot be deleted.")
    # Switching the view off is the student's own, visible step; Ctrl+Z takes it back.
    window.classroom.student_action.trigger()
    undo_keys(window, 3)
    assert window.session.project.classroom.locked_nodes == {"hidden"}
    assert window.session.project.classroom.student_view
    assert snapshot(window) == teacher_state


# ------------------------------------------------------------------ challenges
def test_the_teacher_sets_a_challenge_and_the_banner_shows_it(qtbot, window):
    show(window, chain_graph())
    window.session.project.dataset = {"name": "digits"}
    assert not window.classroom.toolbar.isVisibleTo(window)
    window.classroom.challenge_action.trigger()
    dialog = window.classroom.dialog
    assert isinstance(dialog, ChallengeDialog)
    assert dialog.dataset_box.currentText() == "digits"
    QTest.keyClicks(dialog.text_edit, "Small and good")
    dialog.params_box.setValue(50)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, LEFT)
    challenge = window.session.project.classroom.challenge
    assert challenge == Challenge(
        "val_accuracy", at_least=0.95, max_params=50, dataset="digits", text="Small and good"
    )
    banner = window.classroom.banner
    assert window.classroom.toolbar.isVisibleTo(window)
    assert banner.title_label.text() == "Small and good"
    assert banner.goal_label.text() == "val_accuracy ≥ 0.95 on digits, at most 50 parameters"
    qtbot.waitUntil(lambda: banner.params_label.text() == "46 parameters ✓")
    window.session.set_param("hidden", "units", 40)
    qtbot.waitUntil(lambda: banner.params_label.text() == "442 parameters ✗ > 50")
    window.dark_action.trigger()
    assert f"color: {theme.current().muted}" in banner.goal_label.styleSheet()
    window.dark_action.trigger()
    assert f"color: {theme.current().muted}" in banner.goal_label.styleSheet()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert not window.classroom.toolbar.isVisibleTo(window)


def test_the_challenge_dialog_refuses_a_missing_metric_and_can_remove(window):
    show(window, chain_graph())
    window.classroom.set_challenge(Challenge("val_loss", at_most=0.2))
    window.classroom.challenge_action.trigger()
    dialog = window.classroom.dialog
    assert dialog.direction_box.currentText() == "at most"
    dialog.metric_box.setCurrentText("")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, LEFT)
    assert dialog.isVisible() and "needs the name of a metric" in dialog.error.text()
    QTest.mouseClick(dialog.remove_button, LEFT)
    assert window.session.project.classroom is None


def test_the_challenge_is_checked_after_a_run(qtbot, window, tmp_path):
    graph = Graph("digits_linear")
    graph.add_node("Input", {"shape": [8, 8, 1]}, node_id="image")
    graph.add_node("Flatten", node_id="flat")
    graph.add_node("Dense", {"units": 10, "activation": "softmax"}, node_id="digit")
    graph.connect("image", "flat")
    graph.connect("flat", "digit")
    challenge = Challenge("val_accuracy", at_least=0.999, max_params=600, dataset="digits")
    project = Project(
        graph,
        dataset={"name": "digits"},
        training={"epochs": 1, "batch_size": 64, "validation_split": 0.2},
        classroom=Classroom(challenge=challenge),
    )
    path = tmp_path / "linear.gbproj"
    save_project(project, path)
    window.load(path)
    banner = window.classroom.banner
    assert banner.verdict_label.text() == "Train to check it"
    with qtbot.waitSignal(window.training_panel.run_ended, timeout=RUN_TIMEOUT_MS) as ended:
        QTest.mouseClick(window.training_panel.start_button, LEFT)
    assert ended.args[0] == "finished"
    history = window.training_panel.last_result.history
    achieved = history["val_accuracy"][-1]
    assert achieved < 0.999
    assert banner.verdict_label.text() == "Not yet"
    reason = banner.reason_label.text()
    assert reason == f"val_accuracy {achieved:.4g} < 0.999; 650 parameters > 600"
    assert message(window).startswith("Challenge not yet: ")
    window.new_project()
    assert window.classroom.result is None
    window.load(path)  # the verdict on the newest run beside the project comes back
    assert banner.verdict_label.text() == "Not yet"
    assert banner.reason_label.text() == reason
