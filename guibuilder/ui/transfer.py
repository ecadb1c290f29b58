"""Transfer learning on the canvas: freeze a model's body, keep its weights, replace its head.

*Freeze up to here* freezes a node and everything it depends on as one undo step;
*Unfreeze all* undoes every freeze at once. Both are actions of the Edit menu and the
canvas' context menu (:mod:`guibuilder.ui.canvas_menu`).
:class:`WeightFit` watches the project's stored weights while the graph is edited and says
once, in the status bar, when a kept layer's weights stop fitting it (they would start
fresh when trained).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from guibuilder.graph import Graph
from guibuilder.training.freeze import body_of, layers_text
from guibuilder.ui.commands import MacroCommand, TrainableCommand
from guibuilder.ui.items import format_count
from guibuilder.ui.session import Session


def freeze_command(graph: Graph, node_ids: Iterable[str]) -> MacroCommand | None:
    """The undo step that freezes ``node_ids`` and their ancestors; None if all are frozen."""
    ids = list(node_ids)
    body = {n for node_id in ids for n in body_of(graph, node_id)}
    chosen = [n for n in graph.nodes if n in body and graph.node(n).trainable]
    if not chosen:
        return None
    parts = [TrainableCommand(graph, n, False) for n in chosen]
    return MacroCommand(f"Freeze up to {', '.join(ids)}", parts)


def unfreeze_command(graph: Graph) -> MacroCommand | None:
    """The undo step that makes every frozen node trainable again; None if none is frozen."""
    frozen = [n.id for n in graph if not n.trainable]
    if not frozen:
        return None
    parts = [TrainableCommand(graph, n, True) for n in frozen]
    return MacroCommand(f"Unfreeze all ({layers_text(len(frozen))})", parts)


def freeze_up_to(session: Session, *node_ids: str) -> list[str]:
    """Freeze ``node_ids`` and their ancestors as one undo step; return the nodes it froze."""
    command = freeze_command(session.graph, node_ids)
    if command is None:
        return []
    session.push(command)
    return [part.node_id for part in command.commands]


def unfreeze_all(session: Session) -> list[str]:
    """Make every frozen node trainable again, as one undo step; return those nodes."""
    command = unfreeze_command(session.graph)
    if command is None:
        return []
    session.push(command)
    return [part.node_id for part in command.commands]


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
