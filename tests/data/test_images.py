"""Image decoding (the PNG reader that needs no Pillow), colour modes and resizing."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder.data import DataError
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
        (lambda b: b"GIF89a" + b[6:], "not a PNG file"),
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
