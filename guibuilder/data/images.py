"""Reading and resizing image files into numpy arrays.

Pillow reads every common format when it is installed. Without it, PNG files are decoded
here (zlib and numpy only) and other formats go through TensorFlow's decoders when
TensorFlow is installed; otherwise the error says to install Pillow.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from guibuilder.data.dataset import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def read_image(path: str | Path) -> np.ndarray:
    """The image at ``path`` as uint8 ``(height, width, channels)``, channels 1 to 4."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the image {path}: {exc.strerror or exc}") from exc
    try:
        image = _with_pillow(raw)
        if image is None:
            image = decode_png(raw) if raw.startswith(PNG_SIGNATURE) else _with_tensorflow(raw)
    except DataError as exc:
        raise DataError(f"{path} is not a readable image: {exc}") from exc
    if image is None:
        raise DataError(
            f"{path} is not a PNG file, and reading other formats needs Pillow (pip install pillow)"
        )
    return image if image.ndim == 3 else image[..., None]


def _with_pillow(raw: bytes) -> np.ndarray | None:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        return None
    import io

    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.mode not in ("L", "LA", "RGB", "RGBA"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            return np.asarray(img, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(str(exc) or "Pillow cannot identify it") from exc


def _with_tensorflow(raw: bytes) -> np.ndarray | None:
    try:
        import tensorflow as tf
    except ImportError:
        return None
    try:
        return tf.io.decode_image(raw, expand_animations=False, dtype=tf.uint8).numpy()
    except (tf.errors.OpError, ValueError) as exc:
        raise DataError("its contents are not an image format TensorFlow knows") from exc


# ------------------------------------------------------------------ PNG
def decode_png(raw: bytes) -> np.ndarray:
    """Decode a non-interlaced PNG into uint8 ``(height, width, channels)``."""
    if not raw.startswith(PNG_SIGNATURE):
        raise DataError("it does not start with the PNG signature")
    header, palette, data = _png_chunks(raw)
    width, height, depth, color, _, _, interlace = header
    if color not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise DataError(f"colour type {color} with bit depth {depth} is not valid PNG")
    if interlace:
        raise DataError("interlaced PNG files need Pillow (pip install pillow)")
    channels = _CHANNELS[color]
    bits = channels * depth
    stride = (width * bits + 7) // 8
    try:
        pixels = zlib.decompress(data)
    except zlib.error as exc:
        raise DataError("its image data is corrupt") from exc
    if len(pixels) < height * (stride + 1):
        raise DataError("its image data is truncated")
    rows = _unfilter(pixels, height, stride, max(1, bits // 8))
    if depth == 16:
        samples = rows.view(">u2").reshape(height, width, channels)
        image = (samples >> 8).astype(np.uint8)
    elif depth == 8:
        image = rows.reshape(height, width, channels)
    else:
        unpacked = np.unpackbits(rows, axis=1).reshape(height, -1, depth)
        weights = 1 << np.arange(depth - 1, -1, -1)
        values = (unpacked * weights).sum(axis=2)[:, :width]
        if color == 0:
            values = values * 255 // ((1 << depth) - 1)
        image = values.astype(np.uint8)[..., None]
    if color == 3:
        if palette is None:
            raise DataError("it uses a palette but has none")
        if int(image.max(initial=0)) >= len(palette):
            raise DataError("a pixel refers to a colour the palette does not have")
        image = palette[image[..., 0]]
    return image


def _png_chunks(raw: bytes) -> tuple[tuple[int, ...], np.ndarray | None, bytes]:
    pos = len(PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    palette = None
    data = bytearray()
    while True:
        if pos + 8 > len(raw):
            raise DataError("the file is truncated")
        length, kind = struct.unpack(">I4s", raw[pos : pos + 8])
        body = raw[pos + 8 : pos + 8 + length]
        crc = raw[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise DataError("the file is truncated")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise DataError(f"its {kind.decode('latin-1')} chunk is corrupt")
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            data += body
        elif kind == b"IEND":
            break
    if header is None or not data:
        raise DataError("it has no image header or no image data")
    return header, palette, bytes(data)


def _unfilter(pixels: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    """Undo the per-row PNG filters; returns uint8 ``(height, stride)``."""
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        kind = pixels[start]
        row = np.frombuffer(pixels, np.uint8, stride, start + 1)
        if kind == 0:
            current = row.copy()
        elif kind == 1:
            current = _undo_sub(row, bpp)
        elif kind == 2:
            current = row + previous
        elif kind in (3, 4):
            current = _undo_sequential(row, previous, bpp, kind)
        else:
            raise DataError(f"row {y} uses an unknown filter {kind}")
        out[y] = current
        previous = current
    return out


def _undo_sub(row: np.ndarray, bpp: int) -> np.ndarray:
    padded = np.zeros(-(-len(row) // bpp) * bpp, dtype=np.int64)
    padded[: len(row)] = row
    summed = np.cumsum(padded.reshape(-1, bpp), axis=0) % 256
    return summed.reshape(-1)[: len(row)].astype(np.uint8)


def _undo_sequential(row: np.ndarray, previous: np.ndarray, bpp: int, kind: int) -> np.ndarray:
    """Average (3) and Paeth (4): each byte depends on the one just decoded."""
    line = bytearray(row.tobytes())
    above = previous.tobytes()
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = above[i]
        if kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            continue
        corner = above[i - bpp] if i >= bpp else 0
        estimate = left + up - corner
        pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
        pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
        line[i] = (line[i] + pred) & 0xFF
    return np.frombuffer(bytes(line), np.uint8)


# ------------------------------------------------------------------ conversion
def to_color_mode(image: np.ndarray, mode: str) -> np.ndarray:
    """uint8 image -> ``"grayscale"`` (1 channel) or ``"rgb"`` (3); alpha is dropped."""
    channels = image.shape[2]
    color = image[..., :3] if channels >= 3 else image[..., :1]
    if mode == "rgb":
        return np.repeat(color, 3, axis=2) if color.shape[2] == 1 else color
    if color.shape[2] == 1:
        return color
    luma = color.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(np.rint(luma), 0, 255).astype(np.uint8)[..., None]


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of ``(h, w, c)`` to ``size`` = (height, width), float32 out.

    When shrinking by more than 2x, the image is first averaged over whole blocks so that
    fine detail does not alias.
    """
    image = image.astype(np.float32)
    height, width = size
    fy, fx = image.shape[0] // (2 * height), image.shape[1] // (2 * width)
    if fy > 1 or fx > 1:
        fy, fx = max(fy, 1), max(fx, 1)
        h, w = image.shape[0] // fy * fy, image.shape[1] // fx * fx
        image = image[:h, :w].reshape(h // fy, fy, w // fx, fx, -1).mean(axis=(1, 3))
    if image.shape[:2] == (height, width):
        return image
    ys = _sample_points(image.shape[0], height)
    xs = _sample_points(image.shape[1], width)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, image.shape[0] - 1), np.minimum(x0 + 1, image.shape[1] - 1)
    wy, wx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - wx) + image[y0][:, x1] * wx
    bottom = image[y1][:, x0] * (1 - wx) + image[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy


def _sample_points(source: int, target: int) -> np.ndarray:
    """Half-pixel-centred sample positions, clamped to the image."""
    points = (np.arange(target) + 0.5) * source / target - 0.5
    return np.clip(points, 0, source - 1)
