"""Building blocks shared by the layer modules: common parameters and shape helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guibuilder.catalog.spec import KERAS_DOCS, Inferred, ParamSpec, Shape, ShapeError

#: Every activation Keras offers by name, most used first.
ACTIVATIONS: tuple[str, ...] = (
    "linear",
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "sigmoid",
    "hard_sigmoid",
    "log_sigmoid",
    "tanh",
    "hard_tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "exponential",
    "hard_silu",
    "hard_swish",
    "glu",
    "sparsemax",
    "squareplus",
    "sparse_plus",
    "sparse_sigmoid",
    "hard_shrink",
    "soft_shrink",
    "tanh_shrink",
)

#: Initializers by their Keras names; a serialized dict (e.g. RandomNormal with a stddev)
#: is accepted as well.
INITIALIZERS: tuple[str, ...] = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "zeros",
    "ones",
    "identity",
)

REGULARIZERS: tuple[str, ...] = ("l1", "l2", "l1_l2", "orthogonal_regularizer")
CONSTRAINTS: tuple[str, ...] = ("max_norm", "min_max_norm", "non_neg", "unit_norm")

#: The most units (Dense, RNN) and channels (filters, vector sizes) a layer may have:
#: beyond any real model (the largest output layers have a few 100,000 units).
MAX_UNITS = 2**20
MAX_CHANNELS = 2**16

PADDINGS: tuple[str, ...] = ("valid", "same")
DATA_FORMATS: tuple[str, ...] = ("channels_last", "channels_first")


def docs(path: str) -> str:
    """A link into the Keras layer docs, e.g. ``docs("core_layers/dense")``."""
    return f"{KERAS_DOCS}{path}/"


def activation_param(default: str = "linear", name: str = "activation") -> ParamSpec:
    return ParamSpec(
        name, "activation", default, "Function applied to the output.", choices=ACTIVATIONS
    )


def initializer_param(name: str, default: str, what: str) -> ParamSpec:
    return ParamSpec(
        name,
        "initializer",
        default,
        f"How the {what} starts before training.",
        choices=INITIALIZERS,
        advanced=True,
    )


def regularizer_param(name: str, what: str) -> ParamSpec:
    return ParamSpec(
        name,
        "regularizer",
        None,
        f"Penalty on the {what} added to the loss (L1, L2).",
        choices=REGULARIZERS,
        optional=True,
        advanced=True,
    )


def constraint_param(name: str, what: str) -> ParamSpec:
    return ParamSpec(
        name,
        "constraint",
        None,
        f"Projection applied to the {what} after each update.",
        choices=CONSTRAINTS,
        optional=True,
        advanced=True,
    )


def weight_params(kernel: str = "kernel", *, kernel_init: str = "glorot_uniform") -> tuple:
    """use_bias plus initializer, regularizer and constraint for the kernel and bias."""
    return (
        ParamSpec("use_bias", "bool", True, "Add a learned bias to each output."),
        initializer_param(f"{kernel}_initializer", kernel_init, "weights"),
        initializer_param("bias_initializer", "zeros", "bias"),
        regularizer_param(f"{kernel}_regularizer", "weights"),
        regularizer_param("bias_regularizer", "bias"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param(f"{kernel}_constraint", "weights"),
        constraint_param("bias_constraint", "bias"),
    )


def fmt_shape(shape: Sequence[int | None]) -> str:
    """``(None, 28, 28, 1)`` -> ``(28, 28, 1)``: the batch dimension is not shown."""
    dims = ["?" if d is None else str(d) for d in shape[1:]]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def single(inputs: list[Shape], what: str) -> Shape:
    """The one input shape of a single-input layer."""
    if len(inputs) != 1:
        raise ShapeError(f"{what} takes one input, got {len(inputs)}")
    return tuple(inputs[0])


def as_tuple(value: Any, n: int) -> tuple[int, ...]:
    """An int or a list -> a tuple of ``n`` ints."""
    if isinstance(value, int):
        return (value,) * n
    values = tuple(value)
    if len(values) != n:
        raise ShapeError(f"needs {n} values but got {len(values)}")
    return values


def conv_length(
    size: int | None, kernel: int, stride: int, padding: str, dilation: int = 1
) -> int | None:
    """The output length of a convolution or pooling along one axis."""
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    if padding == "causal":
        return -(-size // stride)
    out = (size - span) // stride + 1
    if out <= 0:
        raise ShapeError(
            f"a window of {span} does not fit into a length of {size} with padding='valid'; "
            "use a smaller kernel or padding='same'"
        )
    return out


def result(*outputs: Shape, params: int = 0, non_trainable: int = 0) -> Inferred:
    return Inferred(tuple(tuple(o) for o in outputs), params, non_trainable)


#: Names of the spatial axes of 1D, 2D and 3D data, as a student reads them.
SPATIAL_NAMES: dict[int, tuple[str, ...]] = {
    1: ("steps",),
    2: ("height", "width"),
    3: ("depth", "height", "width"),
}


def data_format_param() -> ParamSpec:
    return ParamSpec(
        "data_format",
        "choice",
        "channels_last",
        "Where the channels axis is: last (height, width, channels) or first.",
        choices=DATA_FORMATS,
        advanced=True,
    )


def layout(rank: int, data_format: str = "channels_last") -> str:
    """The axes a ``rank``-D layer expects, e.g. ``(height, width, channels)``."""
    names = SPATIAL_NAMES[rank]
    axes = ("channels", *names) if data_format == "channels_first" else (*names, "channels")
    return "(" + ", ".join(axes) + ")"


def dims_text(dims: Sequence[int | None]) -> str:
    """``(3, 3)`` -> ``3x3``; unknown sizes show as ``?``."""
    return "x".join("?" if d is None else str(d) for d in dims)


def ints_text(value: Any, n: int) -> str:
    """An int or a list of ``n`` ints as ``3x3``."""
    return dims_text(as_tuple(value, n))


def split_channels(shape: Shape, data_format: str) -> tuple[tuple[int | None, ...], int | None]:
    """The spatial sizes and the channel count of an input with a batch axis."""
    if data_format == "channels_first":
        return tuple(shape[2:]), shape[1]
    return tuple(shape[1:-1]), shape[-1]


def join_channels(
    batch: int | None, spatial: Sequence[int | None], channels: int | None, data_format: str
) -> Shape:
    """The inverse of :func:`split_channels`."""
    if data_format == "channels_first":
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def known_channels(shape: Shape, data_format: str) -> int:
    """The channel count, which must be known to size the weights."""
    channels = split_channels(shape, data_format)[1]
    if channels is None:
        raise ShapeError(
            f"needs a known number of channels but received {fmt_shape(shape)}; "
            "give the Input a fixed channel count"
        )
    return channels


def window_output(
    spatial: Sequence[int | None],
    window: Sequence[int],
    strides: Sequence[int],
    padding: str,
    dilation: Sequence[int] | None = None,
) -> tuple[int | None, ...]:
    """Output sizes of a sliding window (convolution or pooling) along each spatial axis."""
    dilation = dilation or (1,) * len(window)
    spans = [(k - 1) * d + 1 for k, d in zip(window, dilation, strict=True)]
    if padding == "valid" and any(
        size is not None and size < span for size, span in zip(spatial, spans, strict=True)
    ):
        dilated = "" if set(dilation) == {1} else f" (dilated to {dims_text(spans)})"
        raise ShapeError(
            f"cannot fit a {dims_text(window)} window{dilated} into {dims_text(spatial)} "
            "with padding='valid': use padding='same', a smaller window, or a larger input"
        )
    return tuple(
        conv_length(size, k, s, padding, d)
        for size, k, s, d in zip(spatial, window, strides, dilation, strict=True)
    )


def seed_param(what: str) -> ParamSpec:
    """The ``seed`` of a layer with randomness (dropout, noise, augmentation)."""
    return ParamSpec(
        "seed",
        "int",
        None,
        f"Fixed seed for repeatable {what}; empty for a new one each run.",
        minimum=0,
        maximum=2**63 - 1,
        optional=True,
        advanced=True,
    )
