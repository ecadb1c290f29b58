"""Reading image files into numpy arrays, through Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from guibuilder.data.dataset import DataError
from guibuilder.filecheck import MB, regular_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_MODES = {"grayscale": "L", "rgb": "RGB"}
#: No image a dataset holds is bigger than this file.
MAX_IMAGE_BYTES = 256 * MB


def load_image(path: str | Path, size: tuple[int, int], color_mode: str) -> np.ndarray:
    """The image at ``path`` as float32 ``(height, width, channels)`` in [0, 1].

    ``size`` is (height, width); ``color_mode`` is "grayscale" (1 channel) or "rgb" (3).
    Shrinking is antialiased, so fine detail does not alias.
    """
    path = Path(path)
    regular_file(path, MAX_IMAGE_BYTES, "image", DataError)
    height, width = size
    try:
        with Image.open(path) as img:
            img = img.convert(_MODES[color_mode])
            if img.size != (width, height):
                img = img.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
            pixels = np.asarray(img, dtype=np.float32) / 255.0
    except OSError as exc:
        reason = (
            "not an image Pillow can identify"
            if isinstance(exc, UnidentifiedImageError)
            else (exc.strerror or str(exc) or "it is damaged")
        )
        raise DataError(f"{path} is not a readable image: {reason}") from exc
    return pixels if pixels.ndim == 3 else pixels[..., None]
