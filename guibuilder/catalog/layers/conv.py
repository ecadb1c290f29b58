"""Convolutions: Conv1D/2D/3D, Conv2DTranspose, SeparableConv2D and DepthwiseConv2D."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    MAX_CHANNELS,
    PADDINGS,
    activation_param,
    as_tuple,
    constraint_param,
    data_format_param,
    docs,
    fmt_shape,
    initializer_param,
    ints_text,
    join_channels,
    known_channels,
    layout,
    regularizer_param,
    result,
    single,
    split_channels,
    weight_params,
    window_output,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Convolution"


def _filters() -> ParamSpec:
    return ParamSpec(
        "filters",
        "int",
        32,
        "Number of filters (output channels).",
        minimum=1,
        maximum=MAX_CHANNELS,
    )


def _kernel_size(rank: int) -> ParamSpec:
    return ParamSpec(
        "kernel_size",
        "ints",
        [3] * rank,
        "Size of the window each filter looks at.",
        minimum=1,
        length=rank,
    )


def _strides(rank: int) -> ParamSpec:
    return ParamSpec(
        "strides",
        "ints",
        [1] * rank,
        "Step of the window; 2 halves the size.",
        minimum=1,
        length=rank,
    )


def _padding(causal: bool = False) -> ParamSpec:
    choices = (*PADDINGS, "causal") if causal else PADDINGS
    return ParamSpec(
        "padding",
        "choice",
        "valid",
        "'valid': no padding, the output shrinks; 'same': zero-padded to keep the size"
        + ("; 'causal': never looks ahead in time." if causal else "."),
        choices=choices,
    )


def _dilation(rank: int) -> ParamSpec:
    return ParamSpec(
        "dilation_rate",
        "ints",
        [1] * rank,
        "Gaps between the kernel's taps (atrous convolution).",
        minimum=1,
        length=rank,
        advanced=True,
    )


def _depth_multiplier() -> ParamSpec:
    return ParamSpec(
        "depth_multiplier",
        "int",
        1,
        "Filters per input channel in the depthwise step.",
        minimum=1,
        advanced=True,
    )


_LORA = (
    ParamSpec(
        "lora_rank", "int", None, "Rank of a LoRA adapter.", optional=True, minimum=1, advanced=True
    ),
    ParamSpec(
        "lora_alpha", "float", None, "Scale of the LoRA adapter.", optional=True, advanced=True
    ),
)


def _input(params: Mapping[str, Any], inputs: list[Shape], rank: int) -> Shape:
    """The input shape, checked to have ``rank`` spatial axes plus channels."""
    shape = single(inputs, "a convolution")
    if len(shape) == rank + 2:
        return shape
    want = layout(rank, params["data_format"])
    message = f"needs {want} but received {fmt_shape(shape)}"
    got = len(shape) - 2
    if got == 0:
        message += f": add a Reshape to {want}, or use Dense"
    elif got <= 3:
        message += f": use Conv{got}D for this input, or add a Reshape to {want}"
    else:
        message += f": add a Reshape to {want}"
    raise ShapeError(message)


def _no_strided_dilation(strides: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError(
            "cannot use strides above 1 together with dilation_rate above 1: set one of them to 1"
        )


def _window(
    params: Mapping[str, Any], rank: int, strided_dilation: bool = False
) -> tuple[tuple[int, ...], ...]:
    """Kernel, strides and dilation; Keras refuses strides with dilation in plain convs."""
    kernel = as_tuple(params["kernel_size"], rank)
    strides = as_tuple(params["strides"], rank)
    dilation = as_tuple(params["dilation_rate"], rank)
    if not strided_dilation:
        _no_strided_dilation(strides, dilation)
    return kernel, strides, dilation


def _conv_rule(rank: int) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = _input(params, inputs, rank)
        fmt = params["data_format"]
        channels = known_channels(shape, fmt)
        filters, groups = params["filters"], params["groups"]
        if channels % groups or filters % groups:
            raise ShapeError(
                f"with groups={groups} both the input channels ({channels}) and filters "
                f"({filters}) must divide evenly into {groups} groups"
            )
        kernel, strides, dilation = _window(params, rank)
        spatial = window_output(
            split_channels(shape, fmt)[0], kernel, strides, params["padding"], dilation
        )
        count = math.prod(kernel) * (channels // groups) * filters
        count += filters if params["use_bias"] else 0
        return result(join_channels(shape[0], spatial, filters, fmt), params=count)

    return infer


def _transpose_length(
    size: int | None, kernel: int, stride: int, padding: str, extra: int | None, dilation: int
) -> int | None:
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    if extra is None:
        return size * stride if padding == "same" else (size - 1) * stride + max(span, stride)
    if padding == "same":
        return (size - 1) * stride + span % 2 + extra
    return (size - 1) * stride + span + extra


def _transpose_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = _input(params, inputs, 2)
    fmt = params["data_format"]
    channels = known_channels(shape, fmt)
    kernel, strides, dilation = _window(params, 2)
    extra = params["output_padding"]
    extras = (None, None) if extra is None else as_tuple(extra, 2)
    if extra is not None and any(e >= s for e, s in zip(extras, strides, strict=True)):
        raise ShapeError(
            f"needs output_padding smaller than strides, but has output_padding={list(extras)} "
            f"and strides={list(strides)}: lower output_padding or leave it empty"
        )
    spatial = tuple(
        _transpose_length(n, k, s, params["padding"], e, d)
        for n, k, s, e, d in zip(
            split_channels(shape, fmt)[0], kernel, strides, extras, dilation, strict=True
        )
    )
    filters = params["filters"]
    count = math.prod(kernel) * channels * filters + (filters if params["use_bias"] else 0)
    return result(join_channels(shape[0], spatial, filters, fmt), params=count)


def _depthwise_shape(
    params: Mapping[str, Any], inputs: list[Shape]
) -> tuple[Shape, int, tuple[int, ...]]:
    """Output shape, input channels and kernel of the depthwise step (both layers share it)."""
    shape = _input(params, inputs, 2)
    fmt = params["data_format"]
    channels = known_channels(shape, fmt)
    kernel, strides, dilation = _window(params, 2, strided_dilation=True)
    spatial = window_output(
        split_channels(shape, fmt)[0], kernel, strides, params["padding"], dilation
    )
    out = join_channels(shape[0], spatial, channels * params["depth_multiplier"], fmt)
    return out, channels, kernel


def _separable_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape, channels, kernel = _depthwise_shape(params, inputs)
    fmt, filters = params["data_format"], params["filters"]
    depth = channels * params["depth_multiplier"]
    count = math.prod(kernel) * depth + depth * filters + (filters if params["use_bias"] else 0)
    spatial = split_channels(shape, fmt)[0]
    return result(join_channels(shape[0], spatial, filters, fmt), params=count)


def _depthwise_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape, channels, kernel = _depthwise_shape(params, inputs)
    depth = channels * params["depth_multiplier"]
    count = math.prod(kernel) * depth + (depth if params["use_bias"] else 0)
    return result(shape, params=count)


def _window_text(params: Mapping[str, Any], rank: int) -> str:
    text = ints_text(params["kernel_size"], rank)
    strides = as_tuple(params["strides"], rank)
    if max(strides) > 1:
        text += " /" + (str(strides[0]) if len(set(strides)) == 1 else ints_text(strides, rank))
    return text


def _describe(rank: int, filters: bool = True) -> Callable[[Mapping[str, Any]], str]:
    def describe(params: Mapping[str, Any]) -> str:
        text = _window_text(params, rank)
        if filters:
            text = f"{params['filters']} @ {text}"
        elif params["depth_multiplier"] > 1:
            text += f" x{params['depth_multiplier']}"
        if params["activation"] != "linear":
            text += f", {params['activation']}"
        return text

    return describe


def _conv(rank: int) -> LayerSpec:
    name = f"Conv{rank}D"
    return LayerSpec(
        type_id=name,
        keras_class=name,
        category=CATEGORY,
        summary=f"{rank}D convolution: filters slide over the input and detect local patterns.",
        params=(
            _filters(),
            _kernel_size(rank),
            _strides(rank),
            _padding(causal=rank == 1),
            data_format_param(),
            _dilation(rank),
            ParamSpec(
                "groups",
                "int",
                1,
                "Split channels into groups convolved separately (grouped convolution).",
                minimum=1,
                advanced=True,
            ),
            activation_param(),
            *weight_params(),
            *_LORA,
        ),
        infer=_conv_rule(rank),
        doc_url=docs(f"convolution_layers/convolution{rank}d"),
        describe=_describe(rank),
    )


CONV2D_TRANSPOSE = LayerSpec(
    type_id="Conv2DTranspose",
    keras_class="Conv2DTranspose",
    category=CATEGORY,
    summary="Transposed convolution: learns to upsample, e.g. in decoders and GANs.",
    params=(
        _filters(),
        _kernel_size(2),
        _strides(2),
        _padding(),
        ParamSpec(
            "output_padding",
            "ints",
            None,
            "Extra rows and columns added to the output; each below the stride.",
            minimum=0,
            length=2,
            optional=True,
            advanced=True,
        ),
        data_format_param(),
        _dilation(2),
        activation_param(),
        *weight_params(),
    ),
    infer=_transpose_rule,
    doc_url=docs("convolution_layers/convolution2d_transpose"),
    describe=_describe(2),
)

SEPARABLE_CONV2D = LayerSpec(
    type_id="SeparableConv2D",
    keras_class="SeparableConv2D",
    category=CATEGORY,
    summary="A per-channel convolution followed by a 1x1 one: fewer weights than Conv2D.",
    params=(
        _filters(),
        _kernel_size(2),
        _strides(2),
        _padding(),
        data_format_param(),
        _dilation(2),
        _depth_multiplier(),
        activation_param(),
        ParamSpec("use_bias", "bool", True, "Add a learned bias to each output."),
        initializer_param("depthwise_initializer", "glorot_uniform", "per-channel kernels"),
        initializer_param("pointwise_initializer", "glorot_uniform", "1x1 kernel"),
        initializer_param("bias_initializer", "zeros", "bias"),
        regularizer_param("depthwise_regularizer", "per-channel kernels"),
        regularizer_param("pointwise_regularizer", "1x1 kernel"),
        regularizer_param("bias_regularizer", "bias"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param("depthwise_constraint", "per-channel kernels"),
        constraint_param("pointwise_constraint", "1x1 kernel"),
        constraint_param("bias_constraint", "bias"),
    ),
    infer=_separable_rule,
    doc_url=docs("convolution_layers/separable_convolution2d"),
    describe=_describe(2),
)

DEPTHWISE_CONV2D = LayerSpec(
    type_id="DepthwiseConv2D",
    keras_class="DepthwiseConv2D",
    category=CATEGORY,
    summary="Convolves each channel on its own, with its own filter(s).",
    params=(
        _kernel_size(2),
        _strides(2),
        _padding(),
        _depth_multiplier(),
        data_format_param(),
        _dilation(2),
        activation_param(),
        ParamSpec("use_bias", "bool", True, "Add a learned bias to each output."),
        initializer_param("depthwise_initializer", "glorot_uniform", "per-channel kernels"),
        initializer_param("bias_initializer", "zeros", "bias"),
        regularizer_param("depthwise_regularizer", "per-channel kernels"),
        regularizer_param("bias_regularizer", "bias"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param("depthwise_constraint", "per-channel kernels"),
        constraint_param("bias_constraint", "bias"),
    ),
    infer=_depthwise_rule,
    doc_url=docs("convolution_layers/depthwise_convolution2d"),
    describe=_describe(2, filters=False),
)

SPECS = [_conv(1), _conv(2), _conv(3), CONV2D_TRANSPOSE, SEPARABLE_CONV2D, DEPTHWISE_CONV2D]
