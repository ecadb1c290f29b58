"""Errors raised by the graph: each carries the ids of the nodes it is about."""

from __future__ import annotations

from collections.abc import Iterable

from guibuilder.errors import GuibuilderError


class GraphError(GuibuilderError):
    """An invalid graph or an edit that would make it invalid."""

    def __init__(self, message: str, node_ids: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


class UnknownNodeError(GraphError):
    """An edit names a node the graph does not hold."""


class UnknownLayerTypeError(GraphError):
    """A node's layer type is not in the catalog."""


class DuplicateNodeError(GraphError):
    """A node id is already taken."""


class CycleError(GraphError):
    """An edge would close a loop; a model's graph must be acyclic."""


class DuplicateEdgeError(GraphError):
    """The same connection exists already, or a single input is already taken."""


class PortError(GraphError):
    """An edge names an input or output port the layer does not have."""


class MissingInputError(GraphError):
    """A required input port has no edge."""


class NoInputError(GraphError):
    """The graph has no Input node."""


class NoOutputError(GraphError):
    """The graph has no output: nothing is computed."""


class SharedLayerError(GraphError):
    """A node shares the layer of a node that cannot be shared with it."""
