"""The optimizer, loss and metrics a :class:`TrainConfig` asks for, as Keras objects.

``auto`` choices are settled here from the data and the model: integer labels train with
a cross-entropy, real-valued targets with mean squared error, and a cross-entropy works
on logits unless the model ends in a softmax or sigmoid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guibuilder.compiler.layers import load_keras
from guibuilder.data.dataset import auto_loss
from guibuilder.errors import GuibuilderError
from guibuilder.training.config import TrainConfig

CROSSENTROPIES = (
    "sparse_categorical_crossentropy",
    "categorical_crossentropy",
    "binary_crossentropy",
)
PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


def resolve_loss(config: TrainConfig, task: str | None, y: Any, output_units: int | None) -> str:
    """The loss name to use: ``config.loss``, or :func:`~guibuilder.data.auto_loss`'s choice
    from the labels when ``auto``."""
    return config.loss if config.loss != "auto" else auto_loss(task, y, output_units)


def ends_in_probabilities(layer: Any) -> bool:
    """Whether ``layer`` (the model's last layer) outputs a softmax or sigmoid."""
    if type(layer).__name__ == "Softmax":
        return True
    activation = layer.get_config().get("activation")
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name") or activation.get("class_name")
    return activation in PROBABILITY_ACTIVATIONS


def make_loss(name: str, from_logits: bool) -> Any:
    """A Keras loss object."""
    keras = load_keras()
    losses = {
        "sparse_categorical_crossentropy": lambda: keras.losses.SparseCategoricalCrossentropy(
            from_logits=from_logits
        ),
        "categorical_crossentropy": lambda: keras.losses.CategoricalCrossentropy(
            from_logits=from_logits
        ),
        "binary_crossentropy": lambda: keras.losses.BinaryCrossentropy(from_logits=from_logits),
        "mse": keras.losses.MeanSquaredError,
        "mae": keras.losses.MeanAbsoluteError,
        "huber": keras.losses.Huber,
    }
    return losses[name]()


def default_metrics(loss: str) -> list[str]:
    """``accuracy`` for a classifier, ``mae`` for a regressor."""
    return ["accuracy"] if loss in CROSSENTROPIES else ["mae"]


def _metric(name: str, loss: str, from_logits: bool) -> Any:
    m = load_keras().metrics
    threshold = 0.0 if from_logits else 0.5
    by_loss: dict[str, dict[str, Any]] = {
        "accuracy": {
            "sparse_categorical_crossentropy": lambda: m.SparseCategoricalAccuracy(name=name),
            "categorical_crossentropy": lambda: m.CategoricalAccuracy(name=name),
            "binary_crossentropy": lambda: m.BinaryAccuracy(threshold=threshold, name=name),
        },
        "top5_accuracy": {
            "sparse_categorical_crossentropy": lambda: m.SparseTopKCategoricalAccuracy(
                k=5, name=name
            ),
            "categorical_crossentropy": lambda: m.TopKCategoricalAccuracy(k=5, name=name),
        },
        "auc": {"binary_crossentropy": lambda: m.AUC(from_logits=from_logits, name=name)},
        "precision": {"binary_crossentropy": lambda: m.Precision(thresholds=threshold, name=name)},
        "recall": {"binary_crossentropy": lambda: m.Recall(thresholds=threshold, name=name)},
    }
    any_loss = {
        "mae": lambda: m.MeanAbsoluteError(name=name),
        "mse": lambda: m.MeanSquaredError(name=name),
        "rmse": lambda: m.RootMeanSquaredError(name=name),
    }
    if name in any_loss:
        return any_loss[name]()
    makers = by_loss[name]
    if loss not in makers:
        needs = " or ".join(makers)
        raise GuibuilderError(f"the metric {name!r} works with {needs}, not with {loss}")
    return makers[loss]()


def make_metrics(names: Sequence[str], loss: str, from_logits: bool) -> list[Any]:
    """Keras metric objects named as in the logs, matched to the loss's label format."""
    return [_metric(name, loss, from_logits) for name in names]


def make_optimizer(config: TrainConfig) -> Any:
    """A Keras optimizer with the config's rate, clipping and weight decay."""
    keras = load_keras()
    o = keras.optimizers
    common: dict[str, Any] = {
        "learning_rate": config.learning_rate,
        "clipnorm": config.clipnorm,
        "clipvalue": config.clipvalue,
    }
    if config.weight_decay is not None:
        common["weight_decay"] = config.weight_decay
    name = config.optimizer
    if name == "sgd":
        return o.SGD(momentum=config.momentum, nesterov=config.nesterov, **common)
    if name == "rmsprop":
        return o.RMSprop(momentum=config.momentum, **common)
    classes = {"adam": o.Adam, "adamw": o.AdamW, "adagrad": o.Adagrad, "nadam": o.Nadam}
    return classes[name](**common)
