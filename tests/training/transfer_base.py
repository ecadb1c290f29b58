"""The model the transfer-learning tests start from: a tiny CNN trained on digits 0-4."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from guibuilder.data import Dataset, load_dataset
from guibuilder.document.settings import TrainConfig
from guibuilder.graph import Graph
from guibuilder.training import TrainingSession
from tests.training.helpers import collect

#: The body a fine-tuning keeps (conv and pool up to the flatten) and the head it replaces.
BODY = ("conv", "pool", "flatten")
HEAD = "dense"


def digits_subset(classes: range) -> Dataset:
    """The digits dataset restricted to ``classes``, relabelled 0, 1, ..."""
    digits = load_dataset("digits")
    keep_train = np.isin(digits.y_train, list(classes))
    keep_val = np.isin(digits.y_val, list(classes))
    return Dataset(
        name=f"digits {classes.start}-{classes.stop - 1}",
        task="classification",
        x_train=digits.x_train[keep_train],
        y_train=(digits.y_train[keep_train] - classes.start).astype("int32"),
        x_val=digits.x_val[keep_val],
        y_val=(digits.y_val[keep_val] - classes.start).astype("int32"),
        num_classes=len(classes),
        class_names=tuple(str(c) for c in classes),
    )


def base_graph() -> Graph:
    """8x8 image -> Conv2D(8) -> MaxPooling2D -> Flatten -> Dense(5, softmax)."""
    graph = Graph("digits_0_4")
    graph.add_node("Input", {"shape": [8, 8, 1]}, node_id="image")
    graph.add_node(
        "Conv2D", {"filters": 8, "kernel_size": [3, 3], "activation": "relu"}, node_id="conv"
    )
    graph.add_node("MaxPooling2D", node_id="pool")
    graph.add_node("Flatten", node_id="flatten")
    graph.add_node("Dense", {"units": 5, "activation": "softmax"}, node_id=HEAD)
    for source, target in zip(("image", *BODY), (*BODY, HEAD), strict=True):
        graph.connect(source, target)
    return graph


def train_base(folder: Path) -> Path:
    """Train :func:`base_graph` for two epochs on digits 0-4; return its saved ``.keras``."""
    config = TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=0)
    session = TrainingSession(
        base_graph(), digits_subset(range(5)), config, run_root=folder / "runs", name="base"
    )
    events = collect(session)
    assert events[-1].kind == "finished", events[-1]
    return session.result.run_dir / "last.keras"
