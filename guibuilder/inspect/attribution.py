"""Which parts of the input a prediction depends on: saliency, occlusion, Grad-CAM, FGSM.

Each function takes one sample as a batch of one (or a plain sample, which gets a batch
axis) and the class to explain (the predicted one by default).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from guibuilder.inspect._grad import InspectError, gradients
from guibuilder.inspect.activations import batch_of

SPATIAL = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose")


def _single_input(model: Any) -> None:
    if len(model.inputs) != 1:
        raise InspectError(
            f"this view needs a model with one input, but it has {len(model.inputs)}"
        )


def _as_batch(model: Any, sample: Any) -> np.ndarray:
    _single_input(model)
    x = batch_of(sample)
    if x.ndim == len(model.inputs[0].shape) - 1:
        x = x[None]
    if x.shape[0] != 1:
        raise InspectError(f"give one sample, not a batch of {x.shape[0]}")
    return x


def _output(model: Any, x: Any) -> Any:
    out = model(x, training=False)
    if isinstance(out, list | tuple):
        out = out[0]
    return out


def _predict(model: Any, x: Any) -> np.ndarray:
    """The first output for ``x`` as numpy, whatever the backend's tensor type."""
    import keras

    return keras.ops.convert_to_numpy(_output(model, x))


def _class_index(model: Any, x: np.ndarray, target: int | None) -> int:
    if target is None:
        return int(np.argmax(_predict(model, x)[0]))
    units = int(model.outputs[0].shape[-1])
    if not 0 <= target < units:
        raise InspectError(f"class {target} is out of range: the model has {units} outputs")
    return int(target)


def saliency(model: Any, sample: Any, target: int | None = None) -> np.ndarray:
    """The gradient of the score of class ``target`` with respect to the input.

    The score is the model's output for that class (as the output layer gives it). Returns
    an array shaped like one sample; for a linear model it is that class's weight vector.
    """
    x = _as_batch(model, sample)
    target = _class_index(model, x, target)
    _, (grad,) = gradients(lambda t: _output(model, t)[0, target], [x])
    return grad[0]


def occlusion(
    model: Any,
    sample: Any,
    target: int | None = None,
    patch: int | None = None,
    stride: int | None = None,
    fill: float = 0.0,
) -> np.ndarray:
    """How much the score of ``target`` drops when each patch of the image is covered.

    A ``patch`` by ``patch`` square set to ``fill`` slides over the first two axes of the
    sample (height, width) by ``stride``; each pixel gets the mean drop of the patches that
    covered it. By default the patch is an eighth of the image (at least 2 pixels) and the
    stride half the patch. Returns ``(height, width)``; positive values mark regions that
    support the class.
    """
    x = _as_batch(model, sample)
    if x.ndim < 3:
        raise InspectError(f"occlusion needs image-like input, not samples of shape {x.shape[1:]}")
    target = _class_index(model, x, target)
    h, w = x.shape[1:3]
    patch = patch or max(2, min(h, w) // 8)
    stride = stride or max(1, patch // 2)
    base = float(_predict(model, x)[0, target])
    starts = [
        (r, c) for r in range(0, h - patch + 1, stride) for c in range(0, w - patch + 1, stride)
    ]
    covered = np.repeat(x, len(starts), axis=0)
    for i, (r, c) in enumerate(starts):
        covered[i, r : r + patch, c : c + patch] = fill
    scores = _predict(model, covered)[:, target]
    total = np.zeros((h, w), dtype="float64")
    hits = np.zeros((h, w), dtype="float64")
    for (r, c), score in zip(starts, scores, strict=True):
        total[r : r + patch, c : c + patch] += base - score
        hits[r : r + patch, c : c + patch] += 1
    return np.divide(total, hits, out=np.zeros_like(total), where=hits > 0).astype("float32")


def last_conv(model: Any) -> str:
    """The node id of the last layer with a spatial ``(h, w, channels)`` output."""
    for layer in reversed(model.layers):
        if type(layer).__name__ in SPATIAL:
            return layer.name
    raise InspectError("Grad-CAM needs a 2-D convolution, and the model has none")


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resampling of a 2-D array to ``shape`` (pixel centres aligned)."""
    from scipy.ndimage import map_coordinates

    rows = (np.arange(shape[0]) + 0.5) * image.shape[0] / shape[0] - 0.5
    cols = (np.arange(shape[1]) + 0.5) * image.shape[1] / shape[1] - 0.5
    grid = np.meshgrid(rows, cols, indexing="ij")
    return map_coordinates(image, grid, order=1, mode="nearest").astype("float32")


def grad_cam(
    model: Any, sample: Any, target: int | None = None, node_id: str | None = None
) -> np.ndarray:
    """Grad-CAM of class ``target`` at the conv layer ``node_id`` (the last one by default).

    Each feature map is weighted by the mean gradient of the class score over it; the
    positive part of the weighted sum, scaled to [0, 1], is resampled to the input's height
    and width. Returns ``(height, width)``.
    """
    import keras

    x = _as_batch(model, sample)
    target = _class_index(model, x, target)
    node_id = node_id or last_conv(model)
    layer = model.get_layer(node_id)
    feature = layer.output
    if len(feature.shape) != 4:
        raise InspectError(f"Grad-CAM needs feature maps, but {node_id!r} gives {feature.shape}")
    head = keras.Model(model.inputs[0], feature)
    tail = keras.Model([model.inputs[0], feature], model.outputs[0])
    maps = keras.ops.convert_to_numpy(head(x, training=False))
    fixed = keras.ops.convert_to_tensor(x)
    _, (grad,) = gradients(lambda a: tail([fixed, a], training=False)[0, target], [maps])
    weights = grad[0].mean(axis=(0, 1))
    cam = np.maximum((maps[0] * weights).sum(axis=-1), 0.0)
    if cam.max() > 0:
        cam = cam / cam.max()
    return _resize(cam, tuple(x.shape[1:3]))


def fgsm(
    model: Any,
    sample: Any,
    label: int,
    epsilon: float,
    loss: Any = None,
    clip: tuple[float, float] | None = (0.0, 1.0),
) -> np.ndarray:
    """The fast-gradient-sign adversarial example of one sample for ``epsilon``.

    ``x + epsilon * sign(d loss / d x)`` for the true ``label``, clipped to ``clip`` (the
    range of the data; ``None`` leaves it unclipped). ``loss`` is a Keras loss; sparse
    categorical cross-entropy on the output by default, which treats an output that sums to
    one as probabilities and anything else as logits. Returns a batch of one.
    """
    import keras

    if epsilon < 0:
        raise InspectError(f"epsilon must be 0 or more, not {epsilon}")
    x = _as_batch(model, sample)
    y = np.asarray([label])
    if loss is None:
        probs = _predict(model, x)
        logits = not np.allclose(probs.sum(axis=-1), 1.0, atol=1e-3) or probs.min() < 0
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=logits)
    _, (grad,) = gradients(lambda t: loss(y, _output(model, t)), [x])
    adversarial = x + epsilon * np.sign(grad)
    if clip is not None:
        adversarial = np.clip(adversarial, *clip)
    return adversarial.astype(x.dtype)
