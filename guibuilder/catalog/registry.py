"""The one registry of layer specs. Each module in ``guibuilder.catalog.layers`` holds a
``SPECS`` list; they are collected here once, on first use."""

from __future__ import annotations

import importlib
from functools import cache

from guibuilder.catalog.spec import LayerSpec

#: Palette categories, in the order the palette shows them.
CATEGORIES: tuple[str, ...] = (
    "Input",
    "Core",
    "Convolution",
    "Pooling",
    "Reshaping",
    "Normalization",
    "Regularization",
    "Activation",
    "Merge",
    "Recurrent",
    "Attention",
    "Preprocessing",
    "Augmentation",
    "Blocks",
    "Other",
)

_MODULES = (
    "core",
    "conv",
    "pooling",
    "reshaping",
    "normalization",
    "regularization",
    "activation",
    "merge",
    "recurrent",
    "attention",
    "preprocessing",
    "generic",
    "custom",
)


@cache
def _registry() -> dict[str, LayerSpec]:
    specs: dict[str, LayerSpec] = {}
    for name in _MODULES:
        module = importlib.import_module(f"guibuilder.catalog.layers.{name}")
        for spec in module.SPECS:
            if spec.type_id in specs:
                raise RuntimeError(f"layer type {spec.type_id!r} is registered twice")
            if spec.category not in CATEGORIES:
                raise RuntimeError(f"{spec.type_id!r} has unknown category {spec.category!r}")
            specs[spec.type_id] = spec
    return specs


@cache
def _by_class() -> dict[str, LayerSpec]:
    return {s.keras_class: s for s in _registry().values() if s.keras_class}


def get(type_id: str) -> LayerSpec:
    """Return the spec of ``type_id``; raise ``KeyError`` if the catalog has none."""
    return _registry()[type_id]


def has(type_id: str) -> bool:
    return type_id in _registry()


def all_specs() -> list[LayerSpec]:
    """All specs, in palette order (category, then registration order)."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(_registry().values(), key=lambda s: order[s.category])


def by_keras_class(class_name: str) -> LayerSpec | None:
    """The spec that builds Keras class ``class_name``, or None."""
    return _by_class().get(class_name)


def for_keras_layer(class_name: str, config: dict) -> LayerSpec | None:
    """The spec that rebuilds a layer of ``class_name`` with ``config``, or None.

    A ``Bidirectional`` wrapper belongs to the spec of the recurrent layer it wraps when
    that spec has a ``bidirectional`` option.
    """
    if class_name == "Bidirectional":
        inner = by_keras_class(config.get("layer", {}).get("class_name", ""))
        if inner is not None and any(p.name == "bidirectional" for p in inner.params):
            return inner
        return None
    return by_keras_class(class_name)
