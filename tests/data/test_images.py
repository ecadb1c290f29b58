"""Image decoding (the PNG reader that needs no Pillow), colour modes and resizing."""

from __future__ import annotations

import importlib.util
import struct

import numpy as np
import pytest

from guibuilder.data import DataError, images
from guibuilder.data.images import decode_png, read_image, resize, to_color_mode
from tests.data.pngs import png_bytes, write_png

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("filters", [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)])
def test_png_decodes_every_filter_and_colour_type(channels, filters):
    image = RNG.integers(0, 256, (7, 5, channels), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(png_bytes(image, filters=filters)), image)


def test_png_sixteen_bit_keeps_the_high_byte():
    image = RNG.integers(0, 65536, (4, 6, 3), dtype=np.uint16)
    decoded = decode_png(png_bytes(image, depth=16, filters=(4, 1)))
    np.testing.assert_array_equal(decoded, (image >> 8).astype(np.uint8))


def test_png_palette_is_looked_up():
    palette = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], dtype=np.uint8)
    indices = RNG.integers(0, 3, (5, 4, 1), dtype=np.uint8)
    decoded = decode_png(png_bytes(indices, palette=palette))
    np.testing.assert_array_equal(decoded, palette[indices[..., 0]])


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda b: b[:40], "truncated"),
        (lambda b: b[:30] + bytes([b[30] ^ 0xFF]) + b[31:], "corrupt"),
    ],
)
def test_broken_images_name_the_file(tmp_path, mangle, words):
    raw = png_bytes(np.zeros((8, 8, 3), np.uint8))
    path = tmp_path / "broken.png"
    path.write_bytes(mangle(raw))
    with pytest.raises(DataError) as caught:
        read_image(path)
    assert str(path) in str(caught.value)
    assert words in str(caught.value) or "readable" in str(caught.value)


def test_other_formats_without_pillow_or_tensorflow_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "_with_pillow", lambda raw: None)
    monkeypatch.setattr(images, "_with_tensorflow", lambda raw: None)
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    with pytest.raises(DataError, match=r"photo\.jpg is not a PNG file.*pip install pillow"):
        read_image(path)


def bmp_bytes(image: np.ndarray) -> bytes:
    """A 24-bit uncompressed BMP: bottom-up BGR rows padded to 4 bytes."""
    height, width, _ = image.shape
    row_size = (width * 3 + 3) // 4 * 4
    rows = b"".join(
        image[y, :, ::-1].tobytes().ljust(row_size, b"\0") for y in range(height - 1, -1, -1)
    )
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + len(rows), 0, 0, 54) + info + rows


def test_a_bmp_is_read_by_pillow_or_tensorflow(tmp_path):
    if importlib.util.find_spec("PIL") is None and importlib.util.find_spec("tensorflow") is None:
        pytest.skip("neither Pillow nor TensorFlow is installed")
    image = RNG.integers(0, 256, (5, 3, 3), dtype=np.uint8)
    path = tmp_path / "small.bmp"
    path.write_bytes(bmp_bytes(image))
    np.testing.assert_array_equal(read_image(path), image)


def test_read_image_always_has_a_channel_axis(tmp_path):
    path = write_png(tmp_path / "grey.png", np.full((3, 4, 1), 9, np.uint8))
    assert read_image(path).shape == (3, 4, 1)


def test_colour_modes():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0] = 255
    assert to_color_mode(rgba, "rgb").shape == (2, 2, 3)
    grey = to_color_mode(rgba, "grayscale")
    assert grey.shape == (2, 2, 1) and grey[0, 0, 0] == 76  # 0.299 * 255
    assert to_color_mode(grey, "rgb").tolist() == np.repeat(grey, 3, axis=2).tolist()


def test_resize_keeps_constant_images_and_scales_shapes():
    flat = np.full((40, 30, 3), 200, np.uint8)
    out = resize(flat, (8, 6))
    assert out.shape == (8, 6, 3) and np.allclose(out, 200)
    ramp = np.tile(np.arange(4, dtype=np.uint8)[None, :, None] * 60, (4, 1, 1))
    up = resize(ramp, (4, 8))[0, :, 0]
    assert up.shape == (8,) and (np.diff(up) >= 0).all()
    assert up[0] == 0 and up[-1] == 180
