"""One node <-> one Keras layer: the only place that turns specs into Keras objects.

Used by the model builder, the importer, and shape inference for layers without a
pure-Python rule. Keras is imported lazily, on first call.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from guibuilder import catalog
from guibuilder.catalog import LayerSpec
from guibuilder.catalog.spec import COMMON_CONFIG
from guibuilder.errors import KerasUnavailableError


@cache
def load_keras() -> Any:
    """Import Keras (and its backend) once, quietly; raise a clear error if it cannot load."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import keras
    except Exception as exc:  # a broken or missing backend: say what it is
        raise KerasUnavailableError(
            f"Keras could not be loaded ({exc}); run 'make run' to install it"
        ) from exc
    return keras


def keras_config(spec: LayerSpec, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Keras class name and constructor config of a node's params."""
    if spec.to_keras is not None:
        return spec.to_keras(params)
    return spec.keras_class, dict(params)


def make_layer(
    spec: LayerSpec, params: Mapping[str, Any], name: str, trainable: bool = True
) -> Any:
    """A new Keras layer for ``params``, called ``name``."""
    keras = load_keras()
    class_name, config = keras_config(spec, params)
    config = {**config, "name": name, "trainable": trainable}
    if spec.type_id == "KerasLayer":
        # A keras.ops operation takes no `trainable`; a layer gets it in its config, so
        # that a nested model keeps the flags of its own layers.
        is_layer = "trainable" in params["config"]
        serialized = {
            "module": params.get("module") or "keras.layers",
            "class_name": class_name,
            "config": config if is_layer else {k: v for k, v in config.items() if k != "trainable"},
            "registered_name": params.get("registered_name"),
        }
        layer = keras.saving.deserialize_keras_object(serialized, safe_mode=True)
        if not is_layer and isinstance(layer, keras.layers.Layer):
            layer.trainable = trainable
        return layer
    module = importlib.import_module(spec.keras_module) if spec.keras_module else keras.layers
    cls = getattr(module, class_name)
    # Set afterwards: not every constructor takes `trainable` (SpatialDropout1D does not).
    layer = cls.from_config({k: v for k, v in config.items() if k != "trainable"})
    layer.trainable = trainable
    return layer


#: A ``call_kwargs`` key holding the positional arguments of a call that no call style
#: describes (a generic layer called as ``layer(a, b, mask=m)``).
CALL_ARGS = "__args__"
#: ``{TENSOR_REF: i}`` inside ``call_kwargs`` stands for the ``i``-th input tensor.
TENSOR_REF = "__input__"


def _fill_tensors(value: Any, tensors: Sequence[Any]) -> Any:
    """``value`` with every ``{TENSOR_REF: i}`` replaced by ``tensors[i]``."""
    if isinstance(value, dict):
        if set(value) == {TENSOR_REF}:
            return tensors[value[TENSOR_REF]]
        return {k: _fill_tensors(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_tensors(v, tensors) for v in value]
    return value


def apply_layer(
    spec: LayerSpec,
    layer: Any,
    inputs: Sequence[tuple[str, Any]],
    call_kwargs: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Call ``layer`` on ``inputs`` ((port name, tensor) in call order); return the outputs,
    flattened as Keras numbers them.

    When ``call_kwargs`` has a :data:`CALL_ARGS` entry, the call is spelled out there, with
    :data:`TENSOR_REF` placeholders for the input tensors, instead of by the call style.
    """
    kwargs = dict(call_kwargs or {})
    tensors = [t for _, t in inputs]
    style = spec.call_style
    if style == "auto":
        style = "single" if len(tensors) == 1 else "list"
    if CALL_ARGS in kwargs:
        args = _fill_tensors(kwargs.pop(CALL_ARGS), tensors)
        outputs = layer(*args, **_fill_tensors(kwargs, tensors))
    elif style == "single":
        outputs = layer(tensors[0], **kwargs)
    elif style == "list":
        outputs = layer(tensors, **kwargs)
    elif style == "keywords":
        outputs = layer(**{port: t for port, t in inputs}, **kwargs)
    else:
        raise ValueError(f"unknown call style {style!r} of {spec.type_id}")
    return list(load_keras().tree.flatten(outputs))


def simplify(value: Any) -> Any:
    """A Keras config value made JSON-ready: tuples as lists, serialized Keras objects
    reduced to ``{"class_name", "config"}``."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value and "module" in value:
            if value.get("registered_name") not in (None, value["class_name"]):
                return {k: simplify(v) for k, v in value.items()}
            return {"class_name": value["class_name"], "config": simplify(value["config"])}
        return {str(k): simplify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [simplify(v) for v in value]
    return value


def params_from_config(spec: LayerSpec, class_name: str, config: Mapping[str, Any]) -> dict:
    """The params of a node that rebuilds a layer with ``config`` (its ``get_config()``)."""
    if spec.from_keras is not None:
        raw = spec.from_keras(class_name, config)
    else:
        raw = {p.name: config[p.name] for p in spec.params if p.name in config}
    return catalog.normalize_params(spec, simplify(raw))


def unexposed_config(spec: LayerSpec, config: Mapping[str, Any]) -> set[str]:
    """Keys of a layer's config that the spec neither exposes nor knowingly ignores."""
    known = {p.name for p in spec.params} | COMMON_CONFIG | spec.ignored_config
    return set(config) - known
