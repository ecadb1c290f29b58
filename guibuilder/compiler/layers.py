"""One node <-> one Keras layer: the only place that turns specs into Keras objects.

Used by the model builder, the importer, and shape inference for layers without a
pure-Python rule. Keras is imported lazily, on first call.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from guibuilder import catalog
from guibuilder.catalog import LayerSpec, keras_objects
from guibuilder.catalog.keras_objects import CALL_ARGS, TENSOR_REF
from guibuilder.catalog.spec import COMMON_CONFIG
from guibuilder.errors import KerasUnavailableError, UnsafeModelError, shown


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


def generic_object(params: Mapping[str, Any], name: str, trainable: bool = True) -> dict:
    """The serialized Keras object of a generic ``KerasLayer`` node's params, called ``name``.

    A keras.ops operation takes no ``trainable``; a layer gets it in its config, so that a
    nested model keeps the flags of its own layers.
    """
    serialized = keras_objects.generic_object(params)
    config = {**params["config"], "name": name}
    if "trainable" in params["config"]:
        config["trainable"] = trainable
    return {**serialized, "config": config}


def make_layer(
    spec: LayerSpec, params: Mapping[str, Any], name: str, trainable: bool = True
) -> Any:
    """A new Keras layer for ``params``, called ``name``.

    Raises
    ------
    UnsafeModelError
        The params name a Keras object that a project may not use.
    """
    keras = load_keras()
    if spec.type_id == "KerasLayer":
        layer = keras_object(generic_object(params, name, trainable), "the layer")
        if "trainable" not in params["config"] and isinstance(layer, keras.layers.Layer):
            layer.trainable = trainable
        return layer
    check_value(params, "the layer")
    class_name, config = keras_config(spec, params)
    module = importlib.import_module(spec.keras_module) if spec.keras_module else keras.layers
    cls = getattr(module, class_name)
    # Set afterwards: not every constructor takes `trainable` (SpatialDropout1D does not).
    layer = cls.from_config({**config, "name": name})
    layer.trainable = trainable
    return layer


# -------------------------------------------------------- objects a project names
def _registered_here(obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` names a class that trusted code of this process (not Keras, not the
    project) registered with Keras: a custom layer of a model built in Python."""
    registered = obj.get("registered_name")
    if not isinstance(registered, str):
        return False
    cls = load_keras().saving.get_registered_object(registered)
    return (
        inspect.isclass(cls)
        and cls.__name__ == obj.get("class_name")
        and cls.__module__ == obj.get("module")
        and cls.__module__.split(".")[0] != "keras"
    )


def value_problem(value: Any) -> str | None:
    """Why ``value`` names, at any depth, a Keras object that may not be made, or None:
    the project allowlist (:mod:`guibuilder.catalog.keras_objects`), plus the classes
    trusted code registered in this process."""
    return keras_objects.value_problem(value, _registered_here)


def node_problem(
    type_id: str, params: Mapping[str, Any], call_kwargs: Mapping[str, Any]
) -> str | None:
    """Why a node's params or call arguments may not be used (the end of a sentence), or
    None: :func:`guibuilder.catalog.keras_objects.node_problem`, plus the classes trusted
    code registered in this process."""
    return keras_objects.node_problem(type_id, params, call_kwargs, _registered_here)


def check_value(value: Any, where: str) -> None:
    """Raise :class:`UnsafeModelError` if ``value`` names a Keras object that may not be made."""
    problem = value_problem(value)
    if problem is not None:
        raise UnsafeModelError(f"{where} names {problem}, so it is not made")


def keras_object(serialized: Mapping[str, Any], where: str = "a value") -> Any:
    """The Keras object ``serialized`` describes: the one way an object named by a project
    is made. The allowlist is checked at every depth, then Keras' deserializer makes it in
    safe mode (no Lambda, no stored code, no SavedModel).

    Raises
    ------
    UnsafeModelError
        ``serialized`` names an object that may not be made.
    """
    check_value(serialized, where)
    importlib.import_module(keras_objects.CUSTOM_MODULE)  # registers guibuilder's layers
    return load_keras().saving.deserialize_keras_object(dict(serialized), safe_mode=True)


def keras_class(serialized: Mapping[str, Any]) -> Any:
    """The class a serialized object names, found without making anything; None when it
    may not be made or does not exist."""
    if value_problem({k: v for k, v in serialized.items() if k != "config"}) is not None:
        return None
    registered = serialized.get("registered_name")
    found = load_keras().saving.get_registered_object(registered) if registered else None
    if found is None:
        module = serialized.get("module") or "keras.layers"
        try:
            found = getattr(importlib.import_module(module), serialized["class_name"], None)
        except ImportError:
            return None
    return found if inspect.isclass(found) else None


def call_problem(layer: Any, call_kwargs: Mapping[str, Any]) -> str | None:
    """Why ``layer`` cannot be called with ``call_kwargs``, or None: each key is a Python
    name that its ``call`` takes (or :data:`CALL_ARGS`), each value plain data."""
    problem = node_problem("", {}, call_kwargs)
    if problem is not None:
        return problem
    try:
        parameters = list(inspect.signature(layer.call).parameters.values())
    except (TypeError, ValueError, AttributeError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    for key in call_kwargs:
        if key not in names | {CALL_ARGS, "training"}:
            return f"call_kwargs key {shown(key)} is not an argument of {type(layer).__name__}"
    return None


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
    problem = call_problem(layer, kwargs)
    if problem is not None:
        raise ValueError(problem)
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
