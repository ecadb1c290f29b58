"""Activations of a model's layers for a batch, and their shapes ready to draw.

Layer names in a built model are the graph's node ids, so every result is keyed by node
id. :class:`Probe` builds one ``keras.Model`` from the model's inputs to the chosen layers'
outputs the first time they are asked for, and reuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from guibuilder.inspect._grad import InspectError


def _output_tensors(layer: Any) -> list[Any]:
    """The symbolic outputs of ``layer``'s first call in the model, as a flat list."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return []
    outputs = nodes[0].output_tensors
    return list(outputs) if isinstance(outputs, list | tuple) else [outputs]


def model_inputs(model: Any) -> Any:
    """``model``'s input tensor, or the list of them when it has several."""
    return model.inputs[0] if len(model.inputs) == 1 else list(model.inputs)


def layer_ids(model: Any, include_inputs: bool = False) -> list[str]:
    """The node ids of ``model``'s layers in order, without the inputs by default."""
    return [
        layer.name
        for layer in model.layers
        if include_inputs or type(layer).__name__ != "InputLayer"
    ]


def batch_of(x: Any) -> Any:
    """``x`` as a float32 batch (arrays keep their dtype when they are integers)."""
    if isinstance(x, list | tuple):
        return [batch_of(v) for v in x]
    array = np.asarray(x)
    return array if np.issubdtype(array.dtype, np.integer) else array.astype("float32")


class Probe:
    """Activations of chosen layers of ``model``; the sub-model for each choice is cached.

    Parameters
    ----------
    model
        A built Functional ``keras.Model`` whose layer names are node ids.
    compiled
        Run the sub-models through a compiled predict function: slower the first time,
        much faster on every later call (for probes repeated during training).
    """

    def __init__(self, model: Any, compiled: bool = False) -> None:
        self.model = model
        self.compiled = compiled
        self._cache: dict[tuple[str, ...], tuple[Any, list[str]]] = {}

    def _submodel(self, node_ids: tuple[str, ...]) -> tuple[Any, list[str]]:
        if node_ids not in self._cache:
            import keras

            outputs: list[Any] = []
            keys: list[str] = []
            for node_id in node_ids:
                try:
                    layer = self.model.get_layer(node_id)
                except ValueError:
                    raise InspectError(f"the model has no layer {node_id!r}") from None
                tensors = _output_tensors(layer)
                for i, tensor in enumerate(tensors):
                    outputs.append(tensor)
                    keys.append(node_id if i == 0 else f"{node_id}:{i}")
            model = keras.Model(model_inputs(self.model), outputs, name="guibuilder_probe")
            self._cache[node_ids] = (model, keys)
        return self._cache[node_ids]

    def __call__(self, x: Any, node_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """The activations of ``node_ids`` (every layer but the inputs by default) for ``x``.

        A layer with several outputs gives ``id`` for the first and ``id:1``, ... for the
        others. The layers run in inference mode (dropout off).
        """
        import keras

        ids = tuple(layer_ids(self.model) if node_ids is None else node_ids)
        if not ids:
            return {}
        model, keys = self._submodel(ids)
        batch = batch_of(x)
        values = model.predict_on_batch(batch) if self.compiled else model(batch, training=False)
        if not isinstance(values, list | tuple):
            values = [values]
        return {k: keras.ops.convert_to_numpy(v) for k, v in zip(keys, values, strict=True)}


def activations(model: Any, x: Any, node_ids: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """The activations of every layer (or of ``node_ids``) of ``model`` for the batch ``x``."""
    return Probe(model)(x, node_ids)


def kind_of(activation: np.ndarray) -> str:
    """How one sample's activation is best drawn: ``image``, ``sequence``, ``vector``.

    ``activation`` has no batch axis: ``(h, w, channels)`` is an image (feature maps),
    ``(steps, units)`` a sequence, ``(units,)`` a vector; anything else is flattened.
    """
    if activation.ndim == 3:
        return "image"
    if activation.ndim == 2:
        return "sequence"
    return "vector"


def _normalise(values: np.ndarray) -> np.ndarray:
    low, high = float(np.min(values)), float(np.max(values))
    if high - low < 1e-12:
        return np.zeros_like(values, dtype="float32")
    return ((values - low) / (high - low)).astype("float32")


def grid_shape(count: int) -> tuple[int, int]:
    """Rows and columns of the most square grid that holds ``count`` tiles."""
    cols = max(1, int(np.ceil(np.sqrt(count))))
    return int(np.ceil(count / cols)), cols


def feature_grid(
    maps: np.ndarray,
    max_maps: int = 64,
    pad: int = 1,
    normalise: bool = True,
    cols: int | None = None,
) -> np.ndarray:
    """One image of the feature maps ``(h, w, channels)`` of one sample, tiled in a grid.

    Each map is scaled to [0, 1] on its own when ``normalise`` is set; the gaps between
    tiles are NaN, so a plot shows them blank. Only the first ``max_maps`` are shown, in
    ``cols`` columns (by default the most square grid).
    """
    if maps.ndim != 3:
        raise InspectError(f"feature maps must be (height, width, channels), got {maps.shape}")
    count = min(maps.shape[-1], max_maps)
    if cols is None:
        rows, cols = grid_shape(count)
    else:
        cols = max(1, min(int(cols), count))
        rows = -(-count // cols)
    h, w = maps.shape[:2]
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan, dtype="float32")
    for i in range(count):
        tile = maps[:, :, i]
        if normalise:
            tile = _normalise(tile)
        r, c = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = tile
    return grid


def sequence_map(activation: np.ndarray) -> np.ndarray:
    """A ``(units, steps)`` heat map of one sample's ``(steps, units)`` activation."""
    if activation.ndim != 2:
        raise InspectError(f"a sequence must be (steps, units), got {activation.shape}")
    return np.asarray(activation).T


def attention_scores(model: Any, node_id: str, x: Any) -> np.ndarray:
    """Attention weights of the MultiHeadAttention node ``node_id`` for the batch ``x``.

    The layer's own inputs are computed first, then the layer is called again on them with
    ``return_attention_scores=True``. Returns ``(batch, heads, query_steps, key_steps)``.
    """
    layer = model.get_layer(node_id)
    if type(layer).__name__ != "MultiHeadAttention":
        raise InspectError(f"{node_id!r} is a {type(layer).__name__}, not MultiHeadAttention")
    import keras

    arguments = layer._inbound_nodes[0].arguments
    sources = list(arguments.keras_tensors)
    feeder = keras.Model(model_inputs(model), sources, name="guibuilder_attention_inputs")
    values = feeder(batch_of(x), training=False)
    if not isinstance(values, list | tuple):
        values = [values]
    args, kwargs = arguments.fill_in({id(t): v for t, v in zip(sources, values, strict=True)})
    kwargs = {k: v for k, v in kwargs.items() if k != "return_attention_scores"}
    _, scores = layer(*args, **kwargs, return_attention_scores=True, training=False)
    return keras.ops.convert_to_numpy(scores)


def sample_of(x: Any, index: int) -> Any:
    """Sample ``index`` of the batch ``x`` as a batch of one."""
    if isinstance(x, list | tuple):
        return [np.asarray(v)[index : index + 1] for v in x]
    return np.asarray(x)[index : index + 1]
