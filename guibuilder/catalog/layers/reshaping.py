"""Reshaping: Flatten, Reshape, Permute, RepeatVector, UpSampling, ZeroPadding, Cropping."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    as_tuple,
    data_format_param,
    docs,
    fmt_shape,
    join_channels,
    layout,
    result,
    single,
    split_channels,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Reshaping"


def _need_rank(shape: Shape, rank: int, data_format: str = "channels_last") -> None:
    if len(shape) != rank + 2:
        want = layout(rank, data_format)
        raise ShapeError(f"needs {want} but received {fmt_shape(shape)}: add a Reshape to {want}")


def _size(dims: tuple[int | None, ...]) -> int | None:
    return None if any(d is None for d in dims) else math.prod(dims)


# Flatten ------------------------------------------------------------------------------


def _flatten_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Flatten")
    return result((shape[0], _size(shape[1:])))


FLATTEN = LayerSpec(
    type_id="Flatten",
    keras_class="Flatten",
    category=CATEGORY,
    summary="Lays all values of a sample out in one long vector, e.g. before Dense.",
    params=(data_format_param(),),
    infer=_flatten_rule,
    doc_url=docs("reshaping_layers/flatten"),
)


# Reshape ------------------------------------------------------------------------------


def _shape_text(dims: Any) -> str:
    text = ", ".join("?" if d is None else str(d) for d in dims)
    return f"({text},)" if len(dims) == 1 else f"({text})"


def _reshape_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Reshape")
    target = tuple(params["target_shape"])
    if not target:
        raise ShapeError("needs a target_shape with at least one dimension")
    if any(d is not None and d < -1 for d in target) or target.count(-1) > 1:
        raise ShapeError(
            f"cannot reshape to {_shape_text(target)}: use sizes of 0 or more, "
            "and -1 at most once for the size to work out"
        )
    source = shape[1:]
    if None in source or None in target:
        return result((shape[0], *(None if d == -1 else d for d in target)))
    total = math.prod(source)
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if known == 0 or total % known:
            raise ShapeError(
                f"cannot reshape {fmt_shape(shape)} ({total} values) to {_shape_text(target)}: "
                f"{total} is not a multiple of {known}"
            )
        target = tuple(total // known if d == -1 else d for d in target)
    elif known != total:
        raise ShapeError(
            f"cannot reshape {fmt_shape(shape)} ({total} values) to {_shape_text(target)} "
            f"({known} values): the number of values must stay the same; "
            "use -1 for one size to work it out"
        )
    return result((shape[0], *target))


RESHAPE = LayerSpec(
    type_id="Reshape",
    keras_class="Reshape",
    category=CATEGORY,
    summary="Rearranges the values of a sample into a new shape of the same size.",
    params=(
        ParamSpec(
            "target_shape",
            "shape",
            [-1],
            "New shape of one sample (no batch); -1 once for the size to be worked out.",
        ),
    ),
    infer=_reshape_rule,
    doc_url=docs("reshaping_layers/reshape"),
    describe=lambda p: _shape_text(p["target_shape"]),
)


# Permute ------------------------------------------------------------------------------


def _dims(params: Mapping[str, Any]) -> list[int]:
    dims = params["dims"]
    return [dims] if isinstance(dims, int) else list(dims)


def _permute_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Permute")
    dims = _dims(params)
    axes = list(range(1, len(shape)))
    if sorted(dims) != axes:
        raise ShapeError(
            f"needs dims to order the axes {axes} of {fmt_shape(shape)}, each once, "
            f"but has dims={list(dims)}"
        )
    return result((shape[0], *(shape[d] for d in dims)))


PERMUTE = LayerSpec(
    type_id="Permute",
    keras_class="Permute",
    category=CATEGORY,
    summary="Swaps the axes of a sample, e.g. (time, features) to (features, time).",
    params=(
        ParamSpec(
            "dims",
            "ints",
            [2, 1],
            "New order of the axes, counted from 1 (the batch axis stays first).",
            minimum=1,
        ),
    ),
    infer=_permute_rule,
    doc_url=docs("reshaping_layers/permute"),
    describe=lambda p: _shape_text(_dims(p)),
    to_keras=lambda p: ("Permute", {"dims": _dims(p)}),
)


# RepeatVector -------------------------------------------------------------------------


def _repeat_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "RepeatVector")
    if len(shape) != 2:
        raise ShapeError(
            f"needs a vector (features,) but received {fmt_shape(shape)}: add a Flatten before it"
        )
    return result((shape[0], params["n"], shape[1]))


REPEAT_VECTOR = LayerSpec(
    type_id="RepeatVector",
    keras_class="RepeatVector",
    category=CATEGORY,
    summary="Repeats a vector n times: (features,) becomes (n, features).",
    params=(ParamSpec("n", "int", 2, "How many times to repeat the input.", minimum=1),),
    infer=_repeat_rule,
    doc_url=docs("reshaping_layers/repeat_vector"),
    describe=lambda p: f"x{p['n']}",
)


# UpSampling ---------------------------------------------------------------------------


def _times(size: int | None, factor: int) -> int | None:
    return None if size is None else size * factor


def _upsampling1d_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "UpSampling1D")
    _need_rank(shape, 1)
    return result((shape[0], _times(shape[1], params["size"]), shape[2]))


UPSAMPLING1D = LayerSpec(
    type_id="UpSampling1D",
    keras_class="UpSampling1D",
    category=CATEGORY,
    summary="Repeats each step `size` times along the time axis.",
    params=(ParamSpec("size", "int", 2, "How many times to repeat each step.", minimum=1),),
    infer=_upsampling1d_rule,
    doc_url=docs("reshaping_layers/up_sampling1d"),
    describe=lambda p: f"x{p['size']}",
)

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


def _upsampling2d_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "UpSampling2D")
    fmt = params["data_format"]
    _need_rank(shape, 2, fmt)
    spatial, channels = split_channels(shape, fmt)
    size = as_tuple(params["size"], 2)
    out = tuple(_times(n, f) for n, f in zip(spatial, size, strict=True))
    return result(join_channels(shape[0], out, channels, fmt))


def _upsampling_text(params: Mapping[str, Any]) -> str:
    size = as_tuple(params["size"], 2)
    text = f"x{size[0]}" if size[0] == size[1] else f"x{size[0]}, x{size[1]}"
    return text + ("" if params["interpolation"] == "nearest" else f", {params['interpolation']}")


UPSAMPLING2D = LayerSpec(
    type_id="UpSampling2D",
    keras_class="UpSampling2D",
    category=CATEGORY,
    summary="Enlarges an image by repeating (or interpolating) rows and columns.",
    params=(
        ParamSpec(
            "size",
            "ints",
            [2, 2],
            "Factor for the height and the width.",
            minimum=1,
            length=2,
        ),
        data_format_param(),
        ParamSpec(
            "interpolation",
            "choice",
            "nearest",
            "How new pixels are filled: copies of the nearest one, or a smooth blend.",
            choices=INTERPOLATIONS,
        ),
    ),
    infer=_upsampling2d_rule,
    doc_url=docs("reshaping_layers/up_sampling2d"),
    describe=_upsampling_text,
)


# ZeroPadding and Cropping -------------------------------------------------------------


def _pairs(value: Any, rank: int) -> tuple[tuple[int, int], ...]:
    """A scalar or a flat list (before, after per axis) -> ((before, after), ...)."""
    flat = as_tuple(value, 2 * rank)
    return tuple((flat[2 * i], flat[2 * i + 1]) for i in range(rank))


def _pairs_to_keras(class_name: str, name: str) -> Callable[[Mapping[str, Any]], Any]:
    """Our flat (before, after, ...) list -> Keras' ((top, bottom), (left, right))."""

    def to_keras(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        config = dict(params)
        if not isinstance(params[name], int):
            config[name] = [list(pair) for pair in _pairs(params[name], 2)]
        return class_name, config

    return to_keras


def _pairs_from_keras(name: str) -> Callable[[str, Mapping[str, Any]], dict[str, Any]]:
    """Keras' ((top, bottom), (left, right)) -> our flat list."""

    def from_keras(_class_name: str, config: Mapping[str, Any]) -> dict[str, Any]:
        value = config[name]
        if not isinstance(value, int):
            value = [v for pair in value for v in as_tuple(pair, 2)]
        return {name: value, "data_format": config["data_format"]}

    return from_keras


def _padding_rule(rank: int) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = single(inputs, f"ZeroPadding{rank}D")
        fmt = params["data_format"]
        _need_rank(shape, rank, fmt)
        spatial, channels = split_channels(shape, fmt)
        pairs = _pairs(params["padding"], rank)
        out = tuple(
            None if n is None else n + a + b for n, (a, b) in zip(spatial, pairs, strict=True)
        )
        return result(join_channels(shape[0], out, channels, fmt))

    return infer


def _cropping_rule(rank: int) -> Callable[[Mapping[str, Any], list[Shape]], Inferred]:
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = single(inputs, f"Cropping{rank}D")
        fmt = params.get("data_format", "channels_last")
        _need_rank(shape, rank, fmt)
        spatial, channels = split_channels(shape, fmt)
        pairs = _pairs(params["cropping"], rank)
        out = []
        for axis, n, (a, b) in zip(_axis_names(rank), spatial, pairs, strict=True):
            if n is not None and a + b >= n:
                raise ShapeError(
                    f"cannot crop {a} + {b} from a {axis} of {n}: that leaves nothing; crop less"
                )
            out.append(None if n is None else n - a - b)
        return result(join_channels(shape[0], out, channels, fmt))

    return infer


def _axis_names(rank: int) -> tuple[str, ...]:
    return ("length",) if rank == 1 else ("height", "width")


def _pairs_text(word: str, value: Any, rank: int) -> str:
    """``pad 1`` when every side is the same, else ``pad 1+2, 0`` (per axis)."""
    pairs = _pairs(value, rank)
    if len({v for pair in pairs for v in pair}) == 1:
        return f"{word} {pairs[0][0]}"
    return f"{word} " + ", ".join(str(a) if a == b else f"{a}+{b}" for a, b in pairs)


ZERO_PADDING1D = LayerSpec(
    type_id="ZeroPadding1D",
    keras_class="ZeroPadding1D",
    category=CATEGORY,
    summary="Adds zeros at the start and end of a sequence.",
    params=(
        ParamSpec(
            "padding",
            "ints",
            [1, 1],
            "Zeros added at the start and at the end (one number: both).",
            minimum=0,
            length=2,
        ),
        data_format_param(),
    ),
    infer=_padding_rule(1),
    doc_url=docs("reshaping_layers/zero_padding1d"),
    describe=lambda p: _pairs_text("pad", p["padding"], 1),
)

ZERO_PADDING2D = LayerSpec(
    type_id="ZeroPadding2D",
    keras_class="ZeroPadding2D",
    category=CATEGORY,
    summary="Adds rows and columns of zeros around an image.",
    params=(
        ParamSpec(
            "padding",
            "ints",
            [1, 1, 1, 1],
            "Zeros added at the top, bottom, left and right (one number: all four).",
            minimum=0,
            length=4,
        ),
        data_format_param(),
    ),
    infer=_padding_rule(2),
    doc_url=docs("reshaping_layers/zero_padding2d"),
    describe=lambda p: _pairs_text("pad", p["padding"], 2),
    to_keras=_pairs_to_keras("ZeroPadding2D", "padding"),
    from_keras=_pairs_from_keras("padding"),
)

CROPPING1D = LayerSpec(
    type_id="Cropping1D",
    keras_class="Cropping1D",
    category=CATEGORY,
    summary="Cuts steps off the start and end of a sequence.",
    params=(
        ParamSpec(
            "cropping",
            "ints",
            [1, 1],
            "Steps cut from the start and from the end (one number: both).",
            minimum=0,
            length=2,
        ),
    ),
    infer=_cropping_rule(1),
    doc_url=docs("reshaping_layers/cropping1d"),
    describe=lambda p: _pairs_text("crop", p["cropping"], 1),
)

CROPPING2D = LayerSpec(
    type_id="Cropping2D",
    keras_class="Cropping2D",
    category=CATEGORY,
    summary="Cuts rows and columns off the borders of an image.",
    params=(
        ParamSpec(
            "cropping",
            "ints",
            [0, 0, 0, 0],
            "Pixels cut from the top, bottom, left and right (one number: all four).",
            minimum=0,
            length=4,
        ),
        data_format_param(),
    ),
    infer=_cropping_rule(2),
    doc_url=docs("reshaping_layers/cropping2d"),
    describe=lambda p: _pairs_text("crop", p["cropping"], 2),
    to_keras=_pairs_to_keras("Cropping2D", "cropping"),
    from_keras=_pairs_from_keras("cropping"),
)

SPECS = [
    FLATTEN,
    RESHAPE,
    PERMUTE,
    REPEAT_VECTOR,
    UPSAMPLING1D,
    UPSAMPLING2D,
    ZERO_PADDING1D,
    ZERO_PADDING2D,
    CROPPING1D,
    CROPPING2D,
]
