"""The README's "first five minutes", step by step, with the events a person makes.

Each step does what the README tells the reader to do (typing, dragging, clicking, keys) and
checks what the README says they see. When the README changes, this test changes with it:
step 5's commands are read from the README itself.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from guibuilder.document import load_project
from guibuilder.ui.mainwindow import MainWindow
from tests.subprocesses import ROOT, run_python
from tests.ui.helpers import viewport_pos

README = ROOT / "README.md"
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"
LEFT, NO_MODS = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def readme_steps() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## The first five minutes")
    return text[start : text.index("\n## ", start + 1)]


def step5_commands() -> list[list[str]]:
    """The commands of step 5's code block, as argument lists."""
    block = re.search(r"```\n(.*?)```", readme_steps(), re.S)
    assert block, "step 5 of the README has no code block"
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    return [shlex.split(line) for line in lines if line]


# ------------------------------------------------------------------ gestures
def node_id_named(window: MainWindow, name: str) -> str:
    graph = window.session.graph
    (found,) = [n.id for n in graph.nodes.values() if n.name == name]
    return found


def edge_between(window: MainWindow, source: str, target: str):
    graph = window.session.graph
    (edge,) = [e for e in graph.edges if e.source == source and e.target == target]
    return window.scene.edge_item(edge)


def on_screen(window: MainWindow, scene_point: QPointF) -> QPoint:
    """The viewport point of ``scene_point``, scrolling the view to it first."""
    window.view.ensureVisible(scene_point.x() - 1, scene_point.y() - 1, 2, 2, 80, 80)
    QApplication.processEvents()
    return viewport_pos(window, scene_point)


def drag_onto(window: MainWindow, mime, scene_point: QPointF, while_over=None) -> None:
    """A palette drag as Qt delivers it: enter, move (``while_over`` runs), drop."""
    viewport = window.view.viewport()
    pos = on_screen(window, scene_point)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(pos, action, mime, LEFT, NO_MODS)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos, action, mime, LEFT, NO_MODS)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    if while_over is not None:
        while_over()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(pos), action, mime, LEFT, NO_MODS))


def click_at(window: MainWindow, scene_point: QPointF) -> None:
    QTest.mouseClick(window.view.viewport(), LEFT, NO_MODS, on_screen(window, scene_point))


def drag_port(window: MainWindow, source: str, target: str, while_dragging=None) -> None:
    """Press on ``source``'s output port, move to ``target``'s input port, release."""
    scene, viewport = window.scene, window.view.viewport()
    start_scene = scene.node_item(source).outputs[0].anchor()
    end_scene = scene.node_item(target).inputs[0].anchor()
    window.view.ensureVisible(
        min(start_scene.x(), end_scene.x()),
        min(start_scene.y(), end_scene.y()),
        abs(end_scene.x() - start_scene.x()) + 2,
        abs(end_scene.y() - start_scene.y()) + 2,
    )
    QApplication.processEvents()
    start, end = viewport_pos(window, start_scene), viewport_pos(window, end_scene)
    QTest.mousePress(viewport, LEFT, NO_MODS, start)
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    if while_dragging is not None:
        while_dragging()
    QTest.mouseRelease(viewport, LEFT, NO_MODS, end)


def double_click_palette(window: MainWindow, type_id: str) -> None:
    tree = window.palette.tree
    item = window.palette.item(type_id)
    tree.scrollToItem(item)
    QApplication.processEvents()
    point = tree.visualItemRect(item).center()
    QTest.mouseClick(tree.viewport(), LEFT, NO_MODS, point)
    QTest.mouseDClick(tree.viewport(), LEFT, NO_MODS, point)


def overlaps(window: MainWindow, node_id: str) -> list[str]:
    rect = window.scene.node_item(node_id).sceneBoundingRect()
    return [
        item.node_id
        for item in window.scene.node_items()
        if item.node_id != node_id and item.sceneBoundingRect().intersects(rect)
    ]


def node_lines(window: MainWindow, node_id: str) -> tuple[str, str, str, str]:
    """What a node card shows: name, type and settings, output shape, parameter count."""
    return window.scene.node_item(node_id)._lines


def summary_rows(window: MainWindow) -> int:
    return window.summary.table.rowCount()


# ---------------------------------------------------------------------- test
@pytest.fixture
def demo_window(window: MainWindow, qtbot) -> MainWindow:
    """Step 1: `make run` opens the bundled demo."""
    window.load(DEMO)
    qtbot.waitUntil(lambda: "Builds" in window.build_label.text(), timeout=10_000)
    return window


