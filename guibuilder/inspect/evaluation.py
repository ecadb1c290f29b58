"""How well a model does, class by class: confusion matrix, precision, recall, worst misses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from guibuilder.inspect._grad import InspectError


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """``m[i, j]`` counts the samples of true class ``i`` predicted as class ``j``."""
    true = np.asarray(y_true).astype("int64").ravel()
    pred = np.asarray(y_pred).astype("int64").ravel()
    if true.shape != pred.shape:
        raise InspectError(f"{true.size} labels but {pred.size} predictions")
    n = num_classes or int(max(true.max(initial=-1), pred.max(initial=-1)) + 1)
    if true.size and (min(true.min(), pred.min()) < 0 or max(true.max(), pred.max()) >= n):
        raise InspectError(f"a class index is outside 0..{n - 1}")
    matrix = np.zeros((n, n), dtype="int64")
    np.add.at(matrix, (true, pred), 1)
    return matrix


def precision_recall(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision (of the column) and recall (of the row); NaN where undefined."""
    matrix = np.asarray(matrix, dtype="float64")
    hits = np.diag(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = hits / matrix.sum(axis=0)
        recall = hits / matrix.sum(axis=1)
    return precision, recall


def most_confident_wrong(probs: Any, y_true: Any, count: int = 8) -> np.ndarray:
    """Indices of the wrong predictions made with the highest confidence, most confident first."""
    probs = np.asarray(probs)
    true = np.asarray(y_true).astype("int64").ravel()
    pred = probs.argmax(axis=-1)
    wrong = np.flatnonzero(pred != true)
    confidence = probs[wrong, pred[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:count]


@dataclass(frozen=True)
class Evaluation:
    """A classifier's predictions on a labelled set and what they add up to."""

    probs: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    matrix: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    accuracy: float
    wrong: np.ndarray


def evaluate_classifier(
    model: Any, x: Any, y: Any, num_classes: int | None = None, batch_size: int = 256
) -> Evaluation:
    """Predict ``x`` with ``model`` and compare with the class indices ``y``.

    A one-unit sigmoid output counts as two classes (see :func:`class_probabilities`).
    """
    probs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    if num_classes == 2 and probs.ndim == 2 and probs.shape[1] == 1:
        probs, _ = class_probabilities(probs.astype("float64"), 2, "the dataset")
    return evaluate_predictions(probs, y, num_classes)


def class_probabilities(outputs: np.ndarray, classes: int, name: str) -> tuple[np.ndarray, bool]:
    """The class probabilities of a classifier's ``outputs``, and whether a softmax made them.

    A one-unit sigmoid output on a two-class task becomes the two columns ``1 - p, p``;
    outputs that are not probabilities (logits) go through a softmax.
    """
    if outputs.ndim == 2 and outputs.shape[1] == 1 and classes == 2:
        p = outputs[:, 0]
        if p.min() < 0 or p.max() > 1:
            return class_probabilities(np.column_stack([np.zeros_like(p), p]), 2, name)
        return np.column_stack([1 - p, p]), False
    if outputs.ndim != 2 or outputs.shape[1] != classes:
        per = " x ".join(str(d) for d in outputs.shape[1:]) or "1"
        raise InspectError(
            f"the model gives {per} values per sample, but {name!r} has {classes} classes"
        )
    sums = outputs.sum(axis=1)
    if outputs.min() >= 0 and np.allclose(sums, 1.0, atol=1e-3):
        return outputs, False
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True), True


def evaluate_predictions(probs: Any, y: Any, num_classes: int | None = None) -> Evaluation:
    """Compare the outputs ``probs`` (one row per sample) with the class indices ``y``."""
    probs = np.asarray(probs)
    true = np.asarray(y).astype("int64").ravel()
    pred = probs.argmax(axis=-1)
    matrix = confusion_matrix(true, pred, num_classes or probs.shape[-1])
    precision, recall = precision_recall(matrix)
    return Evaluation(
        probs=probs,
        y_true=true,
        y_pred=pred,
        matrix=matrix,
        precision=precision,
        recall=recall,
        accuracy=float((pred == true).mean()) if true.size else float("nan"),
        wrong=most_confident_wrong(probs, true),
    )


def regression_pairs(
    model: Any, x: Any, y: Any, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray, float]:
    """Predicted and true targets (flattened) and the coefficient of determination R²."""
    return compare_regression(model.predict(x, batch_size=batch_size, verbose=0), y)


def compare_regression(pred: Any, y: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """The predictions ``pred`` and targets ``y`` flattened, and R² of the one against the other."""
    pred = np.asarray(pred, dtype="float64").ravel()
    true = np.asarray(y, dtype="float64").ravel()
    if pred.shape != true.shape:
        raise InspectError(f"{true.size} targets but {pred.size} predictions")
    spread = float(np.sum((true - true.mean()) ** 2))
    r2 = 1.0 - float(np.sum((true - pred) ** 2)) / spread if spread > 0 else float("nan")
    return pred, true, r2
