"""Graph -> ``keras.Model``: a Functional model whose layer names are the node ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guibuilder import catalog
from guibuilder.compiler.layers import apply_layer, keras_config, load_keras, make_layer
from guibuilder.document.weights import WeightStore
from guibuilder.errors import GuibuilderError, UnsafeModelError, shown
from guibuilder.graph import Graph, Node


class BuildError(GuibuilderError):
    """Keras refused a layer of the graph; ``node_ids`` names the node(s) at fault."""

    def __init__(self, message: str, node_ids: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


def build_model(graph: Graph, weights: WeightStore | None = None) -> Any:
    """Build the Functional ``keras.Model`` of ``graph``.

    Inputs come in ``graph.input_nodes()`` order and outputs in ``graph.outputs()`` order;
    a model with one input (output) takes (returns) a single tensor. A node that shares
    another applies the owner's layer object again. Stored ``weights`` are loaded into the
    layers they still fit (see :meth:`WeightStore.apply`).

    Raises
    ------
    GraphError
        The graph is not valid (no input, a loop, a missing connection, ...).
    BuildError
        Keras refused a layer or a connection; the message names the node.
    """
    graph.validate()
    refs = graph.outputs()
    _check_inputs_used(graph, refs)
    keras = load_keras()
    tensors: dict[str, list[Any]] = {}
    layers: dict[str, Any] = {}
    for node_id in graph.topological_order():
        node = graph.node(node_id)
        try:
            if node.type_id == "Input":
                tensors[node_id] = [_input_tensor(keras, node)]
            else:
                tensors[node_id] = _apply(graph, node, layers, tensors)
        except UnsafeModelError as exc:
            raise BuildError(f"{_label(node)} cannot be built: {exc}", [node_id]) from exc
        except GuibuilderError:
            raise
        except Exception as exc:  # Keras refused the layer or its inputs
            raise BuildError(
                f"{_label(node)} cannot be built: {keras_message(exc)}", [node_id]
            ) from exc
    outputs = []
    for node_id, index in refs:
        produced = tensors[node_id]
        if index >= len(produced):
            raise BuildError(
                f"{_label(graph.node(node_id))} gives {len(produced)} outputs, "
                f"so output {index} does not exist",
                [node_id],
            )
        outputs.append(produced[index])
    inputs = [tensors[node_id][0] for node_id in graph.input_nodes()]
    try:
        model = keras.Model(
            inputs=inputs[0] if len(inputs) == 1 else inputs,
            outputs=outputs[0] if len(outputs) == 1 else outputs,
            name=graph.name,
        )
    except Exception as exc:
        raise BuildError(f"the model cannot be assembled: {keras_message(exc)}") from exc
    if weights is not None:
        weights.apply(model, graph)
    return model


def _input_tensor(keras: Any, node: Node) -> Any:
    _, config = keras_config(catalog.get("Input"), node.params)
    return keras.Input(
        batch_shape=tuple(config["batch_shape"]), dtype=config["dtype"], name=node.id
    )


def _apply(graph: Graph, node: Node, layers: dict[str, Any], tensors: dict[str, list]) -> list:
    owner = graph.owner(node.id)
    layer = layers.get(owner.id)
    if layer is None:
        layer = node_layer(owner)
        layers[owner.id] = layer
    inputs = []
    for edge in graph.in_edges(node.id):
        produced = tensors[edge.source]
        if edge.output >= len(produced):
            raise BuildError(
                f"{_label(graph.node(edge.source))} gives {len(produced)} outputs, so "
                f"output {edge.output} used by {shown(node.id)} does not exist",
                [edge.source, node.id],
            )
        inputs.append((edge.port, produced[edge.output]))
    return apply_layer(catalog.get(node.type_id), layer, inputs, node.call_kwargs)


def node_layer(node: Node) -> Any:
    """A new Keras layer for ``node`` (an owner, not a sharer).

    Raises :class:`BuildError` naming the node when Keras refuses its settings (an
    initializer or regularizer it cannot interpret, say).
    """
    spec = catalog.get(node.type_id)
    try:
        return make_layer(spec, node.params, name=node.id, trainable=node.trainable)
    except GuibuilderError:
        raise
    except Exception as exc:
        message = f"{_label(node)} cannot be built: {keras_message(exc)}"
        raise BuildError(message, [node.id]) from exc


def _check_inputs_used(graph: Graph, refs: list[tuple[str, int]]) -> None:
    """Every Input must feed an output: Keras refuses a model with an unused input."""
    needed: set[str] = set()
    stack = [node_id for node_id, _ in refs]
    while stack:
        current = stack.pop()
        if current not in needed:
            needed.add(current)
            stack.extend(graph.predecessors(current))
    unused = [node_id for node_id in graph.input_nodes() if node_id not in needed]
    if unused:
        names = ", ".join(shown(graph.node(n).name) for n in unused)
        raise BuildError(
            f"Input {names} does not lead to any output: connect it or remove it", unused
        )


def _label(node: Node) -> str:
    name = shown(node.name) if node.name == node.id else f"{shown(node.name)} ({node.id})"
    return f"layer {name} ({node.type_id})"


#: The most of a Keras message that one of ours quotes (Keras may print a whole config).
KERAS_MESSAGE_LENGTH = 160


def keras_message(exc: BaseException) -> str:
    """The gist of a Keras exception on one short line: its first meaningful line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reasons = [line for line in lines if line.startswith("Exception encountered: ")]
    if lines and lines[0].startswith("Error when deserializing") and reasons:
        # The first line repeats the whole config; the innermost reason comes last.
        lines = [reasons[-1].removeprefix("Exception encountered: ")]
    for line in lines:
        if not line.startswith("Exception encountered when calling"):
            line = line.rstrip(".")
            if len(line) > KERAS_MESSAGE_LENGTH:
                line = line[: KERAS_MESSAGE_LENGTH - 3].rstrip() + "..."
            return line
    return type(exc).__name__
