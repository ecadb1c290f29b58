"""The graph of layers: the single source of truth of a model.

Every change goes through a method here, is checked first, and emits an event on
``graph.events``. Views subscribe to the events; they never keep a copy of parameters or
connections. Nothing here imports Qt or Keras.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from psygnal import Signal, SignalGroup

from guibuilder import catalog
from guibuilder.catalog import LayerSpec, PortSpec
from guibuilder.errors import shown
from guibuilder.graph.errors import (
    CycleError,
    DuplicateEdgeError,
    DuplicateNodeError,
    GraphError,
    MissingInputError,
    NoInputError,
    NoOutputError,
    PortError,
    SharedLayerError,
    UnknownLayerTypeError,
    UnknownNodeError,
)
from guibuilder.graph.model import NODE_ID_RE, Edge, Node

OutputRef = tuple[str, int]


class GraphEvents(SignalGroup):
    """Signals emitted after each change. ``changed`` follows every other one."""

    node_added = Signal(Node)
    node_removed = Signal(Node)
    node_changed = Signal(str, str)  # node id, what: params | name | trainable | shares
    node_moved = Signal(str, tuple)
    edge_added = Signal(Edge)
    edge_removed = Signal(Edge)
    outputs_changed = Signal()
    changed = Signal()


def id_prefix(type_id: str) -> str:
    """``Conv2D`` -> ``conv2d``, ``MultiHeadAttention`` -> ``multi_head_attention``."""
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", type_id)
    return re.sub(r"[^A-Za-z0-9_]", "_", snake).lower()


class Graph:
    """Nodes, edges and the ordered model outputs."""

    def __init__(self, name: str = "model") -> None:
        self.name = name
        self._nodes: dict[str, Node] = {}
        self._edges: set[Edge] = set()
        self._in: dict[str, list[Edge]] = {}
        self._out: dict[str, list[Edge]] = {}
        self._outputs: list[OutputRef] = []
        self.events = GraphEvents()

    # ----------------------------------------------------------------- reading
    @property
    def nodes(self) -> Mapping[str, Node]:
        return self._nodes

    @property
    def edges(self) -> list[Edge]:
        """All edges, in a stable order."""
        return sorted(self._edges)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node {shown(node_id)}", ()) from None

    def spec(self, node_id: str) -> LayerSpec:
        return catalog.get(self.node(node_id).type_id)

    def owner(self, node_id: str) -> Node:
        """The node whose layer ``node_id`` applies: itself, or the node it shares."""
        node = self.node(node_id)
        return self._nodes[node.shares] if node.shares else node

    def effective_params(self, node_id: str) -> dict[str, Any]:
        return self.owner(node_id).params

    def in_edges(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id`` in call order: by port, then slot."""
        order = {p.name: i for i, p in enumerate(self.spec(node_id).inputs)}
        return sorted(self._in.get(node_id, []), key=lambda e: (order.get(e.port, 99), e.slot))

    def out_edges(self, node_id: str) -> list[Edge]:
        return sorted(self._out.get(node_id, []))

    def predecessors(self, node_id: str) -> list[str]:
        return list(dict.fromkeys(e.source for e in self.in_edges(node_id)))

    def successors(self, node_id: str) -> list[str]:
        return list(dict.fromkeys(e.target for e in self.out_edges(node_id)))

    def sharers(self, node_id: str) -> list[str]:
        """Nodes that apply the layer of ``node_id`` again."""
        return [n.id for n in self._nodes.values() if n.shares == node_id]

    def num_outputs(self, node_id: str) -> int:
        return self.spec(node_id).num_outputs(self.effective_params(node_id))

    def input_nodes(self) -> list[str]:
        """Input nodes, in graph order: the order of the built model's inputs."""
        return [n.id for n in self._nodes.values() if n.type_id == "Input"]

    def outputs(self) -> list[OutputRef]:
        """The model outputs: the explicit list if set, else every output of every sink."""
        if self._outputs:
            return list(self._outputs)
        refs: list[OutputRef] = []
        for node in self._nodes.values():
            if node.type_id != "Input" and not self._out[node.id]:
                refs.extend((node.id, i) for i in range(self.num_outputs(node.id)))
        return refs

    @property
    def explicit_outputs(self) -> list[OutputRef]:
        return list(self._outputs)

    def new_id(self, type_id: str) -> str:
        """A fresh id in Keras' style: ``dense``, ``dense_1``, ``dense_2`` ..."""
        prefix = id_prefix(type_id)
        if prefix not in self._nodes:
            return prefix
        i = 1
        while f"{prefix}_{i}" in self._nodes:
            i += 1
        return f"{prefix}_{i}"

    def downstream(self, node_ids: Iterable[str]) -> set[str]:
        """The given nodes and every node that depends on them (sharers included)."""
        return self._reach(node_ids, lambda n: [e.target for e in self._out[n]] + self.sharers(n))

    def upstream(self, node_ids: Iterable[str]) -> set[str]:
        """The given nodes and every node they depend on (owners of shared layers included)."""

        def sources(node_id: str) -> list[str]:
            owner = self._nodes[node_id].shares
            return [e.source for e in self._in[node_id]] + ([owner] if owner else [])

        return self._reach(node_ids, sources)

    def _reach(self, node_ids: Iterable[str], step: Callable[[str], list[str]]) -> set[str]:
        """The given nodes and every node reached from them by repeating ``step``."""
        seen: set[str] = set()
        stack = [n for n in node_ids if n in self._nodes]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(step(current))
        return seen

    def topological_order(self) -> list[str]:
        """Node ids so that every edge goes forward; raises :class:`CycleError`."""
        indegree = {nid: 0 for nid in self._nodes}
        for edge in self._edges:
            indegree[edge.target] += 1
        ready = [nid for nid, d in indegree.items() if d == 0]
        order: list[str] = []
        while ready:
            current = ready.pop(0)
            order.append(current)
            for edge in self.out_edges(current):
                indegree[edge.target] -= 1
                if indegree[edge.target] == 0:
                    ready.append(edge.target)
        if len(order) != len(self._nodes):
            stuck = [nid for nid, d in indegree.items() if d > 0]
            raise CycleError(f"the graph has a loop through {', '.join(stuck)}", stuck)
        return order

    # ------------------------------------------------------------------ nodes
    def add_node(
        self,
        type_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        node_id: str | None = None,
        name: str | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        trainable: bool = True,
        shares: str | None = None,
        call_kwargs: Mapping[str, Any] | None = None,
    ) -> Node:
        """Create a node of ``type_id``; missing params get their defaults."""
        if not catalog.has(type_id):
            raise UnknownLayerTypeError(f"unknown layer type {shown(type_id)}", ())
        spec = catalog.get(type_id)
        node_id = node_id or self.new_id(type_id)
        node = Node(
            id=node_id,
            type_id=type_id,
            name=name or node_id,
            params={} if shares else catalog.normalize_params(spec, params or {}),
            position=(float(position[0]), float(position[1])),
            trainable=trainable,
            shares=shares,
            call_kwargs=dict(call_kwargs or {}),
        )
        self.insert_node(node)
        return node

    def insert_node(self, node: Node) -> None:
        """Add a fully formed node (undo, paste, file load)."""
        if not isinstance(node.id, str) or not NODE_ID_RE.match(node.id):
            raise GraphError(
                f"{shown(node.id)} is not a valid node id: use letters, digits, '_', '.', '-'", ()
            )
        if node.id in self._nodes:
            raise DuplicateNodeError(f"a node called {shown(node.id)} exists already", [node.id])
        if not catalog.has(node.type_id):
            raise UnknownLayerTypeError(
                f"node {shown(node.id)} has unknown layer type {shown(node.type_id)}", []
            )
        if node.shares is not None:
            self._check_share(node)
        self._nodes[node.id] = node
        self._in[node.id] = []
        self._out[node.id] = []
        self.events.node_added.emit(node)
        self.events.changed.emit()

    def _check_share(self, node: Node) -> None:
        owner = self._nodes.get(node.shares or "")
        if owner is None:
            raise SharedLayerError(
                f"{shown(node.id)} shares the layer of {shown(node.shares)}, which does not exist",
                [],
            )
        if owner.shares is not None or owner.type_id != node.type_id or owner.type_id == "Input":
            raise SharedLayerError(
                f"{shown(node.id)} cannot share the layer of {shown(owner.id)}: "
                "it must be a layer of the same type that shares no other layer",
                [owner.id],
            )

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its edges; return both so that an undo can restore them."""
        node = self.node(node_id)
        sharers = self.sharers(node_id)
        if sharers:
            raise SharedLayerError(
                f"{shown(node_id)} is shared by {', '.join(sharers)}: remove those first",
                [node_id, *sharers],
            )
        removed = sorted(set(self._in[node_id]) | set(self._out[node_id]))
        for edge in removed:
            self.disconnect(edge)
        if any(ref[0] == node_id for ref in self._outputs):
            self.set_outputs([r for r in self._outputs if r[0] != node_id])
        del self._nodes[node_id], self._in[node_id], self._out[node_id]
        self.events.node_removed.emit(node)
        self.events.changed.emit()
        return node, removed

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        self.set_params(node_id, {name: value})

    def set_params(self, node_id: str, values: Mapping[str, Any]) -> None:
        """Change some params; the whole change is checked before anything is applied."""
        node = self.owner(node_id)
        spec = catalog.get(node.type_id)
        merged = catalog.normalize_params(spec, {**node.params, **values})
        if merged == node.params:
            return
        node.params = merged
        self.events.node_changed.emit(node.id, "params")
        self.events.changed.emit()

    def rename(self, node_id: str, name: str) -> None:
        node = self.node(node_id)
        name = name.strip()
        if not name:
            raise GraphError("a node's name cannot be empty", [node_id])
        if name != node.name:
            node.name = name
            self.events.node_changed.emit(node_id, "name")
            self.events.changed.emit()

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        node = self.node(node_id)
        if node.trainable != trainable:
            node.trainable = trainable
            self.events.node_changed.emit(node_id, "trainable")
            self.events.changed.emit()

    def move(self, node_id: str, position: tuple[float, float]) -> None:
        node = self.node(node_id)
        position = (float(position[0]), float(position[1]))
        if node.position != position:
            node.position = position
            self.events.node_moved.emit(node_id, position)
            self.events.changed.emit()

    def set_outputs(self, refs: Iterable[OutputRef]) -> None:
        """Fix the ordered model outputs; an empty list means 'every unused output'."""
        refs = [(str(n), int(i)) for n, i in refs]
        for node_id, index in refs:
            self.node(node_id)
            if index < 0 or index >= self.num_outputs(node_id):
                raise PortError(f"{shown(node_id)} has no output {index}", [node_id])
        if refs != self._outputs:
            self._outputs = refs
            self.events.outputs_changed.emit()
            self.events.changed.emit()

    # ------------------------------------------------------------------ edges
    def connect(
        self,
        source: str,
        target: str,
        port: str | None = None,
        *,
        output: int = 0,
        slot: int | None = None,
    ) -> Edge:
        """Connect ``source``'s output ``output`` to ``target``'s ``port``.

        With no ``port``, the first free input port is used; with no ``slot``, a variadic
        port takes the next free slot.
        """
        self.node(source)
        self.node(target)
        port_spec = self._port(target, port)
        if slot is None:
            taken = {e.slot for e in self._in[target] if e.port == port_spec.name}
            slot = max(taken, default=-1) + 1 if port_spec.variadic else 0
        edge = Edge(source, target, port_spec.name, output, slot)
        self.add_edge(edge)
        return edge

    def _port(self, target: str, port: str | None) -> PortSpec:
        spec = self.spec(target)
        if not spec.inputs:
            raise PortError(f"{shown(target)} is an {spec.type_id} and takes no input", [target])
        if port is None:
            used = {e.port for e in self._in[target]}
            for p in spec.inputs:
                if p.variadic or p.name not in used:
                    return p
            raise DuplicateEdgeError(
                f"every input of {shown(target)} is connected already", [target]
            )
        for p in spec.inputs:
            if p.name == port:
                return p
        names = ", ".join(p.name for p in spec.inputs)
        raise PortError(f"{shown(target)} has no input {shown(port)} (it has {names})", [target])

    def add_edge(self, edge: Edge) -> None:
        """Add a fully formed edge after checking it (:meth:`check_edge`)."""
        self.check_edge(edge)
        self._edges.add(edge)
        self._in[edge.target].append(edge)
        self._out[edge.source].append(edge)
        self.events.edge_added.emit(edge)
        self.events.changed.emit()

    def check_edge(self, edge: Edge) -> None:
        """Raise the error that adding ``edge`` would raise: its ports, a duplicate, a loop."""
        for node_id in (edge.source, edge.target):
            self.node(node_id)
        port = self._port(edge.target, edge.port)
        if edge.output < 0 or edge.output >= self.num_outputs(edge.source):
            raise PortError(f"{shown(edge.source)} has no output {edge.output}", [edge.source])
        if not port.variadic and edge.slot != 0:
            raise PortError(
                f"input {shown(edge.port)} of {shown(edge.target)} takes a single edge",
                [edge.target],
            )
        if edge.slot < 0:
            raise PortError(f"slot {edge.slot} of {shown(edge.target)} is negative", [edge.target])
        for other in self._in[edge.target]:
            if other.target_key == edge.target_key:
                slot = f" slot {edge.slot}" if port.variadic else ""
                where = f"input {shown(edge.port)}{slot}"
                raise DuplicateEdgeError(
                    f"{where} of {shown(edge.target)} is already connected to "
                    f"{shown(other.source)}",
                    [edge.target, other.source],
                )
        if edge.source == edge.target or edge.source in self.downstream([edge.target]):
            raise CycleError(
                f"connecting {shown(edge.source)} to {shown(edge.target)} would make a loop",
                [edge.source, edge.target],
            )

    def disconnect(self, edge: Edge) -> None:
        if edge not in self._edges:
            raise GraphError(
                f"there is no edge from {shown(edge.source)} to {shown(edge.target)}",
                [n for n in (edge.source, edge.target) if n in self._nodes],
            )
        self._edges.remove(edge)
        self._in[edge.target].remove(edge)
        self._out[edge.source].remove(edge)
        self.events.edge_removed.emit(edge)
        self.events.changed.emit()

    # ------------------------------------------------------------- validation
    def problems(self) -> list[GraphError]:
        """Everything that stops the graph from building, most basic first."""
        found: list[GraphError] = []
        if not self.input_nodes():
            found.append(NoInputError("the model has no Input node: add one", []))
        try:
            self.topological_order()
        except CycleError as exc:
            found.append(exc)
        for node in self._nodes.values():
            found.extend(self.node_problems(node.id))
        if self._nodes and not self.outputs():
            found.append(NoOutputError("the model has no output: every layer feeds another", []))
        return found

    def node_problems(self, node_id: str) -> Iterator[GraphError]:
        """Missing inputs and dangling output indices of one node."""
        node = self.node(node_id)
        spec = catalog.get(node.type_id)
        edges = self._in[node.id]
        for port in spec.inputs:
            count = sum(1 for e in edges if e.port == port.name)
            needed = port.min_count if port.variadic else 1
            if port.required and count < needed:
                what = f"{needed} inputs" if port.variadic and needed > 1 else "an input"
                label = "" if port.name == "input" else f" at {shown(port.name)}"
                yield MissingInputError(
                    f"{shown(node.name)} ({spec.type_id}) needs {what}{label}: "
                    "connect a layer to it",
                    [node.id],
                )
        for edge in edges:
            if edge.output >= self.num_outputs(edge.source):
                yield PortError(
                    f"{shown(edge.source)} no longer has output {edge.output} "
                    f"used by {shown(node.id)}",
                    [edge.source, node.id],
                )

    def validate(self) -> None:
        """Raise the first problem, if any."""
        problems = self.problems()
        if problems:
            raise problems[0]
