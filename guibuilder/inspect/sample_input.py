"""What the model's input and output look like, for the Attribution, Adversarial and Predict tabs.

:func:`image_profile` says how a dataset's images look (value range, background,
margin), so that a drawing or a dropped file can be made to look like them and an
adversarial example stays inside the data's range; :func:`model_output` runs the model
and :func:`as_probabilities` turns its output into class probabilities. No Qt: these run
in the Inspect worker thread too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.subject import validation_split

#: Samples of the training set looked at to work out an image profile.
PROFILE_SAMPLES = 2000


@dataclass(frozen=True)
class ImageProfile:
    """How a dataset's images look.

    ``shape`` is one sample's shape; ``low`` and ``high`` bound the pixel values;
    ``bright_background`` says whether the background is the high end (dark ink on
    paper); ``margin`` is the fraction of the height and of the width left blank around a
    typical drawing.
    """

    shape: tuple[int, ...]
    low: float
    high: float
    bright_background: bool
    margin: tuple[float, float]

    @property
    def channels(self) -> int:
        """1 for grey images (with or without a channel axis), 3 for colour."""
        return self.shape[2] if len(self.shape) == 3 else 1


def is_image_shape(shape: tuple[int, ...]) -> bool:
    """Whether one sample of ``shape`` is an image: ``(h, w, 1|3)`` or a square ``(h, w)``."""
    if len(shape) == 3:
        return shape[2] in (1, 3) and min(shape[:2]) >= 4
    return len(shape) == 2 and shape[0] == shape[1] and shape[0] >= 4


#: Most features of a sequence sample (values per time step) it may have to be drawn as one.
MAX_SEQUENCE_FEATURES = 16


def is_sequence_shape(shape: tuple[int, ...]) -> bool:
    """Whether one sample of ``shape`` is a sequence: ``(steps, features)``, more steps
    than features and at most :data:`MAX_SEQUENCE_FEATURES` features (``(20, 1)``: a series)."""
    return len(shape) == 2 and shape[0] > shape[1] and shape[1] <= MAX_SEQUENCE_FEATURES


def image_profile(data: Any) -> ImageProfile | None:
    """The :class:`ImageProfile` of ``data``'s samples; None when they are not images."""
    x, _y = validation_split(data)
    if isinstance(x, list) or not is_image_shape(tuple(np.shape(x)[1:])):
        return None
    train = data.x_train if len(data.x_train) else x
    sample = np.asarray(train[:PROFILE_SAMPLES], dtype="float32")
    low, high = float(sample.min()), float(sample.max())
    if high <= low:
        high = low + 1.0
    grey = sample if sample.ndim == 3 else sample.mean(axis=-1)
    border = np.concatenate([grey[:, 0, :], grey[:, -1, :], grey[:, :, 0], grey[:, :, -1]], 1)
    background = float(np.median(border))
    ink = np.abs(grey - background) > (high - low) / 2
    return ImageProfile(
        tuple(int(d) for d in np.shape(x)[1:]),
        low,
        high,
        background > (low + high) / 2,
        (_margin(ink.any(axis=2).mean(axis=0)), _margin(ink.any(axis=1).mean(axis=0))),
    )


def _margin(occupancy: np.ndarray, floor: float = 0.05) -> float:
    """The blank fraction at the thinner end of ``occupancy`` (how often each row has ink)."""
    used = np.flatnonzero(occupancy > floor)
    if not used.size:
        return 0.0
    blank = min(int(used[0]), int(occupancy.size - 1 - used[-1]))
    return blank / occupancy.size


def as_probabilities(output: np.ndarray, classification: bool) -> np.ndarray:
    """Class probabilities from one output: kept when they already are, else a softmax.

    The output of a model that is not a classifier is returned as it is.
    """
    values = np.asarray(output, dtype="float64").ravel()
    if not classification or values.size < 2:
        return values
    if values.min() >= 0 and abs(values.sum() - 1.0) < 1e-3:
        return values
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


def model_output(model: Any, batch: np.ndarray) -> np.ndarray:
    """The model's (first) output for ``batch``, as numpy.

    Raises :class:`GuibuilderError` in one sentence when the model takes more than one
    input or samples of another shape than ``batch``'s.
    """
    import keras

    if len(model.inputs) != 1:
        raise GuibuilderError(f"this view needs a model with one input, not {len(model.inputs)}")
    wanted = tuple(model.inputs[0].shape[1:])
    given = tuple(batch.shape[1:])
    if len(wanted) != len(given) or any(
        w not in (None, g) for w, g in zip(wanted, given, strict=True)
    ):
        raise GuibuilderError(
            f"the model takes samples of shape {_shape(wanted)}, but the dataset's are "
            f"{_shape(given)}: fit the Input to the data"
        )
    output = model(batch, training=False)
    if isinstance(output, list | tuple):
        output = output[0]
    return keras.ops.convert_to_numpy(output)


def describe_samples(shape: tuple[int, ...]) -> str:
    """One sample's shape in words: ``4 numbers``, ``20 x 3 arrays``."""
    if not shape:
        return "single numbers"
    if len(shape) == 1:
        return f"{shape[0]} numbers"
    return f"{_shape(shape)} arrays"


def describe_inputs(data: Any) -> str:
    """One sample of ``data`` in words, every input: ``4 numbers``, ``pairs of 8 x 8 x 1
    arrays`` (two inputs, as the Siamese template reads)."""
    shapes = [tuple(s) for s in data.input_shapes]
    if len(shapes) == 1:
        return describe_samples(shapes[0])
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return f"pairs of {describe_samples(shapes[0])}"
    return f"{len(shapes)} inputs: " + ", ".join(describe_samples(s) for s in shapes)


def _shape(shape: tuple[Any, ...]) -> str:
    return " x ".join("?" if d is None else str(d) for d in shape)


def output_names(data: Any, count: int) -> tuple[str, ...]:
    """Names of ``count`` model outputs: the dataset's class names, or ``0``, ``1`` ..."""
    names = tuple(str(n) for n in getattr(data, "class_names", ()) or ())
    return names if len(names) == count else tuple(str(i) for i in range(count))
