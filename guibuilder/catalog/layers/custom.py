"""guibuilder's own layers (see ``guibuilder.keras_layers``): position embedding, class
token and token selection, the pieces of a transformer that Keras does not ship."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import fmt_shape, initializer_param, result, single
from guibuilder.catalog.spec import LayerSpec, ParamSpec, Shape, ShapeError

#: Where the Keras classes of these specs live.
MODULE = "guibuilder.keras_layers"


def _sequence(inputs: list[Shape], what: str) -> tuple[Shape, int | None, int]:
    shape = single(inputs, what)
    if len(shape) != 3:
        raise ShapeError(f"needs a sequence (steps, features) but received {fmt_shape(shape)}")
    if shape[-1] is None:
        raise ShapeError(f"needs a known number of features but received {fmt_shape(shape)}")
    return shape, shape[1], shape[2]


def _position_shape(params: Mapping[str, Any], inputs: list[Shape]):
    shape, steps, dim = _sequence(inputs, "PositionEmbedding")
    if steps is None:
        raise ShapeError(f"needs a known sequence length but received {fmt_shape(shape)}")
    return result(shape, params=steps * dim)


def _token_shape(params: Mapping[str, Any], inputs: list[Shape]):
    shape, steps, dim = _sequence(inputs, "ClassToken")
    return result((shape[0], None if steps is None else steps + 1, dim), params=dim)


def _select_shape(params: Mapping[str, Any], inputs: list[Shape]):
    shape, steps, dim = _sequence(inputs, "SelectToken")
    index = params["index"]
    if steps is not None and not -steps <= index < steps:
        raise ShapeError(f"index {index} is outside a sequence of {steps} steps")
    return result((shape[0], dim))


POSITION_EMBEDDING = LayerSpec(
    type_id="PositionEmbedding",
    keras_class="PositionEmbedding",
    keras_module=MODULE,
    category="Attention",
    summary="Adds a learned vector to each position, so attention knows the order.",
    params=(initializer_param("initializer", "random_normal", "position vectors"),),
    infer=_position_shape,
)

CLASS_TOKEN = LayerSpec(
    type_id="ClassToken",
    keras_class="ClassToken",
    keras_module=MODULE,
    category="Attention",
    summary="Puts one learned token in front of the sequence; it gathers the answer (ViT).",
    params=(initializer_param("initializer", "zeros", "token"),),
    infer=_token_shape,
)

SELECT_TOKEN = LayerSpec(
    type_id="SelectToken",
    keras_class="SelectToken",
    keras_module=MODULE,
    category="Attention",
    summary="Keeps one position of a sequence, e.g. the class token at index 0.",
    params=(ParamSpec("index", "int", 0, "The position kept; negative counts from the end."),),
    infer=_select_shape,
    describe=lambda p: f"[{p['index']}]",
)

SPECS = [POSITION_EMBEDDING, CLASS_TOKEN, SELECT_TOKEN]
