"""What the weights look like: first-layer conv filters as images, per-layer histograms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from guibuilder.inspect._grad import InspectError

CONV_2D = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")


def first_conv(model: Any) -> str:
    """The node id of the first 2-D convolution of ``model``."""
    for layer in model.layers:
        if type(layer).__name__ in CONV_2D:
            return layer.name
    raise InspectError("the model has no 2-D convolution, so there are no filters to show")


def conv_filters(model: Any, node_id: str | None = None) -> np.ndarray:
    """The kernels of a 2-D convolution (the first one by default), one per filter.

    Returns ``(filters, kernel_h, kernel_w, in_channels)``: filter ``i`` is
    ``kernel[:, :, :, i]`` of the layer, the pattern its output map ``i`` responds to.
    """
    node_id = node_id or first_conv(model)
    layer = model.get_layer(node_id)
    if type(layer).__name__ not in CONV_2D:
        raise InspectError(f"{node_id!r} is a {type(layer).__name__}, not a 2-D convolution")
    kernel = np.asarray(
        layer.depthwise_kernel if hasattr(layer, "depthwise_kernel") else layer.kernel
    )
    return np.moveaxis(kernel, -1, 0)


@dataclass(frozen=True)
class Histogram:
    """The histogram of one layer's weights (every kernel and bias together)."""

    node_id: str
    counts: np.ndarray
    edges: np.ndarray
    mean: float
    std: float
    size: int


def weight_histograms(model: Any, bins: int = 30) -> list[Histogram]:
    """One histogram per layer that has weights, in layer order."""
    result = []
    for layer in model.layers:
        arrays = [np.ravel(np.asarray(w)) for w in layer.weights]
        if not arrays:
            continue
        values = np.concatenate(arrays).astype("float64")
        counts, edges = np.histogram(values, bins=bins)
        result.append(
            Histogram(
                layer.name, counts, edges, float(values.mean()), float(values.std()), values.size
            )
        )
    return result
