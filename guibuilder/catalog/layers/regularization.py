"""Regularization: Dropout, SpatialDropout1D/2D and GaussianNoise (active only in training)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    data_format_param,
    docs,
    fmt_shape,
    layout,
    result,
    seed_param,
    single,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Regularization"


def _rate() -> ParamSpec:
    return ParamSpec(
        "rate",
        "float",
        0.5,
        "Fraction of the values set to 0 during training.",
        minimum=0.0,
        maximum=1.0,
    )


def _dropout_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Dropout")
    noise = params["noise_shape"]
    if noise is not None:
        if len(noise) != len(shape):
            raise ShapeError(
                f"needs a noise_shape with {len(shape)} sizes (batch first) for an input of "
                f"{fmt_shape(shape)}, but has noise_shape={list(noise)}"
            )
        for n, d in zip(noise, shape, strict=True):
            if n not in (None, 1) and d is not None and n != d:
                raise ShapeError(
                    f"has noise_shape={list(noise)}, which does not fit {fmt_shape(shape)}: "
                    "use 1 to share a mask along an axis, or the axis' own size"
                )
    return result(shape)


DROPOUT = LayerSpec(
    type_id="Dropout",
    keras_class="Dropout",
    category=CATEGORY,
    summary="Randomly zeroes values during training so the network cannot rely on any one.",
    params=(
        _rate(),
        ParamSpec(
            "noise_shape",
            "shape",
            None,
            "Shape of the dropout mask (batch first); 1 shares the mask along an axis.",
            optional=True,
            advanced=True,
        ),
        seed_param("noise"),
    ),
    infer=_dropout_rule,
    doc_url=docs("regularization_layers/dropout"),
    describe=lambda p: f"p={p['rate']:g}",
)


def _spatial_rule(rank: int) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = single(inputs, f"SpatialDropout{rank}D")
        if len(shape) != rank + 2:
            want = layout(rank, params.get("data_format", "channels_last"))
            raise ShapeError(
                f"needs {want} but received {fmt_shape(shape)}: "
                "use Dropout for this input, or add a Reshape"
            )
        return result(shape)

    return infer


SPATIAL_DROPOUT1D = LayerSpec(
    type_id="SpatialDropout1D",
    keras_class="SpatialDropout1D",
    category=CATEGORY,
    summary="Dropout of whole channels of a sequence rather than single values.",
    params=(_rate(), seed_param("noise")),
    infer=_spatial_rule(1),
    doc_url=docs("regularization_layers/spatial_dropout1d"),
    describe=lambda p: f"p={p['rate']:g}",
)

SPATIAL_DROPOUT2D = LayerSpec(
    type_id="SpatialDropout2D",
    keras_class="SpatialDropout2D",
    category=CATEGORY,
    summary="Dropout of whole feature maps (channels) of an image rather than single pixels.",
    params=(_rate(), data_format_param(), seed_param("noise")),
    infer=_spatial_rule(2),
    doc_url=docs("regularization_layers/spatial_dropout2d"),
    describe=lambda p: f"p={p['rate']:g}",
)

GAUSSIAN_NOISE = LayerSpec(
    type_id="GaussianNoise",
    keras_class="GaussianNoise",
    category=CATEGORY,
    summary="Adds random noise with mean 0 during training, a simple form of augmentation.",
    params=(
        ParamSpec("stddev", "float", 0.1, "Standard deviation of the noise.", minimum=0.0),
        seed_param("noise"),
    ),
    infer=lambda params, inputs: result(single(inputs, "GaussianNoise")),
    doc_url=docs("regularization_layers/gaussian_noise"),
    describe=lambda p: f"stddev {p['stddev']:g}",
)

SPECS = [DROPOUT, SPATIAL_DROPOUT1D, SPATIAL_DROPOUT2D, GAUSSIAN_NOISE]
