"""What the Inspect dock computes on, and what its worker's own jobs answer. No Qt.

A :class:`Subject` is a snapshot of what is inspected (graph, weights, dataset) at one
project version; a tab's job runs in the worker thread with a :class:`Context` (the
dataset, the built model and its probe) and the results of the worker's own jobs are
plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Subject:
    """What is inspected: a graph snapshot, a weights copy and a dataset, at one version."""

    version: int
    graph: Any
    weights: Any
    dataset_spec: Any
    base_dir: Path | None


@dataclass(frozen=True)
class Context:
    """What a tab's job computes with, in the worker thread: the dataset and the model.

    ``kept`` holds what jobs share at one version (the worker gives each job of a version
    the same one), such as the model's predictions of the validation set.
    """

    subject: Subject
    data: Any
    model: Any
    probe: Any
    kept: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def predictions(self) -> np.ndarray:
        """The model's outputs for the validation set, predicted once per version."""
        if "predictions" not in self.kept:
            x, _y = validation_split(self.data)
            outputs = self.model.predict(x, batch_size=256, verbose=0)
            self.kept["predictions"] = np.asarray(outputs)
        return self.kept["predictions"]


#: The worker's own jobs, run before any other queued job, in this order.
OWN_JOBS = ("dataset", "activation", "confusion")


@dataclass(frozen=True)
class ActivationResult:
    """One node's activation for one validation sample."""

    version: int
    node_id: str
    sample: int
    values: np.ndarray
    seconds: float


@dataclass(frozen=True)
class LayersResult:
    """Every node's activation (inputs included) for one validation sample, no batch axis."""

    version: int
    sample: int
    layers: dict[str, np.ndarray]
    seconds: float


@dataclass(frozen=True)
class ConfusionResult:
    """The confusion matrix of the model on the validation set."""

    version: int
    matrix: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    class_names: tuple[str, ...]
    accuracy: float


def validation_split(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """The validation samples of ``data``, or its training samples when it has none."""
    if len(data.x_val):
        return data.x_val, data.y_val
    return data.x_train, data.y_train


def sample_count(x: Any) -> int:
    """How many samples ``x`` holds (an array, or one array per model input)."""
    return len(x[0]) if isinstance(x, list | tuple) else len(x)