def test_the_first_five_minutes(demo_window, qtbot, tmp_path, monkeypatch):
    window = demo_window
    graph = window.session.graph
    steps = readme_steps()

    # 1. Every node shows its type, its main settings, its output shape and its parameter
    #    count; the summary lists the same with the total; the status bar says ✓ Builds.
    assert "Open the demo" in steps and "`✓ Builds`" in steps
    types = ["Input", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dropout", "Dense"]
    assert [n.type_id for n in graph.nodes.values()] == types
    for node in graph.nodes.values():
        name, subtitle, shape, count = node_lines(window, node.id)
        assert name == node.name
        assert subtitle.startswith(node.type_id) and shape.startswith("(")
        if node.type_id in ("Conv2D", "Dense"):
            assert "·" in subtitle and count  # the main settings and the parameter count
    assert summary_rows(window) == len(graph.nodes)
    assert "9,930" in window.summary.total.text()
    assert window.build_label.text() == "✓ Builds"

    # 2. Type `pool` in the palette's search box and drag MaxPooling2D onto the edge
    #    between Conv 32 and Flatten: the edge lights up, the layer is spliced in, its
    #    output shape (2, 2, 32) shows at once and the summary gains a row.
    conv32, flatten = node_id_named(window, "Conv 32"), node_id_named(window, "Flatten")
    search = window.palette.search
    search.setFocus()
    QTest.keyClicks(search, "pool")
    assert not window.palette.item("MaxPooling2D").isHidden()
    assert window.palette.item("Conv2D").isHidden()
    edge = edge_between(window, conv32, flatten)
    mime = window.palette.tree.mimeData([window.palette.item("MaxPooling2D")])
    lit: list[bool] = []
    drag_onto(window, mime, edge.path().pointAtPercent(0.5), lambda: lit.append(edge.drop_target))
    assert lit == [True]
    (pool,) = [n for n in graph.nodes if n not in {"pool"} and n.startswith("max_pooling")]
    assert graph.predecessors(pool) == [conv32] and graph.predecessors(flatten) == [pool]
    qtbot.waitUntil(lambda: node_lines(window, pool)[2] == "(2, 2, 32)")
    qtbot.waitUntil(lambda: summary_rows(window) == len(graph.nodes) == 8)
    assert not overlaps(window, pool), "the spliced layer covers other nodes"

    # 3. Double-click Conv2D in the palette: it appears in the middle of the view, not yet
    #    connected. Click the edge between the pooling layer and Flatten, press Delete.
    #    Drag from the pooling layer's output port to Conv2D's input port (the ports you
    #    may connect to light up; a loop is refused), then Conv2D's output to Flatten.
    QTest.mouseClick(search, LEFT)
    search.clear()
    before = set(graph.nodes)
    double_click_palette(window, "Conv2D")
    (conv,) = set(graph.nodes) - before
    assert graph.node(conv).type_id == "Conv2D"
    assert not graph.in_edges(conv) and not graph.out_edges(conv)
    centre = window.view.center_point()
    card = window.scene.node_item(conv).sceneBoundingRect()
    assert abs(card.center().x() - centre.x()) < card.width()
    assert abs(card.center().y() - centre.y()) < 2 * card.height()
    assert not overlaps(window, conv), "the new Conv2D lands on another node"
    cut = edge_between(window, pool, flatten)
    click_at(window, cut.path().pointAtPercent(0.5))
    assert cut.isSelected() and window.scene.selected_node_ids() == []
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert graph.predecessors(flatten) == [] and graph.successors(pool) == []

    def while_dragging() -> None:
        assert window.scene.node_item(conv).inputs[0].highlight  # may connect: lit
        assert not window.scene.node_item(pool).inputs[0].highlight  # a loop: not lit

    drag_port(window, pool, conv, while_dragging)
    assert graph.predecessors(conv) == [pool]
    drag_port(window, conv, flatten)
    assert graph.predecessors(flatten) == [conv]
    steps_so_far = window.session.undo_stack.index()

    # 4. Conv2D has a red outline and a badge: a 3x3 window does not fit a 2x2 input with
    #    padding='valid'. Select it: the status bar says ✗ Does not build, the inspector
    #    shows Fix: Use padding='same'; click it, the badge goes, ✓ Builds. Undo, redo.
    conv_item = window.scene.node_item(conv)
    qtbot.waitUntil(lambda: conv_item.error is not None)
    assert "valid" in conv_item.error and conv_item.error in conv_item.toolTip()
    qtbot.waitUntil(lambda: window.build_label.text().startswith("✗ Does not build"))
    click_at(window, conv_item.sceneBoundingRect().center())
    assert window.scene.selected_node_ids() == [conv]
    fixes = [b for b in window.inspector.findChildren(QPushButton) if b.text().startswith("Fix: ")]
    assert "Fix: Use padding='same'" in [b.text() for b in fixes]
    (fix,) = [b for b in fixes if b.text() == "Fix: Use padding='same'"]
    QTest.mouseClick(fix, LEFT)
    qtbot.waitUntil(lambda: conv_item.error is None)
    assert graph.node(conv).params["padding"] == "same"
    qtbot.waitUntil(lambda: window.build_label.text() == "✓ Builds")
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: conv_item.error is not None)
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, shift_ctrl)
    qtbot.waitUntil(lambda: conv_item.error is None)
    assert window.session.undo_stack.index() == steps_so_far + 1

    # 5. File → Save As… (Ctrl+Shift+S) writes my_cnn.gbproj; Ctrl+S saves it again.
    target = tmp_path / "my_cnn"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_S, shift_ctrl)
    saved = tmp_path / "my_cnn.gbproj"
    assert saved.exists() and not window.isWindowModified()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("asked"))
    window.session.rename(conv, "Conv 64")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert load_project(saved).graph.node(conv).name == "Conv 64"
    assert DEMO.read_bytes() != saved.read_bytes()

    #    Then, in a terminal, the README's commands.
    commands = step5_commands()
    assert [c[:2] for c in commands] == [
        ["guibuilder", "summary"],
        ["guibuilder", "build"],
        ["guibuilder", "train"],
    ]
    outputs = []
    for command in commands:
        args = [a.replace("my_cnn", str(tmp_path / "my_cnn")) for a in command[1:]]
        done = run_python("-m", "guibuilder", *args, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert "Conv 64" in outputs[0] and "max_pooling" in outputs[0]
    assert (tmp_path / "my_cnn.keras").exists()
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "history.csv").exists()


