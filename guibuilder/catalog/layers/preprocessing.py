"""Preprocessing (Rescaling, Resizing, Normalization) and image augmentation layers.

Augmentation layers change images only while training; at inference they pass them through.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import prod
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

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
AFFINE_INTERPOLATIONS = ("bilinear", "nearest")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
FLIP_MODES = ("horizontal_and_vertical", "horizontal", "vertical")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(name: str, value: Any) -> list[float]:
    """A number or a list of numbers, as a list; anything else is refused."""
    values = value if isinstance(value, list | tuple) else [value]
    if not values or not all(_is_number(v) for v in values):
        raise ShapeError(f"needs {name} to be a number or a list of numbers, got {value!r}")
    return list(values)


def _factor(name: str, value: Any, low: float = -1.0, high: float = 1.0) -> None:
    """A fraction in [low, high], or a pair [lower, upper] of them."""
    values = _numbers(name, value)
    if isinstance(value, list | tuple) and len(values) != 2:
        raise ShapeError(f"needs {name} to be one number or a pair [lower, upper], got {value!r}")
    if any(v < low or v > high for v in values):
        raise ShapeError(f"needs {name} between {low:g} and {high:g}, got {value!r}")


def _image(inputs: list[Shape], what: str, data_format: str = "channels_last") -> Shape:
    shape = single(inputs, what)
    if len(shape) != 4:
        raise ShapeError(
            f"needs images shaped {layout(2, data_format)} but received {fmt_shape(shape)}"
        )
    return shape


def _fill_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec(
            "fill_mode",
            "choice",
            "reflect",
            "How pixels that come from outside the image are filled.",
            choices=FILL_MODES,
        ),
        ParamSpec(
            "interpolation",
            "choice",
            "bilinear",
            "How pixels between grid points are computed.",
            choices=AFFINE_INTERPOLATIONS,
            advanced=True,
        ),
        seed_param("augmentation"),
        ParamSpec(
            "fill_value",
            "float",
            0.0,
            "The value used outside the image when fill_mode is 'constant'.",
            advanced=True,
        ),
        data_format_param(),
    )


# ------------------------------------------------------------------ preprocessing
def _rescaling_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Rescaling")
    for name in ("scale", "offset"):
        values = _numbers(name, params[name])
        if isinstance(params[name], list | tuple) and len(values) not in (1, shape[-1]):
            raise ShapeError(
                f"needs one {name} or one per channel ({shape[-1]}) but got {len(values)} values"
            )
    return result(shape)


def _fmt_number(value: Any) -> str:
    return f"{value:.4g}" if _is_number(value) else "per channel"


RESCALING = LayerSpec(
    type_id="Rescaling",
    keras_class="Rescaling",
    category="Preprocessing",
    summary="Multiplies the input by a scale and adds an offset (e.g. pixels 0-255 to 0-1).",
    params=(
        ParamSpec(
            "scale",
            "json",
            1 / 255,
            "Factor each value is multiplied by; a number or one per channel.",
        ),
        ParamSpec(
            "offset",
            "json",
            0.0,
            "Value added after scaling; a number or one per channel.",
        ),
    ),
    infer=_rescaling_shape,
    doc_url=docs("preprocessing_layers/image_preprocessing/rescaling"),
    describe=lambda p: (
        f"x {_fmt_number(p['scale'])}"
        + (f" + {_fmt_number(p['offset'])}" if p["offset"] != 0 else "")
    ),
)


def _resizing_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = list(_image(inputs, "Resizing", params["data_format"]))
    first = 1 if params["data_format"] == "channels_last" else 2
    shape[first], shape[first + 1] = params["height"], params["width"]
    return result(tuple(shape))


RESIZING = LayerSpec(
    type_id="Resizing",
    keras_class="Resizing",
    category="Preprocessing",
    summary="Resizes images to a fixed height and width.",
    params=(
        ParamSpec("height", "int", 64, "Height of the output images.", minimum=1),
        ParamSpec("width", "int", 64, "Width of the output images.", minimum=1),
        ParamSpec(
            "interpolation",
            "choice",
            "bilinear",
            "How new pixels are computed from the old ones.",
            choices=INTERPOLATIONS,
        ),
        ParamSpec(
            "crop_to_aspect_ratio",
            "bool",
            False,
            "Crop the middle to the target aspect ratio instead of stretching.",
        ),
        ParamSpec(
            "pad_to_aspect_ratio",
            "bool",
            False,
            "Pad to the target aspect ratio instead of stretching.",
            advanced=True,
        ),
        ParamSpec(
            "fill_mode",
            "choice",
            "constant",
            "How padding is filled when pad_to_aspect_ratio is on.",
            choices=("constant",),
            advanced=True,
        ),
        ParamSpec("fill_value", "float", 0.0, "The value padding is filled with.", advanced=True),
        ParamSpec(
            "antialias",
            "bool",
            False,
            "Smooth before shrinking, to avoid jagged edges.",
            advanced=True,
        ),
        data_format_param(),
    ),
    infer=_resizing_shape,
    doc_url=docs("preprocessing_layers/image_preprocessing/resizing"),
    describe=lambda p: f"{p['height']}x{p['width']}",
)


def _normalization_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Normalization")
    axis = params["axis"]
    axes = [] if axis is None else ([axis] if isinstance(axis, int) else list(axis))
    rank = len(shape)
    kept = []
    for a in axes:
        if not -rank <= a < rank or a % rank == 0:
            raise ShapeError(
                f"has axis {a}, which is not a feature axis of an input {fmt_shape(shape)}"
            )
        kept.append(a % rank)
    unknown = [a for a in kept if shape[a] is None]
    if unknown:
        raise ShapeError(
            f"needs a known size on axis {unknown[0]} to keep one mean per entry "
            f"but received {fmt_shape(shape)}"
        )
    given = [params["mean"] is not None, params["variance"] is not None]
    if any(given) and not all(given):
        raise ShapeError("needs both mean and variance, or neither (to learn them from data)")
    if all(given):
        _numbers("mean", params["mean"])
        _numbers("variance", params["variance"])
        return result(shape)
    stats = prod(shape[a] for a in sorted(set(kept)))
    count = 2 * stats + 1
    return result(shape, params=count, non_trainable=count)


NORMALIZATION = LayerSpec(
    type_id="Normalization",
    keras_class="Normalization",
    category="Preprocessing",
    summary="Shifts and scales features to mean 0 and variance 1, from statistics of the data.",
    params=(
        ParamSpec(
            "axis",
            "axes",
            -1,
            "Axes that keep their own mean and variance (-1: one per feature); empty: one for all.",
            optional=True,
        ),
        ParamSpec(
            "mean",
            "json",
            None,
            "Fixed mean (a number or a list); empty to learn it from the data with adapt().",
        ),
        ParamSpec(
            "variance",
            "json",
            None,
            "Fixed variance (a number or a list); empty to learn it from the data.",
        ),
        ParamSpec(
            "invert",
            "bool",
            False,
            "Undo the normalization instead (turn standardized values back).",
            advanced=True,
        ),
    ),
    infer=_normalization_shape,
    doc_url=docs("preprocessing_layers/numerical/normalization"),
    describe=lambda p: "fixed" if p["mean"] is not None else "adapt",
)


# ------------------------------------------------------------------ augmentation
def _augmentation(
    type_id: str,
    summary: str,
    params: tuple[ParamSpec, ...],
    check,
    describe,
    doc: str,
    ignored: frozenset[str] = frozenset(),
) -> LayerSpec:
    def infer(values: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = _image(inputs, type_id, values.get("data_format", "channels_last"))
        check(values, shape)
        return result(shape)

    return LayerSpec(
        type_id=type_id,
        keras_class=type_id,
        category="Augmentation",
        summary=summary,
        params=params,
        infer=infer,
        doc_url=docs(f"preprocessing_layers/image_augmentation/{doc}"),
        describe=describe,
        ignored_config=ignored,
    )


def _no_check(_params: Mapping[str, Any], _shape: Shape) -> None:
    return None


def _check_rotation(params: Mapping[str, Any], _shape: Shape) -> None:
    _factor("factor", params["factor"])


def _check_zoom(params: Mapping[str, Any], _shape: Shape) -> None:
    _factor("height_factor", params["height_factor"])
    if params["width_factor"] is not None:
        _factor("width_factor", params["width_factor"])


def _check_translation(params: Mapping[str, Any], _shape: Shape) -> None:
    _factor("height_factor", params["height_factor"])
    _factor("width_factor", params["width_factor"])


def _check_contrast(params: Mapping[str, Any], shape: Shape) -> None:
    _factor("factor", params["factor"], low=0.0, high=1.0)
    value_range = _numbers("value_range", params["value_range"])
    if len(value_range) != 2 or value_range[0] >= value_range[1]:
        raise ShapeError(
            f"needs value_range as [lowest, highest] pixel value, got {params['value_range']!r}"
        )


def _fmt_factor(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return f"±{value:g}" if _is_number(value) else str(value)


RANDOM_FLIP = _augmentation(
    "RandomFlip",
    "Flips images at random while training, left-right and/or up-down.",
    (
        ParamSpec("mode", "choice", "horizontal", "Which flips to make.", choices=FLIP_MODES),
        seed_param("augmentation"),
        data_format_param(),
    ),
    _no_check,
    lambda p: p["mode"].replace("_and_", " + "),
    "random_flip",
)

RANDOM_ROTATION = _augmentation(
    "RandomRotation",
    "Rotates images by a random angle while training.",
    (
        ParamSpec(
            "factor",
            "json",
            0.1,
            "Largest rotation as a fraction of a full turn (0.1 = 36 degrees), "
            "or a range [lower, upper].",
        ),
        *_fill_params(),
    ),
    _check_rotation,
    lambda p: _fmt_factor(p["factor"]) + " turn",
    "random_rotation",
)

RANDOM_ZOOM = _augmentation(
    "RandomZoom",
    "Zooms images in or out by a random amount while training.",
    (
        ParamSpec(
            "height_factor",
            "json",
            0.1,
            "Largest vertical zoom as a fraction (negative zooms in), or a range [lower, upper].",
        ),
        ParamSpec(
            "width_factor",
            "json",
            None,
            "Largest horizontal zoom; empty keeps the aspect ratio.",
        ),
        *_fill_params(),
    ),
    _check_zoom,
    lambda p: _fmt_factor(p["height_factor"]),
    "random_zoom",
)

RANDOM_TRANSLATION = _augmentation(
    "RandomTranslation",
    "Shifts images up, down, left or right by a random amount while training.",
    (
        ParamSpec(
            "height_factor",
            "json",
            0.1,
            "Largest vertical shift as a fraction of the height, or a range [lower, upper].",
        ),
        ParamSpec(
            "width_factor",
            "json",
            0.1,
            "Largest horizontal shift as a fraction of the width, or a range [lower, upper].",
        ),
        *_fill_params(),
    ),
    _check_translation,
    lambda p: f"{_fmt_factor(p['height_factor'])} x {_fmt_factor(p['width_factor'])}",
    "random_translation",
)

RANDOM_CONTRAST = _augmentation(
    "RandomContrast",
    "Changes the contrast of images by a random factor while training.",
    (
        ParamSpec(
            "factor",
            "json",
            0.2,
            "Largest contrast change as a fraction (0.2: 80% to 120%), or a range [lower, upper].",
        ),
        ParamSpec(
            "value_range",
            "json",
            [0, 255],
            "The lowest and highest pixel value of the input images.",
        ),
        seed_param("augmentation"),
    ),
    _check_contrast,
    lambda p: _fmt_factor(p["factor"]),
    "random_contrast",
    ignored=frozenset({"data_format"}),
)

SPECS = [
    RESCALING,
    RESIZING,
    NORMALIZATION,
    RANDOM_FLIP,
    RANDOM_ROTATION,
    RANDOM_ZOOM,
    RANDOM_TRANSLATION,
    RANDOM_CONTRAST,
]
