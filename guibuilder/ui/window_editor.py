"""The window's open document: the Qt-free editor with a ``QUndoStack`` as its history.

Every edit is made and checked by :class:`~guibuilder.editing.Editor`; here each one is
wrapped in an :class:`EditCommand`, so the window's Undo menu, shortcuts and clean state
are Qt's own. The session also follows the graph with live shape inference.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from guibuilder.document import Project
from guibuilder.editing import NODES_MIME, Edit, Editor
from guibuilder.ui.live import LiveShapes

__all__ = ["NODES_MIME", "EditCommand", "UndoStackHistory", "WindowEditor"]


class EditCommand(QUndoCommand):
    """A ``QUndoCommand`` that does and undoes one plain edit."""

    def __init__(self, edit: Edit) -> None:
        super().__init__(edit.text)
        self.edit = edit

    def redo(self) -> None:
        self.edit.do()

    def undo(self) -> None:
        self.edit.undo()

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, EditCommand) and self.edit.merge(other.edit)


class UndoStackHistory:
    """An editor's history kept on a ``QUndoStack``."""

    def __init__(self, stack: QUndoStack) -> None:
        self.stack = stack

    def push(self, edit: Edit) -> None:
        self.stack.push(EditCommand(edit))

    def seal(self) -> None:
        self.stack.clear()
        self.stack.resetClean()

    @property
    def modified(self) -> bool:
        return not self.stack.isClean()


class WindowEditor(QObject, Editor):
    """The window's open project: the editor with its undo stack and its live shapes."""

    title_changed = Signal()

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        self.undo_stack = QUndoStack(self)
        Editor.__init__(self, project, UndoStackHistory(self.undo_stack))
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.shapes = LiveShapes(self.graph, self)

    def _clean_changed(self, _clean: bool) -> None:
        self.title_changed.emit()

    def close(self) -> None:
        """Stop following the graph; the session is not used again."""
        self.shapes.close()
        self.undo_stack.clear()
