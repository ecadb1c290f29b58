"""The layer catalog: one registry of :class:`LayerSpec`, looked up by type id.

Importing this package never imports Keras or TensorFlow.
"""

from __future__ import annotations

from guibuilder.catalog.registry import (
    CATEGORIES,
    all_specs,
    by_keras_class,
    for_keras_layer,
    get,
    has,
)
from guibuilder.catalog.spec import (
    Inferred,
    LayerSpec,
    ParamSpec,
    PortSpec,
    Shape,
    ShapeError,
)
from guibuilder.catalog.values import ParamError, normalize_params, validate_value

__all__ = [
    "CATEGORIES",
    "Inferred",
    "LayerSpec",
    "ParamError",
    "ParamSpec",
    "PortSpec",
    "Shape",
    "ShapeError",
    "all_specs",
    "by_keras_class",
    "for_keras_layer",
    "get",
    "has",
    "normalize_params",
    "validate_value",
]
