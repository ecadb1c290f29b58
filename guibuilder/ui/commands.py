"""Undo commands. Each one changes only the graph; the canvas follows the graph's events.

A composite edit (splice, paste) is a :class:`MacroCommand` whose parts run in order on
redo and in reverse on undo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from guibuilder.graph import Edge, Graph, Node
from guibuilder.graph.graph import id_prefix

Position = tuple[float, float]


def fresh_ids(graph: Graph, type_ids: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """New node ids in Keras' style, one per type id, unused in ``graph`` and distinct.

    Ids in ``reserved`` are not given either: the project's weight store passes its ids, so
    a new layer never takes over the weights of a deleted one with the same id.
    """
    taken = set(graph.nodes) | set(reserved)
    ids: list[str] = []
    for type_id in type_ids:
        prefix = id_prefix(type_id)
        candidate, i = prefix, 1
        while candidate in taken:
            candidate, i = f"{prefix}_{i}", i + 1
        taken.add(candidate)
        ids.append(candidate)
    return ids


def restore_order(graph: Graph, order: list[str]) -> None:
    """Put the graph's nodes back in ``order`` (the order decides model inputs and outputs).

    Nodes from the first misplaced one on are taken out with their edges and put back in
    order; the explicit output list is kept.
    """
    current = list(graph.nodes)
    wanted = [nid for nid in order if nid in graph] + [n for n in current if n not in order]
    if current == wanted:
        return
    first = next(i for i, (a, b) in enumerate(zip(current, wanted, strict=True)) if a != b)
    tail = current[first:]
    outputs = graph.explicit_outputs
    edges: set[Edge] = set()
    nodes: dict[str, Node] = {}
    for node_id in reversed(tail):
        node, removed = graph.remove_node(node_id)
        nodes[node_id] = node
        edges.update(removed)
    for node_id in wanted[first:]:
        graph.insert_node(nodes[node_id])
    for edge in sorted(edges):
        graph.add_edge(edge)
    graph.set_outputs(outputs)


class MacroCommand(QUndoCommand):
    """Several commands as one undo step."""

    def __init__(self, text: str, commands: Iterable[QUndoCommand]) -> None:
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


class AddNodeCommand(QUndoCommand):
    """Add one fully formed node."""

    def __init__(self, graph: Graph, node: Node) -> None:
        super().__init__(f"Add {node.type_id}")
        self.graph = graph
        self.node = node.copy()

    def redo(self) -> None:
        self.graph.insert_node(self.node.copy())

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class ConnectCommand(QUndoCommand):
    """Add one edge."""

    def __init__(self, graph: Graph, edge: Edge) -> None:
        super().__init__(f"Connect {edge.source} to {edge.target}")
        self.graph = graph
        self.edge = edge

    def redo(self) -> None:
        self.graph.add_edge(self.edge)

    def undo(self) -> None:
        self.graph.disconnect(self.edge)


class RemoveCommand(QUndoCommand):
    """Remove nodes (with their edges) and single edges; undo restores the exact graph."""

    def __init__(
        self,
        graph: Graph,
        node_ids: Iterable[str] = (),
        edges: Iterable[Edge] = (),
    ) -> None:
        self.graph = graph
        wanted = set(node_ids)
        self.node_ids = [nid for nid in reversed(list(graph.nodes)) if nid in wanted]
        self.edges = sorted(set(edges))
        self.order: list[str] = []
        self.outputs = graph.explicit_outputs
        self.removed_nodes: list[Node] = []
        self.removed_edges: set[Edge] = set()
        count = len(self.node_ids)
        what = f"{count} node{'s' if count != 1 else ''}" if count else "edge"
        super().__init__(f"Delete {what}")

    def redo(self) -> None:
        self.order = list(self.graph.nodes)
        self.outputs = self.graph.explicit_outputs
        self.removed_nodes = []
        self.removed_edges = set()
        present = set(self.graph.edges)
        for edge in self.edges:
            if edge in present:
                self.graph.disconnect(edge)
                self.removed_edges.add(edge)
        for node_id in self.node_ids:
            node, edges = self.graph.remove_node(node_id)
            self.removed_nodes.append(node)
            self.removed_edges.update(edges)

    def undo(self) -> None:
        for node in reversed(self.removed_nodes):
            self.graph.insert_node(node)
        for edge in sorted(self.removed_edges):
            self.graph.add_edge(edge)
        restore_order(self.graph, self.order)
        self.graph.set_outputs(self.outputs)


class MoveCommand(QUndoCommand):
    """Move nodes: one command for a whole mouse drag."""

    def __init__(
        self,
        graph: Graph,
        moves: Mapping[str, tuple[Position, Position]],
        text: str = "Move",
    ) -> None:
        super().__init__(text)
        self.graph = graph
        self.moves = dict(moves)

    def redo(self) -> None:
        for node_id, (_old, new) in self.moves.items():
            self.graph.move(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _new) in self.moves.items():
            self.graph.move(node_id, old)


class ParamsCommand(QUndoCommand):
    """Change some parameters of a node (of the layer it shares, for a sharer)."""

    def __init__(
        self,
        graph: Graph,
        node_id: str,
        values: Mapping[str, Any],
    ) -> None:
        names = ", ".join(values)
        super().__init__(f"Set {names} of {node_id}")
        self.graph = graph
        self.node_id = graph.owner(node_id).id
        self.values = dict(values)
        self.old = {k: v for k, v in graph.node(self.node_id).params.items() if k in values}

    def redo(self) -> None:
        self.graph.set_params(self.node_id, self.values)

    def undo(self) -> None:
        self.graph.set_params(self.node_id, self.old)


class RenameCommand(QUndoCommand):
    def __init__(
        self, graph: Graph, node_id: str, name: str, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(f"Rename {node_id}")
        self.graph = graph
        self.node_id = node_id
        self.name = name.strip()
        self.old = graph.node(node_id).name

    def redo(self) -> None:
        self.graph.rename(self.node_id, self.name)

    def undo(self) -> None:
        self.graph.rename(self.node_id, self.old)


class TrainableCommand(QUndoCommand):
    def __init__(
        self, graph: Graph, node_id: str, trainable: bool, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(f"{'Unfreeze' if trainable else 'Freeze'} {node_id}")
        self.graph = graph
        self.node_id = node_id
        self.trainable = trainable

    def redo(self) -> None:
        self.graph.set_trainable(self.node_id, self.trainable)

    def undo(self) -> None:
        self.graph.set_trainable(self.node_id, not self.trainable)
