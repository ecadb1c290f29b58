"""Image files: formats, colour modes, resizing and damaged files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from guibuilder.data import DataError
from guibuilder.data.images import load_image

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".gif"])
def test_lossless_formats_read_back_exactly(tmp_path, suffix):
    image = RNG.integers(0, 256, (5, 3, 3), dtype=np.uint8)
    path = tmp_path / f"small{suffix}"
    Image.fromarray(image).save(path)
    loaded = load_image(path, (5, 3), "rgb")
    if suffix == ".gif":  # a palette format: colours are quantised
        assert loaded.shape == (5, 3, 3)
    else:
        np.testing.assert_allclose(loaded, image / 255.0, atol=1e-6)


def test_colour_modes_give_one_or_three_channels(tmp_path):
    path = tmp_path / "red.png"
    Image.fromarray(np.full((4, 4, 4), [255, 0, 0, 128], np.uint8)).save(path)
    grey = load_image(path, (4, 4), "grayscale")
    assert grey.shape == (4, 4, 1)
    assert grey[0, 0, 0] == pytest.approx(76 / 255, abs=1 / 255)  # ITU-R 601 luma of red
    assert load_image(path, (4, 4), "rgb")[0, 0].tolist() == [1.0, 0.0, 0.0]


def test_resize_keeps_flat_images_and_orders_ramps(tmp_path):
    flat = tmp_path / "flat.png"
    Image.fromarray(np.full((40, 30, 3), 200, np.uint8)).save(flat)
    out = load_image(flat, (8, 6), "rgb")
    assert out.shape == (8, 6, 3) and np.allclose(out, 200 / 255)
    ramp = tmp_path / "ramp.png"
    Image.fromarray(np.tile(np.arange(4, dtype=np.uint8)[None, :] * 60, (4, 1))).save(ramp)
    row = load_image(ramp, (4, 8), "grayscale")[0, :, 0]
    assert row.shape == (8,) and (np.diff(row) >= 0).all()


@pytest.mark.parametrize(
    "content", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"\xff\xd8\xff\xe0 not a jpeg"]
)
def test_damaged_images_name_the_file(tmp_path, content):
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_image(path, (4, 4), "rgb")
    assert str(path) in str(caught.value) and "not a readable image" in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"missing\.png does not exist"):
        load_image(tmp_path / "missing.png", (4, 4), "rgb")
