"""Normalization: BatchNormalization, LayerNormalization, GroupNormalization."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    constraint_param,
    docs,
    fmt_shape,
    initializer_param,
    regularizer_param,
    result,
    single,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

CATEGORY = "Normalization"


def _epsilon() -> ParamSpec:
    return ParamSpec(
        "epsilon",
        "float",
        1e-3,
        "Small number added to the variance to avoid dividing by 0.",
        minimum=0.0,
        advanced=True,
    )


def _scale_params() -> tuple[ParamSpec, ...]:
    """center, scale and the initializers, regularizers and constraints of beta and gamma."""
    return (
        ParamSpec("center", "bool", True, "Learn an offset (beta) added after normalizing."),
        ParamSpec("scale", "bool", True, "Learn a factor (gamma) applied after normalizing."),
        initializer_param("beta_initializer", "zeros", "offset (beta)"),
        initializer_param("gamma_initializer", "ones", "factor (gamma)"),
        regularizer_param("beta_regularizer", "offset (beta)"),
        regularizer_param("gamma_regularizer", "factor (gamma)"),
        constraint_param("beta_constraint", "offset (beta)"),
        constraint_param("gamma_constraint", "factor (gamma)"),
    )


def _axis(shape: Shape, axis: int) -> int:
    """``axis`` as a positive index into ``shape``, which must not be the batch axis."""
    rank = len(shape)
    index = axis + rank if axis < 0 else axis
    if not 1 <= index < rank:
        raise ShapeError(
            f"cannot normalize along axis {axis} of {fmt_shape(shape)}: "
            f"choose an axis from 1 to {rank - 1}, or -1 for the last"
        )
    return index


def _size_along(shape: Shape, axis: int) -> int:
    size = shape[_axis(shape, axis)]
    if size is None:
        raise ShapeError(
            f"needs a known size along axis {axis} but received {fmt_shape(shape)}; "
            "give the Input a fixed size there"
        )
    return size


def _affine_count(params: Mapping[str, Any], size: int) -> int:
    return size * (int(params["center"]) + int(params["scale"]))


# BatchNormalization -------------------------------------------------------------------


def _batch_norm_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "BatchNormalization")
    size = _size_along(shape, params["axis"])
    moving = size * (5 if params["renorm"] else 2)
    return result(shape, params=_affine_count(params, size) + moving, non_trainable=moving)


BATCH_NORMALIZATION = LayerSpec(
    type_id="BatchNormalization",
    keras_class="BatchNormalization",
    category=CATEGORY,
    summary="Normalizes each channel over the batch; speeds up and steadies training.",
    params=(
        ParamSpec(
            "axis",
            "int",
            -1,
            "The channels axis (-1: last; 1 for channels_first).",
            advanced=True,
        ),
        ParamSpec(
            "momentum",
            "float",
            0.99,
            "How slowly the running mean and variance follow the batches.",
            minimum=0.0,
            maximum=1.0,
        ),
        _epsilon(),
        *_scale_params(),
        initializer_param("moving_mean_initializer", "zeros", "running mean"),
        initializer_param("moving_variance_initializer", "ones", "running variance"),
        ParamSpec(
            "renorm",
            "bool",
            False,
            "Batch renormalization: better with small batches.",
            advanced=True,
        ),
        ParamSpec(
            "renorm_clipping",
            "json",
            None,
            "Limits of the renorm correction: a dict with rmax, rmin and dmax.",
            optional=True,
            advanced=True,
        ),
        ParamSpec(
            "renorm_momentum",
            "float",
            0.99,
            "Momentum of the renorm statistics.",
            minimum=0.0,
            maximum=1.0,
            advanced=True,
        ),
        ParamSpec(
            "synchronized",
            "bool",
            False,
            "Share batch statistics across devices in distributed training.",
            advanced=True,
        ),
    ),
    infer=_batch_norm_rule,
    doc_url=docs("normalization_layers/batch_normalization"),
    describe=lambda p: "" if p["axis"] == -1 else f"axis {p['axis']}",
)


# LayerNormalization -------------------------------------------------------------------


def _layer_norm_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "LayerNormalization")
    axes = params["axis"]
    axes = [axes] if isinstance(axes, int) else list(axes)
    if not axes:
        raise ShapeError("needs at least one axis to normalize over")
    indexes = [_axis(shape, a) for a in axes]
    if len(set(indexes)) != len(indexes):
        raise ShapeError(f"names the same axis twice in axis={axes}")
    weights = int(params["scale"] or params["rms_scaling"])
    weights += int(params["center"] and not params["rms_scaling"])
    if not weights:
        return result(shape)
    size = math.prod(_size_along(shape, a) for a in axes)
    return result(shape, params=size * weights)


LAYER_NORMALIZATION = LayerSpec(
    type_id="LayerNormalization",
    keras_class="LayerNormalization",
    category=CATEGORY,
    summary="Normalizes the features of each sample on its own (as in Transformers).",
    params=(
        ParamSpec(
            "axis", "axes", -1, "Axis or axes to normalize over (-1: the last).", advanced=True
        ),
        _epsilon(),
        ParamSpec("center", "bool", True, "Learn an offset (beta) added after normalizing."),
        ParamSpec("scale", "bool", True, "Learn a factor (gamma) applied after normalizing."),
        ParamSpec(
            "rms_scaling",
            "bool",
            False,
            "Deprecated: divide by the variance only; use RMSNormalization instead.",
            advanced=True,
        ),
        *_scale_params()[2:],
    ),
    infer=_layer_norm_rule,
    doc_url=docs("normalization_layers/layer_normalization"),
)


# GroupNormalization -------------------------------------------------------------------


def _group_norm_rule(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "GroupNormalization")
    channels = _size_along(shape, params["axis"])
    groups = params["groups"]
    if groups == 0:
        raise ShapeError("needs at least one group: set groups to 1 or more, or -1")
    if groups != -1 and (groups > channels or channels % groups):
        raise ShapeError(
            f"cannot split {channels} channels into {groups} equal groups: "
            f"choose groups that divide {channels}, e.g. 1 or {channels}"
        )
    return result(shape, params=_affine_count(params, channels))


GROUP_NORMALIZATION = LayerSpec(
    type_id="GroupNormalization",
    keras_class="GroupNormalization",
    category=CATEGORY,
    summary="Normalizes groups of channels within each sample; works with tiny batches.",
    params=(
        ParamSpec(
            "groups",
            "int",
            32,
            "Number of channel groups; must divide the channels (-1: one per channel).",
            minimum=-1,
        ),
        ParamSpec("axis", "int", -1, "The channels axis (-1: last).", advanced=True),
        _epsilon(),
        *_scale_params(),
    ),
    infer=_group_norm_rule,
    doc_url=docs("normalization_layers/group_normalization"),
    describe=lambda p: "per channel" if p["groups"] == -1 else f"{p['groups']} groups",
)

SPECS = [BATCH_NORMALIZATION, LAYER_NORMALIZATION, GROUP_NORMALIZATION]
