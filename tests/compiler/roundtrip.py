"""Shared checks for the compiler tests: save a Keras model, import it, rebuild it, compare."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import import_model
from guibuilder.compiler.layers import load_keras
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.graph import Graph


def sample_inputs(model, seed: int = 0, batch: int = 2) -> list[np.ndarray]:
    """Random inputs for every model input: integers for integer inputs, None as 4."""
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        shape = [batch, *(4 if d is None else d for d in tensor.shape[1:])]
        if "int" in str(tensor.dtype):
            arrays.append(rng.integers(0, 8, size=shape).astype(str(tensor.dtype)))
        else:
            arrays.append(rng.standard_normal(shape).astype(str(tensor.dtype)))
    return arrays


def outputs_of(model, arrays: list[np.ndarray]) -> list[np.ndarray]:
    keras = load_keras()
    result = model(arrays[0] if len(arrays) == 1 else arrays, training=False)
    return [np.asarray(keras.ops.convert_to_numpy(t)) for t in keras.tree.flatten(result)]


def layer_classes(model) -> Counter:
    names = (type(layer).__name__ for layer in model.layers)
    return Counter(name for name in names if name != "InputLayer")


def assert_same_model(original, rebuilt, atol: float = 1e-4) -> None:
    """Same parameter count, same layer classes, same outputs on the same random input."""
    assert rebuilt.count_params() == original.count_params()
    assert layer_classes(rebuilt) == layer_classes(original)
    arrays = sample_inputs(original)
    expected = outputs_of(original, arrays)
    got = outputs_of(rebuilt, arrays)
    assert len(got) == len(expected)
    for a, b in zip(expected, got, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=atol, rtol=1e-4)


def round_trip(model, tmp_path: Path, suffix: str = ".keras") -> tuple[Graph, object]:
    """Save ``model``, import the file, rebuild it with the imported weights, compare."""
    path = tmp_path / f"{model.name}{suffix}"
    model.save(path)
    graph, weights = import_model(path)
    rebuilt = build_model(graph, weights)
    assert_same_model(model, rebuilt)
    infos = infer_shapes(graph)
    assert {n: i.error for n, i in infos.items() if i.error} == {}
    assert sum(info.params for info in infos.values()) == model.count_params()
    return graph, rebuilt
