"""Gradients: the one place in ``inspect`` that needs the backend itself.

Keras has no backend-neutral ``grad``; everything else in the package uses ``keras.ops``.
Each backend Keras runs on (TensorFlow, JAX, PyTorch) has its own small branch here, and
all of them return plain numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from guibuilder.errors import GuibuilderError

Objective = Callable[..., Any]


class InspectError(GuibuilderError):
    """Something asked of the inspect functions cannot be done with this model or data."""


def gradients(fn: Objective, args: Sequence[Any]) -> tuple[float, list[np.ndarray]]:
    """The value of the scalar ``fn(*args)`` and its gradient with respect to each argument.

    Parameters
    ----------
    fn
        Takes tensors (one per ``args``) and returns a scalar tensor, using ``keras.ops``.
    args
        Arrays or tensors to differentiate with respect to.

    Returns
    -------
    value, grads
        ``fn(*args)`` as a float and one numpy gradient per argument, shaped like it; an
        argument the value does not depend on gets zeros.
    """
    import keras

    backend = keras.backend.backend()
    branch = _BRANCHES.get(backend)
    if branch is None:
        raise InspectError(
            f"gradients (saliency, Grad-CAM, FGSM, gradient norms) need the tensorflow, jax "
            f"or torch backend, but Keras runs on {backend}"
        )
    return branch(fn, list(args))


def _tensorflow(fn: Objective, args: list[Any]) -> tuple[float, list[np.ndarray]]:
    import tensorflow as tf

    tensors = [tf.convert_to_tensor(a) for a in args]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        value = fn(*tensors)
    grads = tape.gradient(value, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    # An embedding's gradient comes as IndexedSlices: made dense, it has the table's shape.
    return float(value), [np.asarray(tf.convert_to_tensor(g)) for g in grads]


def _jax(fn: Objective, args: list[Any]) -> tuple[float, list[np.ndarray]]:
    import jax
    import jax.numpy as jnp

    arrays = [jnp.asarray(a) for a in args]
    value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(arrays))))(*arrays)
    return float(value), [np.asarray(g) for g in grads]


def _torch(fn: Objective, args: list[Any]) -> tuple[float, list[np.ndarray]]:
    import keras
    import torch

    leaves = [keras.ops.convert_to_tensor(a).detach().clone().requires_grad_(True) for a in args]
    with torch.enable_grad():
        value = fn(*leaves)
        grads = torch.autograd.grad(value, leaves, allow_unused=True)
    return float(value.detach()), [
        (torch.zeros_like(t) if g is None else g).detach().cpu().numpy()
        for t, g in zip(leaves, grads, strict=True)
    ]


_BRANCHES: dict[str, Callable[[Objective, list[Any]], tuple[float, list[np.ndarray]]]] = {
    "tensorflow": _tensorflow,
    "jax": _jax,
    "torch": _torch,
}
