"""Blocks: ready-made groups of layers that expand into ordinary graph nodes.

A block is not a layer: dropping one on the canvas adds its nodes and edges to the graph,
after which each node is edited like any other. Pure Python; no Keras.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guibuilder.catalog.layers._common import fmt_shape
from guibuilder.catalog.spec import ParamSpec, Shape, to_json
from guibuilder.catalog.values import ParamError, validate_value
from guibuilder.errors import shown, shown_names
from guibuilder.graph.errors import GraphError

if TYPE_CHECKING:
    from guibuilder.graph import Graph

#: Distance between the rows and columns of a block's nodes on the canvas: a node box
#: (180 x 64, as the auto-layout draws it) plus a gap.
ROW_STEP = 120.0
COLUMN_STEP = 220.0


class BlockError(GraphError):
    """A block that cannot be expanded where it was asked for."""


@dataclass(frozen=True)
class BlockSpec:
    """A block as the palette shows it: id, title, one-line summary and its parameters."""

    id: str
    title: str
    summary: str
    params: tuple[ParamSpec, ...]
    category: str = "Blocks"

    def defaults(self) -> dict[str, Any]:
        return {p.name: to_json(p.default) for p in self.params}

    def normalize(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in and every value checked; raises :class:`ParamError`."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ParamError(f"the {self.title} has no parameter {shown_names(unknown)}")
        return {
            name: validate_value(spec, to_json(params.get(name, spec.default)))
            for name, spec in known.items()
        }


RESIDUAL = BlockSpec(
    id="residual",
    title="Residual block",
    summary=(
        "Conv, BatchNorm, ReLU, Conv, BatchNorm, then the input added back (the skip) and "
        "a ReLU; a 1x1 Conv projects the skip when the shapes differ."
    ),
    params=(
        ParamSpec("filters", "int", 64, "Number of channels the block outputs.", minimum=1),
        ParamSpec(
            "kernel_size",
            "ints",
            3,
            "Size of both convolution windows.",
            minimum=1,
            length=2,
        ),
        ParamSpec(
            "strides",
            "ints",
            1,
            "Step of the first convolution; 2 halves the height and width.",
            minimum=1,
            length=2,
        ),
        ParamSpec(
            "projection",
            "choice",
            "auto",
            "A 1x1 Conv on the skip: only when the shapes differ (auto), or always.",
            choices=("auto", "always"),
            advanced=True,
        ),
    ),
)

BLOCKS: list[BlockSpec] = [RESIDUAL]


def get_block(block_id: str) -> BlockSpec:
    """The block called ``block_id``; raise :class:`BlockError` if there is none."""
    for block in BLOCKS:
        if block.id == block_id:
            return block
    names = ", ".join(b.id for b in BLOCKS)
    raise BlockError(f"there is no block {shown(block_id)} (there are: {names})")


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _prefix(graph: Graph, base: str, suffixes: list[str]) -> str:
    """``base``, ``base_1``, ... : the first whose derived node ids are all free."""
    i = 0
    while True:
        prefix = base if i == 0 else f"{base}_{i}"
        if all(f"{prefix}_{s}" not in graph for s in suffixes):
            return prefix
        i += 1


def _residual_nodes(params: Mapping[str, Any], channels: int | None) -> list[tuple]:
    """(suffix, type id, params, (column, row), [(input suffix, port)]) in creation order."""
    conv = {
        "filters": params["filters"],
        "kernel_size": list(_pair(params["kernel_size"])),
        "padding": "same",
        "use_bias": False,
    }
    strides = list(_pair(params["strides"]))
    project = (
        params["projection"] == "always"
        or strides != [1, 1]
        or channels is None
        or channels != params["filters"]
    )
    nodes = [
        ("conv1", "Conv2D", {**conv, "strides": strides}, (0, 0), [("", "input")]),
        ("bn1", "BatchNormalization", {}, (0, 1), [("conv1", "input")]),
        ("relu1", "ReLU", {}, (0, 2), [("bn1", "input")]),
        ("conv2", "Conv2D", {**conv, "strides": [1, 1]}, (0, 3), [("relu1", "input")]),
        ("bn2", "BatchNormalization", {}, (0, 4), [("conv2", "input")]),
    ]
    skip = ""
    if project:
        projection = {**conv, "kernel_size": [1, 1], "strides": strides}
        nodes += [
            ("proj_conv", "Conv2D", projection, (1, 1), [("", "input")]),
            ("proj_bn", "BatchNormalization", {}, (1, 2), [("proj_conv", "input")]),
        ]
        skip = "proj_bn"
    nodes += [
        ("add", "Add", {}, (0, 5), [("bn2", "inputs"), (skip, "inputs")]),
        ("out", "ReLU", {}, (0, 6), [("add", "input")]),
    ]
    return nodes


#: Per block id: (params, channels of the input) -> the nodes to add.
_BUILDERS = {"residual": _residual_nodes}


def expand_block(
    graph: Graph,
    block_id: str,
    source_node_id: str,
    params: Mapping[str, Any],
    input_shape: Shape | None,
    origin: tuple[float, float] = (0.0, 0.0),
    *,
    output: int = 0,
) -> list[str]:
    """Add the nodes of block ``block_id`` to ``graph``, fed by ``source_node_id``.

    Parameters
    ----------
    graph
        The graph to add to; every node and edge goes through its normal edit methods.
    block_id, params
        Which block, and its parameters (missing ones get their defaults).
    source_node_id, output
        The node (and its output index) whose tensor enters the block.
    input_shape
        That tensor's shape, batch included, as shape inference found it; ``None`` when
        unknown (the residual block then always projects its skip, which fits any input).
    origin
        Canvas position of the block's first node; the others are laid out below it.

    Returns
    -------
    list of str
        The new node ids in creation order; the last one is the block's output.
        On any error nothing is added and the error is raised.
    """
    block = get_block(block_id)
    values = block.normalize(params)
    graph.node(source_node_id)
    channels = None
    if input_shape is not None:
        if len(input_shape) != 4:
            raise BlockError(
                f"the {block.title} needs images shaped (height, width, channels) but "
                f"{shown(source_node_id)} gives {fmt_shape(input_shape)}",
                [source_node_id],
            )
        channels = input_shape[-1]
    nodes = _BUILDERS[block.id](values, channels)
    prefix = _prefix(graph, block.id + "_block", [n[0] for n in nodes])
    ids = {suffix: f"{prefix}_{suffix}" for suffix, *_ in nodes}
    ids[""] = source_node_id
    created: list[str] = []
    try:
        for suffix, type_id, node_params, (column, row), sources in nodes:
            position = (origin[0] + column * COLUMN_STEP, origin[1] + row * ROW_STEP)
            graph.add_node(type_id, node_params, node_id=ids[suffix], position=position)
            created.append(ids[suffix])
            for source, port in sources:
                graph.connect(ids[source], ids[suffix], port, output=output if not source else 0)
    except Exception:
        for node_id in reversed(created):
            graph.remove_node(node_id)
        raise
    return created
