"""The graph of layers: nodes, edges, events and validation. No Qt, no Keras."""

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
from guibuilder.graph.graph import Graph, GraphEvents, OutputRef
from guibuilder.graph.model import Edge, Node

__all__ = [
    "CycleError",
    "DuplicateEdgeError",
    "DuplicateNodeError",
    "Edge",
    "Graph",
    "GraphError",
    "GraphEvents",
    "MissingInputError",
    "NoInputError",
    "NoOutputError",
    "Node",
    "OutputRef",
    "PortError",
    "SharedLayerError",
    "UnknownLayerTypeError",
    "UnknownNodeError",
]
