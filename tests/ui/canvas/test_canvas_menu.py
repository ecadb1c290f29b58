"""The canvas' context menu, right-clicked as a person does: the window's own actions for the
layer under the cursor, and a teacher's locks in the student view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from guibuilder.ui.canvas.summary import FROZEN_NOTE
from tests.ui.canvas.test_transfer import context_menu, entry_text, right_click
from tests.ui.helpers import chain_graph, click_node, show

NODE_ENTRIES = [
    "Copy",
    "Paste",
    "Duplicate",
    "Delete",
    "Rename",
    "What Does This Layer Do?",
    "Show Activations",
    "Freeze Up to Here",
    "Unfreeze All",
]
LOCK_ENTRIES = ["Lock Layer", "Unlock Layer"]


def entries(window, qtbot, node_id: str | None) -> dict[str, bool]:
    """Right-click ``node_id`` (or empty canvas): ``{visible entry: enabled}``; the menu closes."""
    found: dict[str, bool] = {}

    def read(menu: QMenu) -> None:
        for action in menu.actions():
            if action.isVisible() and not action.isSeparator():
                found[entry_text(action)] = action.isEnabled()
        menu.close()

    right_click(window, qtbot, node_id, read)
    return found


def shown(window, graph):
    session = show(window, graph)
    window.view.fit()
    return session


def test_a_layers_menu_offers_the_edit_actions_and_its_delete_can_be_undone(window, qtbot):
    session = shown(window, chain_graph())
    graph = session.graph
    menu = entries(window, qtbot, "hidden")
    assert list(menu) == NODE_ENTRIES + LOCK_ENTRIES  # the teacher's tools are on
    assert window.scene.selected_node_ids() == ["hidden"]
    assert menu["Delete"] and menu["Copy"] and menu["Freeze Up to Here"]
    assert not menu["Unfreeze All"] and not menu["Unlock Layer"]
    # The same rules as the Edit menu's actions: they are those actions.
    assert menu["Delete"] == window.delete_action.isEnabled()
    empty = entries(window, qtbot, None)
    assert list(empty) == ["Paste", "Select All", "Fit View", "Auto-Layout", "Unfreeze All"]

    edges = list(graph.edges)
    assert context_menu(window, qtbot, "hidden", "Delete")
    assert "hidden" not in graph and window.scene.node_item("hidden") is None
    window.undo_action.trigger()
    assert list(graph.nodes) == ["x", "hidden", "out"] and list(graph.edges) == edges
    assert window.scene.node_item("hidden") is not None


def test_copy_from_a_layer_and_paste_on_empty_canvas(window, qtbot):
    session = shown(window, chain_graph())
    window.scene.clearSelection()
    assert entries(window, qtbot, None)["Select All"]  # there are layers
    assert context_menu(window, qtbot, "out", "Copy")
    assert context_menu(window, qtbot, None, "Paste")
    assert list(session.graph.nodes) == ["x", "hidden", "out", "dense"]
    assert window.scene.selected_node_ids() == ["dense"]
    assert context_menu(window, qtbot, "dense", "Duplicate")
    assert len(session.graph.nodes) == 5


def test_explain_and_show_activations_bring_up_their_panels_for_that_layer(window, qtbot):
    shown(window, chain_graph())
    window.explain_dock.hide()
    assert context_menu(window, qtbot, "out", "What Does This Layer Do?")
    assert window.explain_dock.isVisible() and window.explain_panel.node_id == "out"
    window.inspect_dock.hide()
    assert context_menu(window, qtbot, "hidden", "Show Activations")
    panel = window.inspect_panel
    assert window.inspect_dock.isVisible() and panel.node_id == "hidden"
    assert panel.tabs.currentWidget() is panel.activation_page


def test_the_edit_menu_freezes_and_unfreezes_with_the_menus_own_actions(window, qtbot):
    session = shown(window, chain_graph())
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    canvas = window.canvas_actions
    assert {canvas.freeze_action, canvas.unfreeze_action} <= set(edit.actions())
    window.scene.clearSelection()
    assert not canvas.freeze_action.isEnabled()  # nothing selected
    click_node(window, "hidden")
    canvas.freeze_action.trigger()
    assert [n.id for n in session.graph if not n.trainable] == ["hidden"]
    assert entries(window, qtbot, None)["Unfreeze All"]
    canvas.unfreeze_action.trigger()
    assert all(n.trainable for n in session.graph)


def test_lock_is_offered_to_the_teacher_and_a_student_sees_locked_edits_disabled(window, qtbot):
    session = shown(window, chain_graph())
    graph = session.graph
    assert context_menu(window, qtbot, "hidden", "Lock Layer")
    assert session.project.classroom.locked_nodes == {"hidden"}
    assert window.scene.node_item("hidden").locked
    teacher = entries(window, qtbot, "hidden")
    assert teacher["Unlock Layer"] and not teacher["Lock Layer"]
    assert teacher["Delete"]  # the teacher tries, and the status bar says why not

    window.classroom.student_action.trigger()
    student = entries(window, qtbot, "hidden")
    assert list(student) == NODE_ENTRIES  # no Lock / Unlock
    assert not student["Delete"] and not student["Rename"] and not student["Freeze Up to Here"]
    assert student["Copy"] and student["Duplicate"] and student["What Does This Layer Do?"]
    assert not window.delete_action.isEnabled()  # the Edit menu says the same
    assert "locked by the teacher" in window.delete_action.toolTip()
    before = (list(graph.nodes), list(graph.edges))
    assert not context_menu(window, qtbot, "hidden", "Delete")
    assert (list(graph.nodes), list(graph.edges)) == before
    # The Delete key does nothing either, but the status bar says why.
    window.scene.select_nodes(["hidden"])
    window.view.setFocus()
    window.statusBar().clearMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert "locked by the teacher" in window.statusBar().currentMessage()
    assert (list(graph.nodes), list(graph.edges)) == before
    # 'out' is free, but freezing up to it would freeze the locked layer too.
    free = entries(window, qtbot, "out")
    assert free["Delete"] and free["Rename"] and not free["Freeze Up to Here"]
    assert window.delete_action.toolTip() == "Delete"
    assert context_menu(window, qtbot, "out", "Delete")
    assert "out" not in graph


def test_the_summary_marks_locked_and_frozen_layers(window, qtbot):
    session = shown(window, chain_graph())
    summary = window.summary
    click_node(window, "out")
    window.canvas_actions.freeze_action.trigger()
    assert not session.graph.node("hidden").trainable  # frozen up to 'out'
    click_node(window, "hidden")
    window.classroom.lock_action.trigger()

    def row(node_id: str) -> list:
        r = summary.row_ids().index(node_id)
        return [summary.table.item(r, c) for c in range(summary.table.columnCount())]

    qtbot.waitUntil(lambda: row("out")[3].text().endswith("❄"))
    name, *_, params = row("hidden")
    assert not name.icon().isNull() and "Locked by the teacher" in name.toolTip()
    assert params.text().endswith("❄") and FROZEN_NOTE in params.toolTip()
    assert row("out")[0].icon().isNull() and "Locked" not in row("out")[0].toolTip()
    assert not row("x")[3].text().endswith("❄")  # an input has no weights to freeze
    assert "1 locked" in summary.total.text()
    window.classroom.unlock_all_action.trigger()
    qtbot.waitUntil(lambda: row("hidden")[0].icon().isNull())
    assert "locked" not in summary.total.text()
