"""Shape inference: every node's output shapes and parameter count, or its error.

Layers with a pure-Python rule in the catalog are worked out without Keras, in
microseconds. A layer without one (the generic "Keras layer" node) asks Keras itself;
until Keras is allowed to load, such nodes are marked ``pending``.

:class:`ShapeInference` follows the graph's events and, after an edit, recomputes only
the nodes the edit can affect, stopping where a recomputed node comes out unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guibuilder import catalog
from guibuilder.catalog import Inferred, LayerSpec, Shape, ShapeError
from guibuilder.graph import Edge, Graph, Node


@dataclass(frozen=True)
class NodeInfo:
    """What inference knows about one node."""

    outputs: tuple[Shape, ...] = ()
    params: int = 0
    non_trainable: int = 0
    error: str | None = None
    pending: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.pending and bool(self.outputs)


UNKNOWN = NodeInfo()


class ShapeInference:
    """Live shape inference over ``graph``; call :meth:`results` after edits."""

    def __init__(self, graph: Graph, *, use_keras: bool = True) -> None:
        self.graph = graph
        self.use_keras = use_keras
        self._info: dict[str, NodeInfo] = {}
        self._dirty: set[str] = set(graph.nodes)
        self._order: list[str] | None = None
        self._keras_cache: dict[str, Inferred] = {}
        events = graph.events
        self._connections = [
            (events.node_added, self._on_node_added),
            (events.node_removed, self._on_node_removed),
            (events.node_changed, self._on_node_changed),
            (events.edge_added, self._on_edge),
            (events.edge_removed, self._on_edge),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def close(self) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []

    # ----------------------------------------------------------------- events
    def _on_node_added(self, node: Node) -> None:
        self._order = None
        self._dirty.add(node.id)

    def _on_node_removed(self, node: Node) -> None:
        self._order = None
        self._info.pop(node.id, None)
        self._dirty.discard(node.id)

    def _on_node_changed(self, node_id: str, what: str) -> None:
        if what in ("params", "name", "shares"):
            self._dirty.add(node_id)
            self._dirty.update(self.graph.sharers(node_id))

    def _on_edge(self, edge: Edge) -> None:
        self._order = None
        self._dirty.add(edge.target)

    # ---------------------------------------------------------------- queries
    def enable_keras(self) -> None:
        """Keras has loaded: work out the nodes that were waiting for it."""
        self.use_keras = True
        self._dirty.update(nid for nid, info in self._info.items() if info.pending)

    def results(self) -> dict[str, NodeInfo]:
        self._update()
        return dict(self._info)

    def info(self, node_id: str) -> NodeInfo:
        self._update()
        return self._info.get(node_id, UNKNOWN)

    def total_params(self) -> int:
        return sum(info.params for info in self.results().values())

    def errors(self) -> dict[str, str]:
        return {nid: info.error for nid, info in self.results().items() if info.error}

    @property
    def pending(self) -> bool:
        """True while some node waits for Keras."""
        return any(info.pending for info in self.results().values())

    # ------------------------------------------------------------ computation
    def _topological(self) -> list[str]:
        if self._order is None:
            self._order = self.graph.topological_order()
        return self._order

    def _update(self) -> None:
        if not self._dirty:
            return
        order = self._topological()
        todo = self._dirty & set(order)
        self._dirty.clear()
        for node_id in order:
            if node_id not in todo:
                continue
            new = self._compute(node_id)
            if self._info.get(node_id) != new:
                self._info[node_id] = new
                todo.update(e.target for e in self.graph.out_edges(node_id))

    def _compute(self, node_id: str) -> NodeInfo:
        graph = self.graph
        node = graph.node(node_id)
        problem = next(graph.node_problems(node_id), None)
        if problem is not None:
            return NodeInfo(error=problem.message)
        shapes: list[Shape] = []
        for edge in graph.in_edges(node_id):
            source = self._info.get(edge.source, UNKNOWN)
            if source.pending:
                return NodeInfo(pending=True)
            if edge.output >= len(source.outputs):
                return UNKNOWN
            shapes.append(source.outputs[edge.output])
        spec = catalog.get(node.type_id)
        params = graph.effective_params(node_id)
        try:
            if spec.infer is not None:
                inferred = spec.infer(params, shapes)
            elif self.use_keras:
                edges = graph.in_edges(node_id)
                inferred = self._keras_infer(spec, params, shapes, edges, node.call_kwargs)
            else:
                return NodeInfo(pending=True)
        except ShapeError as exc:
            return NodeInfo(error=f"{node.name} ({spec.type_id}) {exc}")
        except Exception as exc:  # Keras' own refusal, or a rule meeting odd params
            return NodeInfo(error=f"{node.name} ({spec.type_id}) cannot take its input: {exc}")
        if node.shares:
            return NodeInfo(outputs=inferred.outputs)
        return NodeInfo(inferred.outputs, inferred.params, inferred.non_trainable)

    def _keras_infer(
        self,
        spec: LayerSpec,
        params: Mapping[str, Any],
        shapes: list[Shape],
        edges: list[Edge],
        call_kwargs: Mapping[str, Any],
    ) -> Inferred:
        from guibuilder.compiler.layers import apply_layer, load_keras, make_layer

        names = [e.port for e in edges]
        key = json.dumps([spec.type_id, params, shapes, names, call_kwargs], default=str)
        cached = self._keras_cache.get(key)
        if cached is not None:
            return cached
        keras = load_keras()
        tensors = [keras.KerasTensor(shape) for shape in shapes]
        layer = make_layer(spec, params, "probe")
        ports = [(e.port, t) for e, t in zip(edges, tensors, strict=True)]
        outputs = apply_layer(spec, layer, ports, call_kwargs)
        # A keras.ops operation (from an imported model) has no weights at all.
        non_trainable = sum(_size(w.shape) for w in getattr(layer, "non_trainable_weights", []))
        count = layer.count_params() if hasattr(layer, "count_params") else 0
        inferred = Inferred(tuple(tuple(o.shape) for o in outputs), count, non_trainable)
        self._keras_cache[key] = inferred
        return inferred


def _size(shape: tuple[int, ...]) -> int:
    total = 1
    for dim in shape:
        total *= int(dim)
    return total


def infer_shapes(graph: Graph, use_keras: bool = True) -> dict[str, NodeInfo]:
    """One-shot inference of every node."""
    inference = ShapeInference(graph, use_keras=use_keras)
    try:
        return inference.results()
    finally:
        inference.close()
