"""A drawing or an image file made to look like a dataset's samples, and the model's
prediction of it: the Predict tab's work, in the Inspect worker thread. No Qt.

What is drawn is resampled to the model's input the way the dataset's images look
(:class:`~guibuilder.inspect.sample_input.ImageProfile`): its size and channels, its value
range, its polarity and, for grey images, a drawing cropped, scaled and centred like the
data's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.sample_input import ImageProfile, as_probabilities, model_output

if TYPE_CHECKING:
    from guibuilder.inspect.subject import Context

#: Side of the pad's canvas, in pixels (the widget shows it scaled to fit).
PAD_SIZE = 256
#: A pixel brighter than this (0..1) is ink when a drawing is cropped.
INK = 0.1


class ImageFileError(GuibuilderError):
    """A file dropped on the drawing pad cannot be read as an image."""


# --------------------------------------------------------------- resampling
def _resize(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """``pixels`` (float 0..1, ``(h, w)`` or ``(h, w, 3)``) resampled with area averaging."""
    from PIL import Image

    if pixels.shape[0] == height and pixels.shape[1] == width:
        return pixels.astype("float32")
    if pixels.ndim == 2:
        image = Image.fromarray(pixels.astype("float32"))
        return np.asarray(image.resize((width, height), Image.Resampling.BOX), "float32")
    channels = [_resize(pixels[..., c], height, width) for c in range(pixels.shape[-1])]
    return np.stack(channels, axis=-1)


def _fit(grey: np.ndarray, height: int, width: int, margin: tuple[float, float]) -> np.ndarray:
    """The ink of ``grey`` cropped, scaled to fill the box inside ``margin``, and centred."""
    rows = np.flatnonzero((grey > INK).any(axis=1))
    cols = np.flatnonzero((grey > INK).any(axis=0))
    out = np.zeros((height, width), dtype="float32")
    if not rows.size:
        return out
    crop = grey[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    inner_h = max(1, round(height * (1 - 2 * margin[0])))
    inner_w = max(1, round(width * (1 - 2 * margin[1])))
    scale = min(inner_h / crop.shape[0], inner_w / crop.shape[1])
    h = min(inner_h, max(1, round(crop.shape[0] * scale)))
    w = min(inner_w, max(1, round(crop.shape[1] * scale)))
    top, left = (height - h) // 2, (width - w) // 2
    out[top : top + h, left : left + w] = _resize(crop, h, w)
    return out


def pad_to_input(pixels: np.ndarray, profile: ImageProfile, fit: bool = True) -> np.ndarray:
    """One model input from the pad's RGB bytes ``pixels`` (ink bright on black).

    The image is resampled to ``profile.shape`` (grey or colour), its ink cropped and
    centred like the dataset's drawings when ``fit`` (grey images only), inverted when the
    dataset's background is bright, and scaled to the dataset's value range.
    """
    rgb = np.asarray(pixels, dtype="float32") / 255.0
    height, width = profile.shape[:2]
    if profile.channels == 3:
        values = _resize(rgb, height, width)
    else:
        grey = rgb.mean(axis=-1)
        values = _fit(grey, height, width, profile.margin) if fit else _resize(grey, height, width)
        if profile.bright_background:
            values = 1.0 - values
    values = np.clip(values, 0.0, 1.0) * (profile.high - profile.low) + profile.low
    if len(profile.shape) == 3 and profile.channels == 1:
        values = values[..., None]
    return values.astype("float32")


def read_image(path: str | Path, profile: ImageProfile, size: int = PAD_SIZE) -> np.ndarray:
    """An image file as the pad's RGB bytes: fitted in a ``size`` square, ink bright on black.

    For grey datasets the image is made grey and inverted when its background is bright
    (dark ink on paper), so it looks like a drawing on the pad.
    """
    from PIL import Image, ImageOps

    from guibuilder.data import DataError
    from guibuilder.data.images import MAX_IMAGE_BYTES, open_image
    from guibuilder.limits import regular_file

    path = Path(path)
    regular_file(path, MAX_IMAGE_BYTES, "image", ImageFileError)
    try:
        with open_image(path) as opened:
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(paper, image)
            image = image.convert("RGB")
    except DataError as exc:
        said = exc.message.replace(str(path), f"the dropped file {path.name}", 1)
        raise ImageFileError(said) from exc
    pixels = np.asarray(image, dtype="uint8")
    if profile.channels == 1:
        grey = pixels.mean(axis=-1)
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        if np.median(border) > 127:
            grey = 255.0 - grey
        pixels = np.repeat(grey[..., None], 3, axis=-1).astype("uint8")
    scale = size / max(pixels.shape[:2])
    h = max(1, round(pixels.shape[0] * scale))
    w = max(1, round(pixels.shape[1] * scale))
    fitted = Image.fromarray(pixels).resize((w, h), Image.Resampling.LANCZOS)
    canvas = np.zeros((size, size, 3), dtype="uint8")
    top, left = (size - h) // 2, (size - w) // 2
    canvas[top : top + h, left : left + w] = np.asarray(fitted, dtype="uint8")
    return canvas


# ------------------------------------------------------------------ the job
@dataclass(frozen=True)
class Prediction:
    """What the model made of the pad: the input it got and its output."""

    stroke: int
    input: np.ndarray
    probs: np.ndarray
    saliency: np.ndarray | None
    seconds: float


def predict_job(
    context: Context,
    stroke: int,
    pixels: np.ndarray,
    profile: ImageProfile,
    fit: bool,
    explain: bool,
) -> Prediction:
    """Resample the pad's ``pixels`` to the model's input and predict (worker thread).

    With ``explain`` the saliency of the predicted class over the input comes too.
    """
    from guibuilder.inspect.attribution import saliency

    start = time.perf_counter()
    x = pad_to_input(pixels, profile, fit)
    output = model_output(context.model, x[None])
    probs = as_probabilities(output[0], context.data.task == "classification")
    grad = saliency(context.model, x, int(np.argmax(probs))) if explain else None
    return Prediction(stroke, x, probs, grad, time.perf_counter() - start)
