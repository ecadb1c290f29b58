"""Transfer learning on the canvas: freeze a model's body, keep its weights, replace its head.

*Freeze up to here* freezes a node and everything it depends on as one undo step;
*Unfreeze all* undoes every freeze at once. Both are offered by the canvas' context menu.
:class:`WeightFit` watches the project's stored weights while the graph is edited and says
once, in the status bar, when a kept layer's weights stop fitting it (they would start
fresh when trained).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from guibuilder.errors import GuibuilderError
from guibuilder.training.freeze import body_of, layers_text
from guibuilder.ui.commands import MacroCommand, TrainableCommand
from guibuilder.ui.items import format_count
from guibuilder.ui.session import Session


def freeze_up_to(session: Session, node_id: str) -> list[str]:
    """Freeze ``node_id`` and its ancestors as one undo step; return the nodes it froze."""
    graph = session.graph
    chosen = [n for n in body_of(graph, node_id) if graph.node(n).trainable]
    if chosen:
        parts = [TrainableCommand(graph, n, False) for n in chosen]
        session.push(MacroCommand(f"Freeze up to {node_id}", parts))
    return chosen


def unfreeze_all(session: Session) -> list[str]:
    """Make every frozen node trainable again, as one undo step; return those nodes."""
    graph = session.graph
    frozen = [n.id for n in graph if not n.trainable]
    if frozen:
        parts = [TrainableCommand(graph, n, True) for n in frozen]
        session.push(MacroCommand(f"Unfreeze all ({layers_text(len(frozen))})", parts))
    return frozen


class CanvasMenu(QMenu):
    """The canvas' context menu, for the node under the cursor (or none)."""

    #: A sentence for the status bar: what an action did, or why it could not.
    message = Signal(str)

    def __init__(self, session: Session, node_id: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.node_id = node_id
        graph = session.graph
        self.freeze_action = self.addAction("Freeze up to here", self._freeze)
        self.freeze_action.setToolTip(
            "Freeze this layer and every layer before it: training leaves their weights as they are"
        )
        self.freeze_action.setEnabled(
            node_id is not None and any(graph.node(n).trainable for n in body_of(graph, node_id))
        )
        self.freeze_action.setVisible(node_id is not None)
        self.unfreeze_action = self.addAction("Unfreeze all", self._unfreeze)
        self.unfreeze_action.setToolTip("Make every layer trainable again")
        self.unfreeze_action.setEnabled(any(not n.trainable for n in graph))
        self.setToolTipsVisible(True)

    def _freeze(self) -> None:
        assert self.node_id is not None
        try:
            frozen = freeze_up_to(self.session, self.node_id)
        except GuibuilderError as exc:
            self.message.emit(f"{exc.message}.")
            return
        self.message.emit(
            f"Froze {layers_text(len(frozen))} up to {self.node_id!r}: "
            "training keeps their weights."
        )

    def _unfreeze(self) -> None:
        try:
            thawed = unfreeze_all(self.session)
        except GuibuilderError as exc:
            self.message.emit(f"{exc.message}.")
            return
        self.message.emit(f"Unfroze {layers_text(len(thawed))}: every layer trains again.")


class WeightFit(QObject):
    """Says when stored weights stop fitting their node (a changed parameter or input).

    Compares the number of stored values of each node with the parameter count shape
    inference gives it, after each burst of edits; each node that newly stops fitting is
    named once on ``message``.
    """

    message = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.misfits = set(self.find())
        session.shapes.updated.connect(self.check)
        # Trained (or undone) weights replace the store without a graph edit.
        session.undo_stack.indexChanged.connect(self.check)

    def close(self) -> None:
        """Stop following the session."""
        self.session.shapes.updated.disconnect(self.check)
        self.session.undo_stack.indexChanged.disconnect(self.check)

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
