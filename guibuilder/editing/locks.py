"""A teacher's locks on edits: which edit a classroom's settings refuse.

The locks themselves are the project's classroom settings
(:class:`~guibuilder.document.Classroom`); here each kind of edit is matched to the lock
that can refuse it. :meth:`Editor.push <guibuilder.editing.editor.Editor.push>` asks
before doing any edit.
"""

from __future__ import annotations

from guibuilder.document import Classroom, Project
from guibuilder.editing.edits import (
    Connect,
    Edit,
    Macro,
    Remove,
    Rename,
    SetParams,
    SetSlot,
    SetTrainable,
)
from guibuilder.training.config import TrainConfig


def check_locks(classroom: Classroom, project: Project, edit: Edit) -> None:
    """Raise :class:`~guibuilder.document.LockedError` if ``edit`` breaks a lock."""
    if isinstance(edit, Macro):
        for part in edit.edits:
            check_locks(classroom, project, part)
    elif isinstance(edit, Remove):
        classroom.check_remove(project.graph, edit.node_ids, edit.edges)
    elif isinstance(edit, Connect):
        classroom.check_edge(edit.edge)
    elif isinstance(edit, SetParams):
        classroom.check_node(edit.node_id, "parameters")
    elif isinstance(edit, Rename):
        classroom.check_node(edit.node_id, "name")
    elif isinstance(edit, SetTrainable):
        classroom.check_node(edit.node_id, "trainable setting")
    elif isinstance(edit, SetSlot) and edit.slot == "training":
        classroom.check_settings(edit.old, edit.new, _DEFAULT_SETTINGS)
    elif isinstance(edit, SetSlot) and edit.slot == "dataset":
        classroom.check_dataset(edit.old, edit.new)


def enters_student_view(edit: Edit) -> bool:
    """Whether ``edit`` sets classroom settings that are in Student View."""
    return (
        isinstance(edit, SetSlot)
        and edit.slot == "classroom"
        and isinstance(edit.new, Classroom)
        and edit.new.student_view
    )


_DEFAULT_SETTINGS = TrainConfig().to_dict()
