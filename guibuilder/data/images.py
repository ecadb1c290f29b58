"""Reading image files into numpy arrays, through Pillow."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from guibuilder.data.dataset import DataError
from guibuilder.limits import MB, regular_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_MODES = {"grayscale": "L", "rgb": "RGB"}
#: No image a dataset holds is bigger than this file.
MAX_IMAGE_BYTES = 256 * MB

#: The most pixels an image file may declare (8192 x 8192): more than a 48-megapixel
#: photo, far less than a decompression bomb's billions.
MAX_PIXELS = 8192 * 8192
_BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@contextlib.contextmanager
def open_image(path: str | Path) -> Iterator[Image.Image]:
    """The image at ``path``, opened by Pillow; anything wrong raises :class:`DataError`.

    An image that declares more than :data:`MAX_PIXELS` is refused before its pixels are
    decoded; errors while the caller reads it become the same one sentence.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise DataError(_too_large(path, f"{width:,} x {height:,} pixels"))
                yield img
    except _BOMBS as exc:
        raise DataError(_too_large(path, "more pixels than Pillow allows")) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        reason = (
            "not an image Pillow can identify"
            if isinstance(exc, UnidentifiedImageError)
            else (getattr(exc, "strerror", None) or str(exc) or "it is damaged")
        )
        raise DataError(f"{path} is not a readable image: {reason}") from exc


def _too_large(path: Path, size: str) -> str:
    return (
        f"{path} is refused: it declares {size}, more than the {MAX_PIXELS:,} an image may "
        "have (a decompression bomb?)"
    )


def load_image(path: str | Path, size: tuple[int, int], color_mode: str) -> np.ndarray:
    """The image at ``path`` as float32 ``(height, width, channels)`` in [0, 1].

    ``size`` is (height, width); ``color_mode`` is "grayscale" (1 channel) or "rgb" (3).
    Shrinking is antialiased, so fine detail does not alias.
    """
    path = Path(path)
    regular_file(path, MAX_IMAGE_BYTES, "image", DataError)
    height, width = size
    with open_image(path) as img:
        img = img.convert(_MODES[color_mode])
        if img.size != (width, height):
            img = img.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
        pixels = np.asarray(img, dtype=np.float32) / 255.0
    return pixels if pixels.ndim == 3 else pixels[..., None]
