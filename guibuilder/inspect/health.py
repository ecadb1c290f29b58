"""Signal health per layer: is the signal flowing forward and the gradient flowing back?

After the usual checklist for deep nets (ReLU, initialisation, normalisation, residual
connections): per layer, the mean and spread of its activations on a batch, the fraction
of its ReLU units that never fire on that batch, and the norm of the loss gradient with
respect to its weights. Flags name the usual failures: vanishing or exploding gradients
and dead ReLUs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from guibuilder.inspect._grad import gradients
from guibuilder.inspect.activations import Probe, batch_of, layer_ids

#: A gradient norm below this, or below ``VANISHING_RATIO`` times the largest, vanishes.
VANISHING = 1e-7
VANISHING_RATIO = 1e-4
#: A gradient norm above this (or not finite) explodes.
EXPLODING = 1e3
#: A ReLU layer with at least this fraction of units never active is flagged as dead.
DEAD = 0.5


@dataclass(frozen=True)
class LayerHealth:
    """The health of one layer on one batch; ``None`` where a measure does not apply."""

    node_id: str
    depth: int
    layer_type: str
    mean: float
    std: float
    dead_fraction: float | None
    grad_norm: float | None
    flags: tuple[str, ...] = ()


def is_relu(layer: Any) -> bool:
    """Whether ``layer``'s output passes through a ReLU (its activation, or a ReLU layer)."""
    import keras

    name = type(layer).__name__
    if name == "ReLU":
        return True
    activation = getattr(layer, "activation", None)
    return activation is keras.activations.relu or getattr(activation, "__name__", "") == "relu"


def dead_fraction(activation: np.ndarray) -> float:
    """The fraction of units (last axis) that are never above zero anywhere in the batch."""
    values = np.asarray(activation)
    alive = (values.reshape(-1, values.shape[-1]) > 0).any(axis=0)
    return float(1.0 - alive.mean())


def default_loss(model: Any, y: Any) -> Any:
    """A loss that fits ``model``'s output and the labels ``y``.

    Class indices with several outputs: sparse categorical cross-entropy (from logits
    unless the output layer is a softmax); otherwise mean squared error.
    """
    import keras

    labels = np.asarray(y)
    units = model.outputs[0].shape[-1]
    indices = np.issubdtype(labels.dtype, np.integer) and labels.ndim == 1
    if indices and (units or 0) > 1:
        out = model.outputs[0]._keras_history.operation
        softmax = getattr(getattr(out, "activation", None), "__name__", "") == "softmax"
        softmax = softmax or type(out).__name__ == "Softmax"
        return keras.losses.SparseCategoricalCrossentropy(from_logits=not softmax)
    return keras.losses.MeanSquaredError()


def gradient_norms(model: Any, x: Any, y: Any, loss: Any = None) -> dict[str, float]:
    """The norm of the gradient of the loss on ``(x, y)`` with respect to each layer's weights.

    Layers without trainable weights are left out. A shared layer appears once.
    """
    loss = loss or default_loss(model, y)
    x = batch_of(x)
    trainable = list(model.trainable_variables)
    non_trainable = [v.value for v in model.non_trainable_variables]
    labels = np.asarray(y)

    def objective(*values: Any) -> Any:
        outputs, _ = model.stateless_call(list(values), non_trainable, x, training=False)
        if isinstance(outputs, list | tuple):
            outputs = outputs[0]
        return loss(labels, outputs)

    _, grads = gradients(objective, [v.value for v in trainable])
    index = {id(v): i for i, v in enumerate(trainable)}
    norms = {}
    for layer in model.layers:
        own = [index[id(w)] for w in layer.trainable_weights if id(w) in index]
        if own:
            norms[layer.name] = math.sqrt(sum(float(np.sum(np.square(grads[i]))) for i in own))
    return norms


def flags_for(
    grad_norm: float | None, largest: float, dead: float | None, dead_limit: float = DEAD
) -> tuple[str, ...]:
    """The flags of one layer: ``vanishing``, ``exploding``, ``dead_relu``."""
    flags = []
    if grad_norm is not None:
        if not math.isfinite(grad_norm) or grad_norm > EXPLODING:
            flags.append("exploding")
        elif grad_norm < VANISHING or grad_norm < VANISHING_RATIO * largest:
            flags.append("vanishing")
    if dead is not None and dead >= dead_limit:
        flags.append("dead_relu")
    return tuple(flags)


def signal_health(
    model: Any, x: Any, y: Any, loss: Any = None, probe: Probe | None = None
) -> list[LayerHealth]:
    """The health of every layer (the inputs left out) of ``model`` on the batch ``(x, y)``.

    Parameters
    ----------
    model
        A built ``keras.Model`` whose layer names are node ids.
    x, y
        A batch of samples and their labels (or targets).
    loss
        A Keras loss; :func:`default_loss` when omitted.
    probe
        A :class:`Probe` of ``model`` to reuse its cached sub-models.
    """
    probe = probe or Probe(model)
    ids = layer_ids(model)
    acts = probe(x, ids)
    norms = gradient_norms(model, x, y, loss)
    finite = [n for n in norms.values() if math.isfinite(n)]
    largest = max(finite, default=0.0)
    report = []
    for depth, node_id in enumerate(ids, start=1):
        layer = model.get_layer(node_id)
        values = acts[node_id].astype("float64")
        dead = dead_fraction(values) if is_relu(layer) else None
        grad = norms.get(node_id)
        report.append(
            LayerHealth(
                node_id=node_id,
                depth=depth,
                layer_type=type(layer).__name__,
                mean=float(values.mean()),
                std=float(values.std()),
                dead_fraction=dead,
                grad_norm=grad,
                flags=flags_for(grad, largest, dead),
            )
        )
    return report
