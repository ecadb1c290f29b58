"""Merge layers: combine several tensors into one (Add, Concatenate, Dot, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import docs, fmt_shape, result
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, PortSpec, Shape, ShapeError

INPUTS = (PortSpec("inputs", variadic=True, min_count=2, label="inputs"),)


def _shapes_text(inputs: list[Shape]) -> str:
    texts = [fmt_shape(s) for s in inputs]
    return ", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else "".join(texts)


def _need_count(inputs: list[Shape], exact: int | None = None) -> None:
    if exact is not None and len(inputs) != exact:
        raise ShapeError(f"takes exactly {exact} inputs but received {len(inputs)}")
    if len(inputs) < 2:
        raise ShapeError(f"needs at least 2 inputs to combine but received {len(inputs)}")


def _batch(inputs: list[Shape]) -> int | None:
    sizes = {s[0] for s in inputs if s} - {None}
    if len(sizes) > 1:
        raise ShapeError(
            f"cannot merge inputs with different batch sizes {sorted(sizes)}; "
            "give every Input the same batch size"
        )
    return next(iter(sizes), None)


def _broadcast(first: Shape, second: Shape, inputs: list[Shape]) -> Shape:
    """Keras' element-wise rule: right-aligned, equal sizes or 1; an unknown size stays unknown."""
    if len(first) < len(second):
        first, second = second, first
    if not second:
        return first
    out = list(first[: len(first) - len(second)])
    for a, b in zip(first[len(first) - len(second) :], second, strict=True):
        if a is None or b is None:
            out.append(None)
        elif a == 1 or b == 1 or a == b:
            out.append(b if a == 1 else a)
        else:
            raise ShapeError(
                f"needs inputs of the same shape but received {_shapes_text(inputs)}; "
                "make the shapes match, e.g. with a 1x1 Conv2D or a Dense projection"
            )
    return tuple(out)


def _elementwise(exact: int | None = None):
    def infer(_params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        _need_count(inputs, exact)
        batch = _batch(inputs)
        shape: Shape = tuple(inputs[0][1:])
        for other in inputs[1:]:
            shape = _broadcast(shape, tuple(other[1:]), inputs)
        return result((batch, *shape))

    return infer


def _elementwise_spec(type_id: str, summary: str, face: str, exact: int | None = None):
    return LayerSpec(
        type_id=type_id,
        keras_class=type_id,
        category="Merge",
        summary=summary,
        inputs=INPUTS,
        infer=_elementwise(exact),
        doc_url=docs(f"merging_layers/{type_id.lower()}"),
        call_style="list",
        describe=lambda _p: face,
    )


ADD = _elementwise_spec(
    "Add", "Adds its inputs element by element (the join of a residual connection).", "a + b"
)
SUBTRACT = _elementwise_spec(
    "Subtract", "Subtracts the second input from the first, element by element.", "a - b", exact=2
)
MULTIPLY = _elementwise_spec(
    "Multiply", "Multiplies its inputs element by element (gating).", "a * b"
)
AVERAGE = _elementwise_spec("Average", "The element-wise mean of its inputs.", "mean")
MAXIMUM = _elementwise_spec("Maximum", "The element-wise maximum of its inputs.", "max")
MINIMUM = _elementwise_spec("Minimum", "The element-wise minimum of its inputs.", "min")


def _positive_axis(axis: int, shape: Shape) -> int:
    rank = len(shape)
    if not -rank <= axis < rank:
        raise ShapeError(
            f"has axis {axis} but an input shaped {fmt_shape(shape)} only has axes "
            f"1 to {rank - 1} (or -1 to -{rank - 1})"
        )
    return axis % rank


def _concatenate_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    _need_count(inputs)
    ranks = {len(s) for s in inputs}
    if len(ranks) != 1:
        raise ShapeError(
            f"needs inputs with the same number of axes but received {_shapes_text(inputs)}; "
            "use Reshape or Flatten first"
        )
    rank = ranks.pop()
    axis = _positive_axis(params["axis"], inputs[0])
    for i in range(rank):
        sizes = {s[i] for s in inputs} - {None}
        if i != axis and len(sizes) > 1:
            raise ShapeError(
                f"needs inputs that match on every axis except axis {params['axis']} "
                f"but received {_shapes_text(inputs)}"
            )
    out = list(inputs[0])
    sizes = [s[axis] for s in inputs]
    out[axis] = None if None in sizes else sum(sizes)
    return result(tuple(out))


CONCATENATE = LayerSpec(
    type_id="Concatenate",
    keras_class="Concatenate",
    category="Merge",
    summary="Joins its inputs side by side along one axis (the channels, by default).",
    params=(ParamSpec("axis", "int", -1, "Axis to join along; -1 is the last (channels)."),),
    inputs=INPUTS,
    infer=_concatenate_shape,
    doc_url=docs("merging_layers/concatenate"),
    call_style="list",
    describe=lambda p: f"axis {p['axis']}",
)


def _dot_axes(axes: Any, first: Shape, second: Shape) -> tuple[int, int]:
    pair = (axes, axes) if isinstance(axes, int) else tuple(axes)
    if len(pair) != 2:
        raise ShapeError(f"needs one axis or a pair of axes, got {list(pair)}")
    out = []
    for axis, shape in zip(pair, (first, second), strict=True):
        positive = _positive_axis(axis, shape)
        if positive == 0:
            raise ShapeError("cannot take the dot product along the batch axis (axis 0)")
        out.append(positive)
    return out[0], out[1]


def _dot_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    _need_count(inputs, exact=2)
    first, second = (tuple(s) for s in inputs)
    a, b = _dot_axes(params["axes"], first, second)
    if first[a] is not None and second[b] is not None and first[a] != second[b]:
        raise ShapeError(
            f"needs axis {a} of the first input ({first[a]}) to equal axis {b} of the second "
            f"({second[b]}) but received {_shapes_text(inputs)}"
        )
    out = [d for i, d in enumerate(first) if i != a]
    out += [d for i, d in enumerate(second) if i not in (0, b)]
    if len(out) == 1:
        out.append(1)
    return result(tuple(out))


DOT = LayerSpec(
    type_id="Dot",
    keras_class="Dot",
    category="Merge",
    summary="Dot product of two inputs along the given axes (similarity scores).",
    params=(
        ParamSpec(
            "axes",
            "axes",
            1,
            "Axis of both inputs, or a pair [axis of first, axis of second], to multiply along.",
        ),
        ParamSpec(
            "normalize",
            "bool",
            False,
            "Scale both to unit length first, giving the cosine similarity.",
        ),
    ),
    inputs=INPUTS,
    infer=_dot_shape,
    doc_url=docs("merging_layers/dot"),
    call_style="list",
    describe=lambda p: f"axes {p['axes']}" + (", cosine" if p["normalize"] else ""),
)

SPECS = [ADD, SUBTRACT, MULTIPLY, AVERAGE, MAXIMUM, MINIMUM, CONCATENATE, DOT]
