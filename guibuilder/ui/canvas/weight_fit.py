"""Transfer learning on the canvas: keep a model's weights while its head is replaced.

Freezing is an edit (:mod:`guibuilder.editing.freeze`), offered by the Edit menu and the
canvas' context menu (:mod:`guibuilder.ui.canvas.menu`).
:class:`WeightFit` watches the project's stored weights while the graph is edited and says
once, in the status bar, when a kept layer's weights stop fitting it (they would start
fresh when trained).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from guibuilder.ui.canvas.items import format_count
from guibuilder.ui.window_editor import WindowEditor


class WeightFit(QObject):
    """Says when stored weights stop fitting their node (a changed parameter or input).

    Compares the number of stored values of each node with the parameter count shape
    inference gives it, after each burst of edits; each node that newly stops fitting is
    named once on ``message``.
    """

    message = Signal(str)

    def __init__(self, session: WindowEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.misfits = set(self.find())
        session.shapes.updated.connect(self.check)
        # Trained (or undone) weights replace the store without a graph edit.
        session.project.events.weights.connect(self.check)

    def close(self) -> None:
        """Stop following the session."""
        self.session.shapes.updated.disconnect(self.check)
        self.session.project.events.weights.disconnect(self.check)

    def find(self) -> dict[str, tuple[int, int]]:
        """``{node id: (stored values, parameters)}`` of the nodes whose weights misfit."""
        project = self.session.project
        store, graph = project.weights, project.graph
        results = self.session.shapes.results()
        found: dict[str, tuple[int, int]] = {}
        for node_id in store or ():
            info = results.get(node_id)
            if node_id not in graph or info is None or not info.ok:
                continue
            stored = sum(int(a.size) for a in store.get(node_id) or ())
            if stored != info.params:
                found[node_id] = (stored, info.params)
        return found

    def check(self) -> None:
        """Work out the misfits again and report the new ones."""
        found = self.find()
        new = [n for n in found if n not in self.misfits]
        self.misfits = set(found)
        if len(new) == 1:
            stored, params = found[new[0]]
            self.message.emit(
                f"The stored weights of {new[0]!r} no longer fit it ({format_count(stored)} "
                f"values for {format_count(params)} parameters): it starts fresh when trained."
            )
        elif new:
            names = ", ".join(repr(n) for n in new)
            self.message.emit(
                f"The stored weights of {names} no longer fit them: they start fresh when trained."
            )
