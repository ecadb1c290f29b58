"""Checking and normalising parameter values against a :class:`ParamSpec`.

Values are stored JSON-ready: tuples become lists, so a project file round-trips to the
same bytes. A value that does not fit raises :class:`ParamError` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.spec import LayerSpec, ParamSpec, to_json
from guibuilder.errors import GuibuilderError, shown, shown_names


class ParamError(GuibuilderError):
    """A parameter value that the layer does not accept."""


#: The bounds of a whole number where its spec names none: past any real model, far
#: inside the int32 sizes Keras and TensorFlow compute with (a pool size of 10^9 was
#: accepted once, and training took 9 GB or crashed).
#: MAX_SIZE: an "int" (units, a vocabulary, an axis) or one dimension of a "shape".
MAX_SIZE = 2**24
#: MAX_WINDOW: one entry of an "ints": a kernel, pool, stride, dilation, crop or pad size.
MAX_WINDOW = 4096


#: A message names at most this many of a parameter's choices (an activation has 30).
LISTED_CHOICES = 10


def _choices(choices: Any) -> str:
    """A parameter's choices for a message: all of them, or the first few and the count."""
    names = [str(c) for c in choices]
    if len(names) <= LISTED_CHOICES:
        return ", ".join(names)
    return f"{', '.join(names[:LISTED_CHOICES])}, ... ({len(names)} in all)"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(number: float) -> str:
    if isinstance(number, int) or float(number).is_integer():
        return f"{int(number):,}" if abs(number) < 10**15 else f"{float(number):.3g}"
    return f"{number:g}"


def _check_range(spec: ParamSpec, value: float, limit: float | None = None) -> None:
    """``value`` within the spec's bounds; ``limit`` bounds its size where the spec
    names no maximum (and no minimum, for a number that may be negative)."""
    maximum = spec.maximum if spec.maximum is not None else limit
    minimum = spec.minimum if spec.minimum is not None or limit is None else -limit
    if minimum is not None and value < minimum:
        raise ParamError(f"{spec.name} must be at least {_text(minimum)}, got {_text(value)}")
    if maximum is not None and value > maximum:
        raise ParamError(f"{spec.name} must be at most {_text(maximum)}, got {_text(value)}")


def _int_tuple(spec: ParamSpec, value: Any, allow_none: bool, allow_negative: bool) -> Any:
    if _is_int(value) and spec.kind in ("ints", "axes"):
        items = [value]
        scalar = True
    elif isinstance(value, list | tuple):
        items = list(value)
        scalar = False
    else:
        raise ParamError(f"{spec.name} must be a number or a list of numbers, got {shown(value)}")
    for item in items:
        if item is None and allow_none:
            continue
        if not _is_int(item):
            raise ParamError(f"{spec.name} must hold whole numbers, got {shown(item)}")
        if item < 0 and not allow_negative:
            raise ParamError(f"{spec.name} cannot be negative, got {_text(item)}")
        _check_range(spec, item, MAX_WINDOW if spec.kind == "ints" else MAX_SIZE)
    if spec.length is not None and not scalar and len(items) != spec.length:
        raise ParamError(f"{spec.name} needs {spec.length} values, got {len(items)}")
    return value if scalar else items


def _keras_object(spec: ParamSpec, value: Any) -> Any:
    if isinstance(value, str):
        if not value:
            raise ParamError(f"{spec.name} cannot be empty")
        return value
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        # Which classes it may name is the allowlist's to say (catalog.keras_objects).
        if not isinstance(value.get("config", {}), dict):
            raise ParamError(f"the config of {spec.name} must be an object of settings")
        return to_json({k: v for k, v in value.items() if k in ("class_name", "config")})
    raise ParamError(f"{spec.name} must be a name or a Keras config dict, got {shown(value)}")


def validate_value(spec: ParamSpec, value: Any) -> Any:
    """Return ``value`` normalised for storage, or raise :class:`ParamError`."""
    if value is None:
        if spec.optional or spec.kind in ("regularizer", "constraint", "json"):
            return None
        raise ParamError(f"{spec.name} needs a value")
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise ParamError(f"{spec.name} must be true or false, got {shown(value)}")
        return value
    if kind == "int":
        if not _is_int(value):
            raise ParamError(f"{spec.name} must be a whole number, got {shown(value)}")
        _check_range(spec, value, MAX_SIZE)
        return value
    if kind == "float":
        if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
            raise ParamError(f"{spec.name} must be a finite number, got {shown(value)}")
        _check_range(spec, value)
        return float(value)
    if kind == "str":
        if not isinstance(value, str):
            raise ParamError(f"{spec.name} must be text, got {shown(value)}")
        return value
    if kind in ("choice", "activation"):
        if spec.choices and value not in spec.choices:
            allowed = _choices(spec.choices)
            raise ParamError(f"{spec.name} must be one of {allowed}; got {shown(value)}")
        if kind == "activation" and not isinstance(value, str):
            raise ParamError(f"{spec.name} must be an activation name, got {shown(value)}")
        return value
    if kind == "ints":
        return _int_tuple(spec, value, allow_none=False, allow_negative=False)
    if kind == "shape":
        return _int_tuple(spec, value, allow_none=True, allow_negative=True)
    if kind == "axes":
        return _int_tuple(spec, value, allow_none=False, allow_negative=True)
    if kind in ("initializer", "regularizer", "constraint"):
        return _keras_object(spec, value)
    return to_json(value)


def normalize_params(spec: LayerSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in defaults and check every value; unknown names raise :class:`ParamError`."""
    known = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ParamError(f"{spec.type_id} has no parameter {shown_names(unknown)}")
    result: dict[str, Any] = {}
    for name, pspec in known.items():
        value = params.get(name, pspec.default)
        result[name] = validate_value(pspec, to_json(value))
    return result
