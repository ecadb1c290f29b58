"""Layer specifications as plain data.

A :class:`LayerSpec` says everything the rest of the program needs to know about one
layer type: its stable id, the Keras class it builds, its category, its ports, its
parameter schema and a pure-Python shape rule. No Keras import happens here.

Shapes include the batch dimension, as in Keras: ``(None, 28, 28, 1)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int | None, ...]

KERAS_DOCS = "https://keras.io/api/layers/"

#: Parameter kinds understood by validation, the inspector and import.
PARAM_KINDS = frozenset(
    {
        "int",  # an integer, optionally within [minimum, maximum]
        "float",  # a real number, optionally within [minimum, maximum]
        "bool",
        "str",  # free text
        "choice",  # one of ``choices``
        "ints",  # an int or a tuple of ints (kernel sizes, strides); ``length`` tells how many
        "shape",  # a tuple of ints where None means "any" (Input shape, Reshape target)
        "axes",  # an int or a tuple of ints that may be negative (axis arguments)
        "initializer",  # a Keras initializer: a name or a serialized dict
        "regularizer",  # None or a Keras regularizer: a name or a serialized dict
        "constraint",  # None or a Keras constraint: a name or a serialized dict
        "activation",  # a Keras activation name
        "json",  # any JSON value, passed to Keras as is
    }
)


class ShapeError(ValueError):
    """Raised by a shape rule; the message says what the layer received and what it needs.

    The inference engine adds the node's name, so the message does not repeat it.
    """


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a layer, as the inspector shows it."""

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    length: int | None = None
    optional: bool = False
    advanced: bool = False

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r} for {self.name!r}")


@dataclass(frozen=True)
class PortSpec:
    """An input port. A variadic port takes any number of edges (at least ``min_count``)."""

    name: str
    required: bool = True
    variadic: bool = False
    min_count: int = 1
    label: str = ""


@dataclass(frozen=True)
class Inferred:
    """What shape inference found for one node."""

    outputs: tuple[Shape, ...]
    params: int = 0
    non_trainable: int = 0


#: A shape rule: (params, input shapes in port order, variadic ports expanded) -> Inferred.
ShapeRule = Callable[[Mapping[str, Any], list[Shape]], Inferred]


#: Config keys every Keras layer has that no spec exposes as a parameter.
COMMON_CONFIG = frozenset({"name", "trainable", "dtype", "build_config", "input_shape"})


def _one_output(_params: Mapping[str, Any]) -> int:
    return 1


@dataclass(frozen=True)
class LayerSpec:
    """Everything the program knows about one layer type."""

    type_id: str
    keras_class: str
    category: str
    summary: str
    params: tuple[ParamSpec, ...] = ()
    inputs: tuple[PortSpec, ...] = (PortSpec("input"),)
    num_outputs: Callable[[Mapping[str, Any]], int] = _one_output
    infer: ShapeRule | None = None
    doc_url: str = ""
    #: How the built layer is called: "single" layer(x); "list" layer([a, b, ...]);
    #: "keywords" layer(port_name=tensor, ...) with the ports as keyword names.
    #: "auto" (generic layers): single with one input, list with several.
    call_style: str = "single"
    #: Short text for the node face, built from the params ("32 @ 3x3, relu").
    describe: Callable[[Mapping[str, Any]], str] | None = None
    #: Keras config keys this spec deliberately does not expose, beyond COMMON_CONFIG.
    ignored_config: frozenset[str] = field(default_factory=frozenset)
    #: params -> (Keras class name, constructor config without name and trainable).
    #: None: (keras_class, params) as they are.
    to_keras: Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]] | None = None
    #: (Keras class name, get_config() of the layer) -> params. None: the params by name.
    from_keras: Callable[[str, Mapping[str, Any]], dict[str, Any]] | None = None
    #: The module holding ``keras_class`` when it is not in ``keras.layers`` (imported lazily).
    keras_module: str = ""

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: to_json(p.default) for p in self.params}

    @property
    def url(self) -> str:
        return self.doc_url or KERAS_DOCS


def to_json(value: Any) -> Any:
    """Return ``value`` with tuples turned into lists, so it survives a JSON round trip."""
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value