def test_the_readme_says_what_the_walkthrough_checks():
    steps = readme_steps()
    for words in (
        "Type `pool` in the search box",
        "drag *MaxPooling2D* onto the edge",
        "`(2, 2, 32)`",
        "Double-click *Conv2D* in the palette",
        "press\n   Delete",
        "Fix: Use padding='same'",
        "Ctrl+Z and Ctrl+Shift+Z",
        "Ctrl+Shift+S",
    ):
        assert words in steps, words
    assert Path(DEMO).exists()


# ------------------------------------------------------------------ a teacher
def test_a_teacher_opens_a_template_locks_a_layer_presents_and_steps(window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox

    from guibuilder.ui.dialogs.gallery import TemplateGalleryDialog

    def choose() -> None:  # File > New from Template…: click LeNet-5, then Open
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, TemplateGalleryDialog)
        item = dialog.list.item(dialog.names().index("lenet5"))
        dialog.list.scrollToItem(item)
        QTest.mouseClick(
            dialog.list.viewport(), LEFT, NO_MODS, dialog.list.visualItemRect(item).center()
        )
        QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Open), LEFT)

    QTimer.singleShot(100, choose)
    window.template_action.trigger()
    graph = window.session.graph
    assert "conv2d" in graph and len(graph.nodes) == 9
    window.training_panel.run_root_override = tmp_path / "runs"

    # Lock the first convolution: click it, Teacher > Lock Selected Layers.
    item = window.scene.node_item("conv2d")
    click_at(window, item.sceneBoundingRect().center())
    assert window.scene.selected_node_ids() == ["conv2d"]
    window.classroom.lock_action.trigger()
    assert item.locked

    # Student View hides the teacher's actions; deleting the locked layer is refused.
    window.classroom.student_action.trigger()
    assert not window.classroom.lock_action.isVisible()
    click_at(window, item.sceneBoundingRect().center())
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert "conv2d" in graph
    refused = window.statusBar().currentMessage()
    assert refused[1:] == "ayer 'conv2d' is locked by the teacher, so it cannot be deleted."

    # Present (F5), then step-train three batches (F10 three times).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation.active
    panel = window.training_panel
    points = panel.plots.batch_plot

    for count in (1, 2, 3):
        QTest.keyClick(window, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda n=count: len(points.data("batch")[0]) == n, timeout=90_000)
    qtbot.waitUntil(lambda: "step 3/" in panel.progress.format(), timeout=10_000)
    assert panel.state == "paused" and panel.training.steps_done == 3
    with qtbot.waitSignal(panel.run_ended, timeout=90_000):
        QTest.mouseClick(panel.stop_button, LEFT)
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert not window.presentation.active
