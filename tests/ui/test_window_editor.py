"""The window's session is the Qt-free editor with a QUndoStack: the two agree."""

from __future__ import annotations

from PySide6.QtCore import QObject

from guibuilder.editing import Editor
from guibuilder.graph import Edge
from guibuilder.ui.window_editor import WindowEditor


def test_no_name_of_the_editor_is_hidden_by_qobject():
    clashes = [n for n in dir(Editor) if not n.startswith("__") and hasattr(QObject, n)]
    assert not clashes


def test_edits_go_on_the_undo_stack_one_command_each(qapp):
    session = WindowEditor()
    try:
        session.add_node("Input", (0, 0))
        session.add_node("Dense", (0, 100))
        session.add_edge(Edge("input", "dense"))
        stack = session.undo_stack
        assert stack.count() == 3 and stack.undoText() == "Connect input to dense"
        assert session.modified
        stack.undo()
        assert not session.graph.edges
        stack.setClean()
        assert not session.modified
        session.seal_history()
        assert stack.count() == 0 and session.modified
    finally:
        session.close()
