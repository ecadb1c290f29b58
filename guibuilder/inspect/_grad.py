"""Gradients: the one place in ``inspect`` that needs the backend itself.

Keras has no backend-neutral ``grad``; everything else in the package uses ``keras.ops``.
Only the TensorFlow branch exists so far: on another backend the functions that need
gradients raise :class:`InspectError` with one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from guibuilder.errors import GuibuilderError


class InspectError(GuibuilderError):
    """Something asked of the inspect functions cannot be done with this model or data."""


def gradients(fn: Callable[..., Any], args: Sequence[Any]) -> tuple[float, list[np.ndarray]]:
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
        ``fn(*args)`` as a float and one numpy gradient per argument, shaped like it.
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise InspectError(
            f"gradients (saliency, Grad-CAM, FGSM, gradient norms) need the tensorflow "
            f"backend, but Keras runs on {backend}"
        )
    import tensorflow as tf

    tensors = [tf.convert_to_tensor(a) for a in args]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        value = fn(*tensors)
    grads = tape.gradient(value, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return float(value), [np.asarray(g) for g in grads]
