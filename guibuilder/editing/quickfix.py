"""One-click fixes for common mistakes, offered where a node is in error.

Each candidate fix is an edit built against a graph. A fix is offered only if
it works: it is first applied to a copy of the graph, and shape inference must find the
node (and anything the fix added) free of errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from guibuilder import catalog
from guibuilder.compiler.layout import NODE_HEIGHT, V_GAP
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.editing.edits import (
    AddNode,
    Connect,
    Edit,
    Macro,
    SetParams,
    fresh_ids,
    splice,
)
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge, Graph, Node

STEP = NODE_HEIGHT + V_GAP


@dataclass(frozen=True)
class QuickFix:
    """A named fix; ``build(graph)`` returns the edit that applies it to ``graph``."""

    title: str
    build: Callable[[Graph], Edit]


def copy_graph(graph: Graph) -> Graph:
    """An independent copy of ``graph`` (nodes in the same order, edges, outputs)."""
    clone = Graph(graph.name)
    for node in graph.nodes.values():
        clone.insert_node(node.copy())
    for edge in graph.edges:
        clone.add_edge(edge)
    clone.set_outputs(graph.explicit_outputs)
    return clone


def _new_node(graph: Graph, type_id: str, params: dict, position: tuple) -> Node:
    node_id = fresh_ids(graph, [type_id])[0]
    spec = catalog.get(type_id)
    return Node(
        id=node_id,
        type_id=type_id,
        name=node_id,
        params=catalog.normalize_params(spec, params),
        position=(float(position[0]), float(position[1])),
    )


def _insert_before(edge: Edge, type_id: str, params: dict, title: str) -> QuickFix:
    """Put a new layer into ``edge`` (between its source and the node in error)."""

    def build(graph: Graph) -> Edit:
        source = graph.node(edge.source).position
        target = graph.node(edge.target).position
        middle = ((source[0] + target[0]) / 2, (source[1] + target[1]) / 2)
        return splice(graph, _new_node(graph, type_id, params, middle), edge, title)

    return QuickFix(title, build)


def _add_input(node_id: str, port: str) -> QuickFix:
    title = "Add an Input above it"

    def build(graph: Graph) -> Edit:
        x, y = graph.node(node_id).position
        node = _new_node(graph, "Input", {}, (x, y - STEP))
        return Macro(title, [AddNode(graph, node), Connect(graph, Edge(node.id, node_id, port))])

    return QuickFix(title, build)


def _connect_from(source: str, node_id: str, port: str, name: str) -> QuickFix:
    title = f"Connect {name} to it"
    return QuickFix(title, lambda graph: Connect(graph, Edge(source, node_id, port)))


def _best_source(graph: Graph, node_id: str) -> str | None:
    """What to connect to ``node_id``'s free input: the nearest node above it whose output
    is unused; else the last added node whose output is unused; else the last added one.

    Nodes that depend on ``node_id`` are left out (the edge would make a loop).
    """
    x, y = graph.node(node_id).position
    below = graph.downstream([node_id])
    usable = [n for n in graph.nodes.values() if n.id not in below and graph.num_outputs(n.id)]
    free = [n for n in usable if not graph.out_edges(n.id)]
    above = [n for n in free if n.position[1] < y]
    if above:
        nearest = min(above, key=lambda n: (n.position[0] - x) ** 2 + (n.position[1] - y) ** 2)
        return nearest.id
    newest = free or usable
    return newest[-1].id if newest else None


def _set_param(node_id: str, name: str, value: object, title: str) -> QuickFix:
    return QuickFix(title, lambda graph: SetParams(graph, node_id, {name: value}))


def candidates(graph: Graph, node_id: str) -> list[QuickFix]:
    """Fixes worth trying for ``node_id`` (not yet checked)."""
    node = graph.node(node_id)
    spec = catalog.get(node.type_id)
    params = graph.effective_params(node_id)
    edges = graph.in_edges(node_id)
    found: list[QuickFix] = []
    connected = {e.port for e in edges}
    free = [p for p in spec.inputs if p.required and p.name not in connected]
    if free and not graph.input_nodes():
        found.append(_add_input(node_id, free[0].name))
    elif free:
        source = _best_source(graph, node_id)
        if source is not None:
            found.append(_connect_from(source, node_id, free[0].name, graph.node(source).name))
    if params.get("padding") == "valid":
        found.append(_set_param(node_id, "padding", "same", "Use padding='same'"))
    if len(edges) == 1:
        edge = edges[0]
        for type_id in ("Flatten", "GlobalAveragePooling2D", "GlobalAveragePooling1D"):
            title = f"Insert {type_id} before it"
            found.append(_insert_before(edge, type_id, {}, title))
    if len(edges) >= 2:
        shapes = infer_shapes(graph, use_keras=False)
        first = shapes.get(edges[0].source)
        if first is not None and first.outputs and first.outputs[0][-1] is not None:
            channels = first.outputs[0][-1]
            for edge in edges[1:]:
                other = shapes.get(edge.source)
                if other is None or not other.outputs or other.outputs[0] == first.outputs[0]:
                    continue
                rank = len(other.outputs[0])
                conv = {3: "Conv1D", 4: "Conv2D", 5: "Conv3D"}.get(rank)
                if conv:
                    title = f"Project {edge.source} to {channels} channels with a 1x1 {conv}"
                    found.append(
                        _insert_before(edge, conv, {"filters": channels, "kernel_size": 1}, title)
                    )
    return found


def quick_fixes(graph: Graph, node_id: str) -> list[QuickFix]:
    """The fixes that make ``node_id`` (and what they add) free of errors."""
    working: list[QuickFix] = []
    for fix in candidates(graph, node_id):
        trial = copy_graph(graph)
        before = set(trial.nodes)
        try:
            fix.build(trial).do()
        except (GuibuilderError, KeyError, ValueError):
            continue
        results = infer_shapes(trial, use_keras=False)
        touched = {node_id} | (set(trial.nodes) - before)
        if all(results.get(n) is not None and results[n].error is None for n in touched):
            working.append(fix)
    return working
