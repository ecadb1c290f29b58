"""The undo command behind the training panel: set one slot of the project.

Training settings, the dataset choice, the trained weights and the classroom settings live
in the project next to the graph (``project.training``, ``project.dataset``,
``project.weights``, ``project.classroom``). Changing one of
them goes through the session's undo stack like any graph edit, so it can be undone and the
window shows the document as modified.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from guibuilder.document import Project

SLOTS = ("training", "dataset", "weights", "classroom")


class ProjectSlotCommand(QUndoCommand):
    """Replace ``project.<slot>`` with ``value``; undo puts the old value back."""

    def __init__(self, project: Project, slot: str, value: Any, text: str) -> None:
        if slot not in SLOTS:
            raise ValueError(f"slot must be one of {SLOTS}, not {slot!r}")
        super().__init__(text)
        self.project = project
        self.slot = slot
        self.old = getattr(project, slot)
        self.new = copy.deepcopy(value) if isinstance(value, dict) else value

    def redo(self) -> None:
        setattr(self.project, self.slot, copy.deepcopy(self.new) if self._plain else self.new)

    def undo(self) -> None:
        setattr(self.project, self.slot, copy.deepcopy(self.old) if self._plain else self.old)

    @property
    def _plain(self) -> bool:
        return self.slot != "weights"
