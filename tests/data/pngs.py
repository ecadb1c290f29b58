"""A tiny PNG writer for tests: every filter type, grey, RGB(A), palette and 16-bit files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _filter(row: bytes, prior: bytes, bpp: int, kind: int) -> bytes:
    out = bytearray()
    for i, value in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]
        out.append((value - predictor) % 256)
    return bytes([kind]) + bytes(out)


def png_bytes(
    image: np.ndarray,
    *,
    filters: tuple[int, ...] = (0, 1, 2, 3, 4),
    depth: int = 8,
    palette: np.ndarray | None = None,
) -> bytes:
    """Encode ``image`` (h, w, c) uint8 (or uint16 with ``depth=16``); rows cycle ``filters``.

    With ``palette`` the image holds (h, w, 1) indices into it (colour type 3).
    """
    height, width, channels = image.shape
    color = 3 if palette is not None else COLOR_TYPES[channels]
    dtype = ">u2" if depth == 16 else np.uint8
    rows = image.astype(dtype).reshape(height, -1)
    bpp = max(1, channels * depth // 8)
    prior = bytes(rows.shape[1] * rows.itemsize)
    raw = bytearray()
    for y in range(height):
        row = rows[y].tobytes()
        raw += _filter(row, prior, bpp, filters[y % len(filters)])
        prior = row
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    body = _chunk(b"IHDR", header)
    if palette is not None:
        body += _chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    compressed = zlib.compress(bytes(raw))
    half = len(compressed) // 2  # two IDAT chunks, as real encoders often write
    body += _chunk(b"IDAT", compressed[:half]) + _chunk(b"IDAT", compressed[half:])
    return b"\x89PNG\r\n\x1a\n" + body + _chunk(b"IEND", b"")


def write_png(path: Path, image: np.ndarray, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(image, **kwargs))
    return path
