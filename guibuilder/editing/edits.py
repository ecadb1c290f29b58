"""Edits: plain objects that change the project one undoable step at a time.

Each edit has a ``text`` (what the Undo menu says), :meth:`Edit.do` and :meth:`Edit.undo`.
Graph edits change only the graph; views follow the graph's events. A composite edit
(splice, paste, freeze) is a :class:`Macro` whose parts run in order on ``do`` and in
reverse on ``undo``. No Qt here: the window wraps each edit in a ``QUndoCommand``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from guibuilder import catalog
from guibuilder.document import Project
from guibuilder.graph import Edge, Graph, Node
from guibuilder.graph.graph import id_prefix

Position = tuple[float, float]

#: The project's slots next to the graph that :class:`SetSlot` replaces.
SLOTS = ("training", "dataset", "weights", "classroom")


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


class Edit:
    """One undoable change; subclasses set ``text`` and define ``do`` and ``undo``."""

    text = ""

    def do(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge(self, following: Edit) -> bool:
        """Absorb ``following`` (done just after this one) into this step; False if not."""
        return False


class Macro(Edit):
    """Several edits as one undo step."""

    def __init__(self, text: str, edits: Iterable[Edit]) -> None:
        self.text = text
        self.edits = list(edits)

    def do(self) -> None:
        for edit in self.edits:
            edit.do()

    def undo(self) -> None:
        for edit in reversed(self.edits):
            edit.undo()


class AddNode(Edit):
    """Add one fully formed node."""

    def __init__(self, graph: Graph, node: Node) -> None:
        self.text = f"Add {node.type_id}"
        self.graph = graph
        self.node = node.copy()

    def do(self) -> None:
        self.graph.insert_node(self.node.copy())

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class Connect(Edit):
    """Add one edge."""

    def __init__(self, graph: Graph, edge: Edge) -> None:
        self.text = f"Connect {edge.source} to {edge.target}"
        self.graph = graph
        self.edge = edge

    def do(self) -> None:
        self.graph.add_edge(self.edge)

    def undo(self) -> None:
        self.graph.disconnect(self.edge)


class Remove(Edit):
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
        self.text = f"Delete {what}"

    def do(self) -> None:
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


class Move(Edit):
    """Move nodes: one edit for a whole mouse drag."""

    def __init__(
        self,
        graph: Graph,
        moves: Mapping[str, tuple[Position, Position]],
        text: str = "Move",
    ) -> None:
        self.text = text
        self.graph = graph
        self.moves = dict(moves)

    def do(self) -> None:
        for node_id, (_old, new) in self.moves.items():
            self.graph.move(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _new) in self.moves.items():
            self.graph.move(node_id, old)


class SetParams(Edit):
    """Change some parameters of a node (of the layer it shares, for a sharer).

    Edits with the same ``merge`` key (not None), of the same parameters of the same node,
    are one undo step: a control passes one key while it keeps the focus, so scrolling
    through values is undone at once.
    """

    def __init__(
        self, graph: Graph, node_id: str, values: Mapping[str, Any], merge: str | None = None
    ) -> None:
        self.text = f"Set {', '.join(values)} of {node_id}"
        self.graph = graph
        self.node_id = graph.owner(node_id).id
        self.values = dict(values)
        self.old = {k: v for k, v in graph.node(self.node_id).params.items() if k in values}
        self.key = merge

    def merge(self, following: Edit) -> bool:
        same = (
            isinstance(following, SetParams)
            and self.key is not None
            and following.key == self.key
            and following.node_id == self.node_id
            and following.values.keys() == self.values.keys()
        )
        if same:
            self.values = following.values
        return same

    def do(self) -> None:
        self.graph.set_params(self.node_id, self.values)

    def undo(self) -> None:
        self.graph.set_params(self.node_id, self.old)


class Rename(Edit):
    """Give a node a new display name."""

    def __init__(self, graph: Graph, node_id: str, name: str) -> None:
        self.text = f"Rename {node_id}"
        self.graph = graph
        self.node_id = node_id
        self.name = name.strip()
        self.old = graph.node(node_id).name

    def do(self) -> None:
        self.graph.rename(self.node_id, self.name)

    def undo(self) -> None:
        self.graph.rename(self.node_id, self.old)


class SetTrainable(Edit):
    """Freeze or unfreeze one node."""

    def __init__(self, graph: Graph, node_id: str, trainable: bool) -> None:
        self.text = f"{'Unfreeze' if trainable else 'Freeze'} {node_id}"
        self.graph = graph
        self.node_id = node_id
        self.trainable = trainable

    def do(self) -> None:
        self.graph.set_trainable(self.node_id, self.trainable)

    def undo(self) -> None:
        self.graph.set_trainable(self.node_id, not self.trainable)


class SetSlot(Edit):
    """Replace ``project.<slot>`` (a slot of :data:`SLOTS`) with ``value``.

    Training settings, the dataset choice, the trained weights and the classroom settings
    live in the project next to the graph; changing one is an edit like any graph edit, so
    it can be undone and the project counts as modified. Changes with one ``merge`` key
    merge as :class:`SetParams` ones do.
    """

    def __init__(
        self, project: Project, slot: str, value: Any, text: str, merge: str | None = None
    ) -> None:
        if slot not in SLOTS:
            raise ValueError(f"slot must be one of {SLOTS}, not {slot!r}")
        self.text = text
        self.project = project
        self.slot = slot
        self.old = getattr(project, slot)
        self.new = copy.deepcopy(value) if isinstance(value, dict) else value
        self.key = merge

    def merge(self, following: Edit) -> bool:
        """Absorb a following change of the same slot with the same ``merge`` key (not None)."""
        same = (
            isinstance(following, SetSlot)
            and self.key is not None
            and following.key == self.key
            and following.slot == self.slot
        )
        if same:
            self.new = following.new
        return same

    def do(self) -> None:
        setattr(self.project, self.slot, copy.deepcopy(self.new) if self._plain else self.new)

    def undo(self) -> None:
        setattr(self.project, self.slot, copy.deepcopy(self.old) if self._plain else self.old)

    @property
    def _plain(self) -> bool:
        return self.slot != "weights"


def splice(graph: Graph, node: Node, edge: Edge, text: str) -> Macro:
    """The edit that puts the new ``node`` into ``edge`` (its first input, its output 0)."""
    port = catalog.get(node.type_id).inputs[0].name
    return Macro(
        text,
        [
            Remove(graph, edges=[edge]),
            AddNode(graph, node),
            Connect(graph, Edge(edge.source, node.id, port, edge.output, 0)),
            Connect(graph, Edge(node.id, edge.target, edge.port, 0, edge.slot)),
        ],
    )
