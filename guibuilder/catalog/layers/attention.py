"""Attention layers: MultiHeadAttention, Attention (dot product) and AdditiveAttention.

Each has the ports query and value, and an optional key (the value is used as key when
none is connected).
"""

from __future__ import annotations

from collections.abc import Mapping
from math import prod
from typing import Any

from guibuilder.catalog.layers._common import (
    MAX_CHANNELS,
    constraint_param,
    docs,
    fmt_shape,
    initializer_param,
    regularizer_param,
    result,
    seed_param,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, PortSpec, Shape, ShapeError

PORTS = (
    PortSpec("query", label="query"),
    PortSpec("value", label="value"),
    PortSpec("key", required=False, label="key"),
)


def _query_value_key(inputs: list[Shape]) -> tuple[Shape, Shape, Shape]:
    if len(inputs) not in (2, 3):
        raise ShapeError(
            "needs a query and a value (and optionally a key) "
            f"but received {len(inputs)} input{'' if len(inputs) == 1 else 's'}"
        )
    query, value = tuple(inputs[0]), tuple(inputs[1])
    key = tuple(inputs[2]) if len(inputs) == 3 else value
    return query, value, key


def _need_known_features(**shapes: Shape) -> None:
    for port, shape in shapes.items():
        if shape[-1] is None:
            raise ShapeError(
                f"needs a known number of features in its {port} but received {fmt_shape(shape)}"
            )


def _same_steps(value: Shape, key: Shape) -> None:
    for a, b in zip(value[1:-1], key[1:-1], strict=True):
        if a is not None and b is not None and a != b:
            raise ShapeError(
                "needs a value and a key that match on every axis but the last, but received "
                f"value {fmt_shape(value)} and key {fmt_shape(key)}"
            )


def _mha_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    query, value, key = _query_value_key(inputs)
    if len(query) < 3:
        raise ShapeError(
            f"needs a query shaped (steps, features) or more but received {fmt_shape(query)}"
        )
    if not len(query) == len(value) == len(key):
        raise ShapeError(
            "needs a query, value and key with the same number of axes but received "
            f"query {fmt_shape(query)} and value {fmt_shape(value)}"
        )
    _need_known_features(query=query, value=value, key=key)
    _same_steps(value, key)
    heads, key_dim = params["num_heads"], params["key_dim"]
    value_dim = params["value_dim"] or key_dim
    out_shape = params["output_shape"]
    if out_shape is None:
        out = (query[-1],)
    elif isinstance(out_shape, int):
        out = (out_shape,)
    else:
        out = tuple(out_shape)
    bias = 1 if params["use_bias"] else 0
    count = (query[-1] + bias) * heads * key_dim
    count += (key[-1] + bias) * heads * key_dim
    count += (value[-1] + bias) * heads * value_dim
    if params["use_gate"]:
        count += (query[-1] + bias) * heads * value_dim
    count += heads * value_dim * prod(out) + bias * prod(out)
    return result((*query[:-1], *out), params=count)


MULTI_HEAD_ATTENTION = LayerSpec(
    type_id="MultiHeadAttention",
    keras_class="MultiHeadAttention",
    category="Attention",
    summary="Several attention heads in parallel: each query position looks at all values.",
    params=(
        ParamSpec("num_heads", "int", 4, "Number of attention heads.", minimum=1, maximum=1024),
        ParamSpec(
            "key_dim",
            "int",
            16,
            "Size of each head's query and key.",
            minimum=1,
            maximum=MAX_CHANNELS,
        ),
        ParamSpec(
            "value_dim",
            "int",
            None,
            "Size of each head's value; empty means key_dim.",
            minimum=1,
            maximum=MAX_CHANNELS,
            optional=True,
        ),
        ParamSpec(
            "dropout",
            "float",
            0.0,
            "Fraction of attention weights dropped during training.",
            minimum=0.0,
            maximum=1.0,
        ),
        ParamSpec("use_bias", "bool", True, "Add learned biases to the projections."),
        ParamSpec(
            "output_shape",
            "ints",
            None,
            "Size of the output features; empty keeps the query's.",
            minimum=1,
            maximum=MAX_CHANNELS,
            optional=True,
            advanced=True,
        ),
        ParamSpec(
            "attention_axes",
            "axes",
            None,
            "Axes attention runs over; empty means all but batch and features.",
            optional=True,
            advanced=True,
        ),
        ParamSpec(
            "sliding_window",
            "int",
            None,
            "Each position only looks this far back and ahead; empty for no limit.",
            minimum=1,
            optional=True,
            advanced=True,
        ),
        ParamSpec(
            "use_gate",
            "bool",
            False,
            "Gate each head's output with a learned sigmoid of the query.",
            advanced=True,
        ),
        initializer_param("kernel_initializer", "glorot_uniform", "weights"),
        initializer_param("bias_initializer", "zeros", "bias"),
        regularizer_param("kernel_regularizer", "weights"),
        regularizer_param("bias_regularizer", "bias"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param("kernel_constraint", "weights"),
        constraint_param("bias_constraint", "bias"),
        seed_param("dropout"),
    ),
    inputs=PORTS,
    infer=_mha_shape,
    doc_url=docs("attention_layers/multi_head_attention"),
    call_style="keywords",
    describe=lambda p: f"{p['num_heads']} heads x {p['key_dim']}",
)


def _sequences(query: Shape, value: Shape, key: Shape) -> None:
    for port, shape in (("query", query), ("value", value), ("key", key)):
        if len(shape) != 3:
            raise ShapeError(
                f"needs a {port} shaped (steps, features) but received {fmt_shape(shape)}"
            )
    _need_known_features(query=query, value=value, key=key)
    _same_steps(value, key)


def _dot_attention_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    query, value, key = _query_value_key(inputs)
    _sequences(query, value, key)
    if query[-1] != key[-1]:
        raise ShapeError(
            f"needs a query and a key with the same number of features but received "
            f"query {fmt_shape(query)} and key {fmt_shape(key)}; add a Dense layer to match them"
        )
    count = (1 if params["use_scale"] else 0) + (1 if params["score_mode"] == "concat" else 0)
    return result((*query[:-1], value[-1]), params=count)


_DROPOUT = ParamSpec(
    "dropout",
    "float",
    0.0,
    "Fraction of attention weights dropped during training.",
    minimum=0.0,
    maximum=1.0,
)

ATTENTION = LayerSpec(
    type_id="Attention",
    keras_class="Attention",
    category="Attention",
    summary="Dot-product (Luong-style) attention: each query step takes a weighted mix of values.",
    params=(
        ParamSpec("use_scale", "bool", False, "Learn a scale factor for the attention scores."),
        ParamSpec(
            "score_mode",
            "choice",
            "dot",
            "How query and key are compared: dot product, or tanh of their sum.",
            choices=("dot", "concat"),
        ),
        _DROPOUT,
        seed_param("dropout"),
    ),
    inputs=PORTS,
    infer=_dot_attention_shape,
    doc_url=docs("attention_layers/attention"),
    call_style="list",
    describe=lambda p: p["score_mode"] + (", scaled" if p["use_scale"] else ""),
)


def _additive_attention_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    query, value, key = _query_value_key(inputs)
    _sequences(query, value, key)
    if query[-1] != key[-1]:
        raise ShapeError(
            f"needs a query and a key with the same number of features but received "
            f"query {fmt_shape(query)} and key {fmt_shape(key)}; add a Dense layer to match them"
        )
    return result((*query[:-1], value[-1]), params=query[-1] if params["use_scale"] else 0)


ADDITIVE_ATTENTION = LayerSpec(
    type_id="AdditiveAttention",
    keras_class="AdditiveAttention",
    category="Attention",
    summary="Additive (Bahdanau-style) attention: scores from tanh of query plus key.",
    params=(
        ParamSpec("use_scale", "bool", True, "Learn a scale per feature for the attention scores."),
        _DROPOUT,
        seed_param("dropout"),
    ),
    inputs=PORTS,
    infer=_additive_attention_shape,
    doc_url=docs("attention_layers/additive_attention"),
    call_style="list",
    describe=lambda p: "additive" + (", scaled" if p["use_scale"] else ""),
)

SPECS = [MULTI_HEAD_ATTENTION, ATTENTION, ADDITIVE_ATTENTION]
