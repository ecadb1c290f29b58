"""Editing a project: every edit the window offers, checked, undoable, without Qt.

:class:`Editor` holds the project being edited and its undo history; each of its methods
checks an edit (the graph's rules, a teacher's locks) and pushes it as a plain
:class:`~guibuilder.editing.edits.Edit` with ``do`` and ``undo``. The window wraps the
same edits in ``QUndoCommand`` objects; a script or the command line uses
:class:`History`. Quick fixes (:mod:`guibuilder.editing.quickfix`) and freezing
(:mod:`guibuilder.editing.freeze`) are edits too. No Qt, no Keras at import.
"""

from guibuilder.editing.editor import NODES_MIME, Editor
from guibuilder.editing.edits import Edit, Macro
from guibuilder.editing.history import History

__all__ = ["NODES_MIME", "Edit", "Editor", "History", "Macro"]
