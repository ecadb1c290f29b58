"""Tiny graphs and datasets for the training tests: a few thousand numbers each."""

from __future__ import annotations

import weakref

import numpy as np

from guibuilder.data import Dataset
from guibuilder.graph import Graph


def mlp_graph(features: int = 4, classes: int = 3, hidden: int = 8, name: str = "mlp") -> Graph:
    """Input -> Dense(relu) -> Dense(softmax), with node ids input, hidden, out."""
    graph = Graph(name)
    graph.add_node("Input", {"shape": [features]}, node_id="input")
    graph.add_node("Dense", {"units": hidden, "activation": "relu"}, node_id="hidden")
    graph.add_node("Dense", {"units": classes, "activation": "softmax"}, node_id="out")
    graph.connect("input", "hidden")
    graph.connect("hidden", "out")
    return graph


def toy_dataset(
    n: int = 240, features: int = 4, classes: int = 3, val: int = 48, seed: int = 0
) -> Dataset:
    """Blobs around one centre per class: easy to learn, so a short run improves."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n).astype("int32")
    centres = rng.normal(scale=3.0, size=(classes, features))
    x = (centres[y] + rng.normal(size=(n, features))).astype("float32")
    return Dataset(
        name="toy",
        task="classification",
        x_train=x[val:],
        y_train=y[val:],
        x_val=x[:val],
        y_val=y[:val],
        num_classes=classes,
        class_names=tuple(f"c{i}" for i in range(classes)),
    )


def collect(session, timeout: float = 120.0) -> list:
    """Run ``session`` to its end and return every event it emitted."""
    session.start()
    assert session.wait(timeout), "the training thread did not end in time"
    return session.drain()


def watch_models(monkeypatch) -> list[weakref.ref]:
    """Weak references to every model built from now on (``build_model`` is wrapped)."""
    import guibuilder.compiler.build as build

    refs: list[weakref.ref] = []
    real = build.build_model

    def watched(*args, **kwargs):
        model = real(*args, **kwargs)
        refs.append(weakref.ref(model))
        return model

    monkeypatch.setattr(build, "build_model", watched)
    return refs
