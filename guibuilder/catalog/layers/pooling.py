"""Pooling: max and average over windows, and global pooling over all positions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    PADDINGS,
    as_tuple,
    data_format_param,
    docs,
    fmt_shape,
    ints_text,
    join_channels,
    layout,
    result,
    single,
    split_channels,
    window_output,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Pooling"

_KINDS = {"Max": "maximum", "Average": "average"}


def _input(params: Mapping[str, Any], inputs: list[Shape], rank: int, family: str) -> Shape:
    """The input shape, checked to have ``rank`` spatial axes plus channels."""
    shape = single(inputs, family)
    if len(shape) == rank + 2:
        return shape
    want = layout(rank, params["data_format"])
    message = f"needs {want} but received {fmt_shape(shape)}"
    got = len(shape) - 2
    if got in (1, 2) and got != rank:
        message += f": use {family}{got}D for this input, or add a Reshape"
    else:
        message += f": add a Reshape to {want}"
    raise ShapeError(message)


def _pool_rule(rank: int, family: str) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = _input(params, inputs, rank, family)
        fmt = params["data_format"]
        pool = as_tuple(params["pool_size"], rank)
        strides = pool if params["strides"] is None else as_tuple(params["strides"], rank)
        spatial, channels = split_channels(shape, fmt)
        out = window_output(spatial, pool, strides, params["padding"])
        return result(join_channels(shape[0], out, channels, fmt))

    return infer


def _describe(rank: int) -> Callable[[Mapping[str, Any]], str]:
    def describe(params: Mapping[str, Any]) -> str:
        pool = as_tuple(params["pool_size"], rank)
        strides = pool if params["strides"] is None else as_tuple(params["strides"], rank)
        stride = str(strides[0]) if len(set(strides)) == 1 else ints_text(strides, rank)
        text = f"{ints_text(pool, rank)} /{stride}"
        return text + (", same" if params["padding"] == "same" else "")

    return describe


def _pooling(kind: str, rank: int) -> LayerSpec:
    name = f"{kind}Pooling{rank}D"
    word = _KINDS[kind]
    return LayerSpec(
        type_id=name,
        keras_class=name,
        category=CATEGORY,
        summary=f"Keeps the {word} of each window: shrinks the {rank}D size, keeps channels.",
        params=(
            ParamSpec(
                "pool_size",
                "ints",
                [2] * rank,
                "Size of the window to pool over.",
                minimum=1,
                length=rank,
            ),
            ParamSpec(
                "strides",
                "ints",
                None,
                "Step of the window; empty means the same as pool_size.",
                minimum=1,
                length=rank,
                optional=True,
            ),
            ParamSpec(
                "padding",
                "choice",
                "valid",
                "'valid': drop what does not fill a window; 'same': pad to keep every position.",
                choices=PADDINGS,
            ),
            data_format_param(),
        ),
        infer=_pool_rule(rank, f"{kind}Pooling"),
        doc_url=docs(f"pooling_layers/{kind.lower()}_pooling{rank}d"),
        describe=_describe(rank),
    )


def _global_rule(rank: int, family: str) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = _input(params, inputs, rank, family)
        fmt = params["data_format"]
        channels = split_channels(shape, fmt)[1]
        if not params["keepdims"]:
            return result((shape[0], channels))
        return result(join_channels(shape[0], (1,) * rank, channels, fmt))

    return infer


def _global_pooling(kind: str, rank: int) -> LayerSpec:
    name = f"Global{kind}Pooling{rank}D"
    word = _KINDS[kind]
    return LayerSpec(
        type_id=name,
        keras_class=name,
        category=CATEGORY,
        summary=f"The {word} of each channel over all positions: one number per channel.",
        params=(
            data_format_param(),
            ParamSpec(
                "keepdims",
                "bool",
                False,
                "Keep the pooled axes with size 1 instead of removing them.",
                advanced=True,
            ),
        ),
        infer=_global_rule(rank, f"Global{kind}Pooling"),
        doc_url=docs(f"pooling_layers/global_{kind.lower()}_pooling{rank}d"),
        describe=lambda p: "keep dims" if p["keepdims"] else "",
    )


SPECS = [
    _pooling("Max", 1),
    _pooling("Max", 2),
    _pooling("Average", 1),
    _pooling("Average", 2),
    _global_pooling("Average", 1),
    _global_pooling("Average", 2),
    _global_pooling("Max", 1),
    _global_pooling("Max", 2),
]
