"""Activations as layers: Activation (any Keras activation), ReLU, LeakyReLU, PReLU, ELU,
Softmax. All keep the shape; only PReLU has weights."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    ACTIVATIONS,
    constraint_param,
    docs,
    fmt_shape,
    initializer_param,
    regularizer_param,
    result,
    single,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Activation"


def _same_shape(what: str):
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        return result(single(inputs, what))

    return infer


ACTIVATION = LayerSpec(
    type_id="Activation",
    keras_class="Activation",
    category=CATEGORY,
    summary="Applies an activation function to every value.",
    params=(
        ParamSpec(
            "activation", "activation", "relu", "The function to apply.", choices=ACTIVATIONS
        ),
    ),
    infer=_same_shape("Activation"),
    doc_url=docs("core_layers/activation"),
    describe=lambda p: p["activation"],
)


def _relu_text(params: Mapping[str, Any]) -> str:
    parts = []
    if params["max_value"] is not None:
        parts.append(f"max {params['max_value']:g}")
    if params["negative_slope"]:
        parts.append(f"slope {params['negative_slope']:g}")
    if params["threshold"]:
        parts.append(f"threshold {params['threshold']:g}")
    return ", ".join(parts)


RELU = LayerSpec(
    type_id="ReLU",
    keras_class="ReLU",
    category=CATEGORY,
    summary="Rectified linear unit: negatives become 0 (optionally capped, e.g. ReLU6).",
    params=(
        ParamSpec(
            "max_value",
            "float",
            None,
            "Cap on the output (6 gives ReLU6); empty for none.",
            minimum=0.0,
            optional=True,
        ),
        ParamSpec("negative_slope", "float", 0.0, "Slope below the threshold.", minimum=0.0),
        ParamSpec(
            "threshold",
            "float",
            0.0,
            "Values below this are treated as negative.",
            minimum=0.0,
            advanced=True,
        ),
    ),
    infer=_same_shape("ReLU"),
    doc_url=docs("activation_layers/relu"),
    describe=_relu_text,
)

LEAKY_RELU = LayerSpec(
    type_id="LeakyReLU",
    keras_class="LeakyReLU",
    category=CATEGORY,
    summary="Like ReLU, but negatives keep a small slope so no unit dies.",
    params=(ParamSpec("negative_slope", "float", 0.3, "Slope for negative inputs.", minimum=0.0),),
    infer=_same_shape("LeakyReLU"),
    doc_url=docs("activation_layers/leaky_relu"),
    describe=lambda p: f"slope {p['negative_slope']:g}",
)


def _prelu_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "PReLU")
    shared = params["shared_axes"]
    shared = [] if shared is None else [shared] if isinstance(shared, int) else list(shared)
    rank = len(shape)
    bad = [a for a in shared if not 1 <= a < rank]
    if bad:
        raise ShapeError(
            f"cannot share along axis {bad[0]} of {fmt_shape(shape)}: "
            f"shared_axes counts from 1 to {rank - 1}"
        )
    sizes = [1 if axis in shared else shape[axis] for axis in range(1, rank)]
    if None in sizes:
        raise ShapeError(
            f"needs known sizes on the axes it does not share but received {fmt_shape(shape)}: "
            "add those axes to shared_axes"
        )
    return result(shape, params=math.prod(sizes))


PRELU = LayerSpec(
    type_id="PReLU",
    keras_class="PReLU",
    category=CATEGORY,
    summary="Leaky ReLU whose negative slope is learned, one per value (or per channel).",
    params=(
        initializer_param("alpha_initializer", "zeros", "learned slopes"),
        regularizer_param("alpha_regularizer", "learned slopes"),
        constraint_param("alpha_constraint", "learned slopes"),
        ParamSpec(
            "shared_axes",
            "axes",
            None,
            "Axes (from 1) that share one slope; [1, 2] gives one slope per image channel.",
            optional=True,
        ),
    ),
    infer=_prelu_rule,
    doc_url=docs("activation_layers/prelu"),
    describe=lambda p: "" if p["shared_axes"] is None else f"shared {p['shared_axes']}",
)

ELU = LayerSpec(
    type_id="ELU",
    keras_class="ELU",
    category=CATEGORY,
    summary="Exponential linear unit: smooth below 0, levelling off at -alpha.",
    params=(ParamSpec("alpha", "float", 1.0, "Level that negative inputs approach (as -alpha)."),),
    infer=_same_shape("ELU"),
    doc_url=docs("activation_layers/elu"),
    describe=lambda p: "" if p["alpha"] == 1.0 else f"alpha {p['alpha']:g}",
)


def _softmax_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Softmax")
    axes = params["axis"]
    for axis in [axes] if isinstance(axes, int) else axes:
        if not -len(shape) <= axis < len(shape):
            raise ShapeError(
                f"cannot take a softmax along axis {axis} of {fmt_shape(shape)}: "
                "use -1 for the last axis"
            )
    return result(shape)


SOFTMAX = LayerSpec(
    type_id="Softmax",
    keras_class="Softmax",
    category=CATEGORY,
    summary="Turns scores into probabilities that add up to 1 along an axis.",
    params=(ParamSpec("axis", "axes", -1, "Axis the probabilities add up along (-1: last)."),),
    infer=_softmax_rule,
    doc_url=docs("activation_layers/softmax"),
    describe=lambda p: "" if p["axis"] == -1 else f"axis {p['axis']}",
)

SPECS = [ACTIVATION, RELU, LEAKY_RELU, PRELU, ELU, SOFTMAX]
