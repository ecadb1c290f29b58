"""The undo history of an editor: where its edits go once they are checked.

:class:`History` is the plain one (a script, the command line, the tests). The window
uses a ``QUndoStack`` instead, behind the same three calls (``push``, ``seal``,
``modified``), so its Undo menu, shortcuts and undo view work as Qt's do.
"""

from __future__ import annotations

from typing import Protocol

from psygnal import Signal, SignalGroup

from guibuilder.editing.edits import Edit


class Recorder(Protocol):
    """What an editor needs of its history."""

    def push(self, edit: Edit) -> None:
        """Do ``edit`` and remember it as the newest undo step."""

    def seal(self) -> None:
        """Forget every step; the project still counts as modified."""

    @property
    def modified(self) -> bool:
        """Whether the project differs from when it was last marked clean (saved)."""


class HistoryEvents(SignalGroup):
    """``changed`` follows every push, undo, redo and clear; ``clean_changed`` says
    whether the project is now as saved."""

    changed = Signal()
    clean_changed = Signal(bool)


class History:
    """An undo stack of :class:`~guibuilder.editing.edits.Edit` objects."""

    def __init__(self) -> None:
        self._edits: list[Edit] = []
        self._index = 0
        self._clean: int | None = 0
        self.events = HistoryEvents()

    @property
    def index(self) -> int:
        """How many edits are done (the rest can be redone)."""
        return self._index

    def __len__(self) -> int:
        return len(self._edits)

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._edits)

    @property
    def undo_text(self) -> str:
        return self._edits[self._index - 1].text if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        return self._edits[self._index].text if self.can_redo else ""

    @property
    def modified(self) -> bool:
        return self._clean != self._index

    def push(self, edit: Edit) -> None:
        """Do ``edit``; it replaces what could be redone, or merges into the newest step."""
        was = self.modified
        edit.do()
        del self._edits[self._index :]
        if self._clean is not None and self._clean > self._index:
            self._clean = None
        top = self._edits[-1] if self._edits and self._clean != self._index else None
        if top is None or not top.merge(edit):
            self._edits.append(edit)
            self._index += 1
        self._announce(was)

    def undo(self) -> None:
        """Undo the newest done edit (nothing if there is none)."""
        if self.can_undo:
            was = self.modified
            self._index -= 1
            self._edits[self._index].undo()
            self._announce(was)

    def redo(self) -> None:
        """Do again the oldest undone edit (nothing if there is none)."""
        if self.can_redo:
            was = self.modified
            self._edits[self._index].do()
            self._index += 1
            self._announce(was)

    def set_clean(self) -> None:
        """Mark the project as saved as it is now."""
        was = self.modified
        self._clean = self._index
        self._announce(was)

    def seal(self) -> None:
        """Forget every step; the project counts as modified until it is saved."""
        was = self.modified
        self._edits.clear()
        self._index = 0
        self._clean = None
        self._announce(was)

    def _announce(self, was_modified: bool) -> None:
        self.events.changed.emit()
        if self.modified != was_modified:
            self.events.clean_changed.emit(not self.modified)
