"""How well a model does, class by class: confusion matrix, precision, recall, worst misses.

:func:`evaluation_job` makes the Evaluation tab's report in the Inspect worker's thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from guibuilder.errors import GuibuilderError
from guibuilder.inspect._grad import InspectError
from guibuilder.inspect.subject import validation_split

if TYPE_CHECKING:
    from guibuilder.inspect.subject import Context

#: Most confidently wrong samples in the Evaluation tab's report.
MAX_WRONG = 12
#: Values of a non-image sample written out before the rest is counted.
SHOWN_VALUES = 6


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


@dataclass(frozen=True)
class ClassifierReport:
    """A classifier on the validation set: per-class scores and its worst misses.

    ``wrong`` holds sample indices, most confident first; ``wrong_samples`` those samples
    (of the first input). ``softmax`` says the outputs were not probabilities, so the
    confidences are the softmax of them.
    """

    class_names: tuple[str, ...]
    matrix: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    accuracy: float
    wrong: np.ndarray
    wrong_true: np.ndarray
    wrong_pred: np.ndarray
    confidence: np.ndarray
    wrong_samples: tuple[np.ndarray, ...]
    softmax: bool

    @property
    def support(self) -> np.ndarray:
        """Validation samples of each class."""
        return self.matrix.sum(axis=1)


@dataclass(frozen=True)
class RegressionReport:
    """Predicted and true values (flattened, ``targets`` per sample) and how close they are."""

    predicted: np.ndarray
    true: np.ndarray
    targets: int
    r2: float
    mse: float
    mae: float


def evaluation_job(context: Context) -> ClassifierReport | RegressionReport:
    """Score the model's predictions of the validation set (in the worker thread)."""
    data = context.data
    x, y = validation_split(data)
    outputs = np.asarray(context.predictions(), dtype="float64")
    if data.task != "classification":
        return _regression(outputs, np.asarray(y, dtype="float64"), data.name)
    classes = data.num_classes or (outputs.shape[-1] if outputs.ndim == 2 else 0)
    probs, softmax = class_probabilities(outputs, classes, data.name)
    evaluation = evaluate_predictions(probs, y, classes)
    wrong = most_confident_wrong(probs, evaluation.y_true, MAX_WRONG)
    pred = evaluation.y_pred[wrong]
    first = x[0] if isinstance(x, list | tuple) else x
    names = tuple(data.class_names) or tuple(str(i) for i in range(classes))
    return ClassifierReport(
        class_names=names,
        matrix=evaluation.matrix,
        precision=evaluation.precision,
        recall=evaluation.recall,
        accuracy=evaluation.accuracy,
        wrong=wrong,
        wrong_true=evaluation.y_true[wrong],
        wrong_pred=pred,
        confidence=probs[wrong, pred],
        wrong_samples=tuple(np.asarray(first[i]) for i in wrong),
        softmax=softmax,
    )


def _regression(outputs: np.ndarray, y: np.ndarray, name: str) -> RegressionReport:
    count = len(y)
    per_sample = outputs.size // max(1, len(outputs))
    if len(outputs) != count or outputs.size != y.size:
        wanted = y.size // max(1, count)
        raise GuibuilderError(
            f"the model gives {per_sample} values per sample, but the targets of {name!r} "
            f"have {wanted}"
        )
    predicted, true, r2 = compare_regression(outputs, y)
    error = predicted - true
    return RegressionReport(
        predicted=predicted,
        true=true,
        targets=per_sample,
        r2=r2,
        mse=float(np.mean(error**2)) if error.size else float("nan"),
        mae=float(np.mean(np.abs(error))) if error.size else float("nan"),
    )


def compact_values(
    sample: np.ndarray, limit: int = SHOWN_VALUES, vocabulary: Sequence[str] = ()
) -> str:
    """A short text of a sample's values: the first ``limit``, then how many there are.

    Token ids with a ``vocabulary`` read as their words, without the padding at the end."""
    flat = np.ravel(sample)
    if vocabulary and flat.dtype.kind in "iu":
        ids = [int(i) for i in flat]
        while ids and ids[-1] == 0 and vocabulary[0] == "<pad>":
            ids.pop()
        words = [vocabulary[i] if 0 <= i < len(vocabulary) else "?" for i in ids]
        shown = " ".join(words[: 2 * limit])
        return shown + (f" … ({len(words)} words)" if len(words) > 2 * limit else "")
    if flat.dtype.kind in "fc":
        shown = ", ".join(f"{v:.3g}" for v in flat[:limit])
    else:
        shown = ", ".join(str(v) for v in flat[:limit])
    return shown + (f", … ({flat.size} values)" if flat.size > limit else "")
