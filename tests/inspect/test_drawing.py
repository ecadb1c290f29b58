"""A drawing or an image file made to look like the data's samples (the Predict tab's work)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from guibuilder.inspect.drawing import PAD_SIZE, pad_to_input, read_image
from guibuilder.inspect.sample_input import ImageProfile, image_profile

DIGITS = ImageProfile((8, 8, 1), 0.0, 1.0, False, (0.0, 0.125))


def test_drawings_are_resampled_to_look_like_the_data():
    from guibuilder.data import load_dataset

    profile = image_profile(load_dataset({"name": "digits"}))
    assert profile.shape == (8, 8, 1)
    assert (profile.low, profile.high, profile.bright_background) == (0.0, 1.0, False)

    pad = np.zeros((PAD_SIZE, PAD_SIZE, 3), dtype="uint8")
    pad[20:60, 30:50] = 255  # a small bar in the top-left corner
    centred = pad_to_input(pad, DIGITS)[:, :, 0]
    assert centred.shape == (8, 8)
    rows = np.flatnonzero(centred.max(axis=1) > 0.5)
    assert rows[0] == 0 and rows[-1] == 7, "the drawing was not scaled to the data's height"
    assert centred[:, 3:5].mean() > 0.9 and centred[:, :2].max() == 0.0

    as_drawn = pad_to_input(pad, DIGITS, fit=False)[:, :, 0]
    assert as_drawn[1, 1] == pytest.approx(28 / 32 * 18 / 32)
    assert as_drawn[2:, :].max() == 0.0 and as_drawn[:, 2:].max() == 0.0

    corner = np.zeros((PAD_SIZE, PAD_SIZE, 3), dtype="uint8")
    corner[:64, :64] = 255
    paper = ImageProfile((8, 8), -1.0, 1.0, True, (0.0, 0.0))
    inverted = pad_to_input(corner, paper, fit=False)
    assert inverted.shape == (8, 8)
    assert np.allclose(inverted[:2, :2], -1.0) and np.allclose(inverted[2:, 2:], 1.0)

    colour = ImageProfile((4, 6, 3), 0.0, 255.0, False, (0.0, 0.0))
    red = np.zeros((PAD_SIZE, PAD_SIZE, 3), dtype="uint8")
    red[..., 0] = 255
    rgb = pad_to_input(red, colour)
    assert rgb.shape == (4, 6, 3)
    assert np.allclose(rgb[..., 0], 255.0) and np.allclose(rgb[..., 1:], 0.0)


def test_read_image_keeps_the_aspect_and_colour(tmp_path):
    wide = Image.new("RGB", (200, 100), (0, 0, 255))
    path = tmp_path / "wide.jpg"
    wide.save(path)
    colour = ImageProfile((32, 32, 3), 0.0, 1.0, False, (0.0, 0.0))
    pixels = read_image(path, colour)
    assert pixels.shape == (PAD_SIZE, PAD_SIZE, 3)
    assert pixels[PAD_SIZE // 2, PAD_SIZE // 2, 2] > 200
    assert pixels[5, PAD_SIZE // 2].max() < 10, "the wide image should be letterboxed"
