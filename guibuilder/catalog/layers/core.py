"""Input and Dense."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    MAX_UNITS,
    activation_param,
    docs,
    fmt_shape,
    result,
    single,
    weight_params,
)
from guibuilder.catalog.spec import LayerSpec, ParamSpec, Shape, ShapeError

DTYPES = ("float32", "float16", "bfloat16", "float64", "int32", "int64", "uint8", "bool")


def _input_shape(params: Mapping[str, Any], inputs: list[Shape]):
    shape = params["shape"]
    if any(d is not None and d <= 0 for d in shape):
        raise ShapeError(f"shape {tuple(shape)} has a dimension that is not positive")
    return result((params["batch_size"], *shape))


def _input_to_keras(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    batch_shape = [params["batch_size"], *params["shape"]]
    return "InputLayer", {"batch_shape": batch_shape, "dtype": params["dtype"]}


def _input_from_keras(_class_name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    batch_shape = list(config["batch_shape"])
    return {"shape": batch_shape[1:], "batch_size": batch_shape[0], "dtype": config["dtype"]}


INPUT = LayerSpec(
    type_id="Input",
    keras_class="InputLayer",
    category="Input",
    summary="Where data enters the model; its shape is one sample's shape.",
    params=(
        ParamSpec("shape", "shape", [28, 28, 1], "Shape of one sample (no batch dimension)."),
        ParamSpec(
            "batch_size",
            "int",
            None,
            "Fixed batch size; leave empty for any.",
            minimum=1,
            optional=True,
            advanced=True,
        ),
        ParamSpec("dtype", "choice", "float32", "Type of the values fed in.", choices=DTYPES),
    ),
    inputs=(),
    infer=_input_shape,
    doc_url=docs("core_layers/input"),
    describe=lambda p: fmt_shape([None, *p["shape"]]),
    to_keras=_input_to_keras,
    from_keras=_input_from_keras,
    ignored_config=frozenset({"sparse", "ragged", "optional", "batch_shape"}),
)


def _dense_shape(params: Mapping[str, Any], inputs: list[Shape]):
    shape = single(inputs, "Dense")
    if len(shape) < 2:
        raise ShapeError(f"needs at least one feature axis but received {fmt_shape(shape)}")
    features = shape[-1]
    if features is None:
        raise ShapeError(f"needs a known last dimension but received {fmt_shape(shape)}")
    units = params["units"]
    count = features * units + (units if params["use_bias"] else 0)
    return result((*shape[:-1], units), params=count)


DENSE = LayerSpec(
    type_id="Dense",
    keras_class="Dense",
    category="Core",
    summary="Fully connected: every output is a weighted sum of all inputs.",
    params=(
        ParamSpec("units", "int", 10, "Number of outputs (neurons).", minimum=1, maximum=MAX_UNITS),
        activation_param(),
        *weight_params(),
        ParamSpec(
            "lora_rank",
            "int",
            None,
            "Rank of a LoRA adapter.",
            optional=True,
            minimum=1,
            advanced=True,
        ),
        ParamSpec(
            "lora_alpha", "float", None, "Scale of the LoRA adapter.", optional=True, advanced=True
        ),
    ),
    infer=_dense_shape,
    doc_url=docs("core_layers/dense"),
    describe=lambda p: ", ".join(
        [str(p["units"])] + ([p["activation"]] if p["activation"] != "linear" else [])
    ),
    ignored_config=frozenset({"quantization_config"}),
)

SPECS = [INPUT, DENSE]
