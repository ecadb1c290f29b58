"""A parameter's value as the text a field shows, and what a user typed back as a value."""

from __future__ import annotations

import json
import re
from typing import Any

from guibuilder.catalog.spec import ParamSpec
from guibuilder.catalog.values import ParamError

#: What a user may type for "no value" in a list of whole numbers (``None, 8``).
NONE_WORDS = ("", "none", "null", "?")


def display_value(spec: ParamSpec, value: Any) -> str:
    """The text a line edit shows for ``value``."""
    if value is None:
        return ""
    if spec.kind in ("ints", "shape", "axes"):
        items = value if isinstance(value, list) else [value]
        text = ", ".join("None" if v is None else str(v) for v in items)
        return text + ("," if isinstance(value, list) and len(items) == 1 else "")
    if spec.kind in ("json", "initializer", "regularizer", "constraint") and not isinstance(
        value, str
    ):
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse_value(spec: ParamSpec, text: str) -> Any:
    """Turn what the user typed into a value; raise ``ParamError`` with the reason."""
    text = text.strip()
    kind = spec.kind
    if kind == "str":
        return None if not text and spec.optional else text
    if text.lower() in ("", "none", "null"):
        return None
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind in ("ints", "shape", "axes"):
            parts = [p.strip() for p in re.split(r"[,x]", text.strip("()[] "))]
            single = len(parts) == 1 and kind != "shape"
            values = [None if p.lower() in NONE_WORDS else int(p) for p in parts if p != ""]
            if not values:
                raise ValueError
            return values[0] if single else values
        if kind == "json" or text.startswith(("{", "[")):
            return json.loads(text)
    except ValueError:
        what = {
            "int": "a whole number",
            "float": "a number",
            "json": "valid JSON",
        }.get(kind, "whole numbers separated by commas")
        raise ParamError(f"{spec.name} must be {what}, got {text!r}") from None
    return text
