"""Hostile data files: each is refused by ``guibuilder train --dataset FILE`` with one
sentence naming the file, exit 2, before the program allocates what the file claims.

The files are a few bytes on disk; what they declare (an image of ten billion pixels, an
array of a trillion floats) is what a careless reader would allocate.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from guibuilder.data import DataError, load_dataset
from guibuilder.data.images import MAX_PIXELS, load_image
from tests.fuzz.hostile_inputs import npy_header, png_header_only
from tests.security.limited_cli import assert_refused, run_limited
from tests.subprocesses import ROOT

DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"


def _train(data: Path, *expected: str) -> str:
    return assert_refused(run_limited("train", str(DEMO), "--dataset", str(data)), *expected)


def _png(path: Path, width: int, height: int) -> Path:
    """A PNG whose header declares ``width`` x ``height`` grey pixels; its data is tiny."""
    path.write_bytes(png_header_only(width, height))
    return path


def _image_folder(root: Path, bomb: Path) -> Path:
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        _png(root / name / "fine.png", 4, 4)
    bomb.rename(root / "b" / bomb.name)
    return root


# ------------------------------------------------------------------ images
def test_a_decompression_bomb_image_is_refused(tmp_path):
    bomb = _png(tmp_path / "bomb.png", 100_000, 100_000)
    assert bomb.stat().st_size < 200
    folder = _image_folder(tmp_path / "images", bomb)
    _train(folder, "bomb.png is refused", "decompression bomb")


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path):
    path = _png(tmp_path / "large.png", 9000, 9000)  # below Pillow's own limit
    assert MAX_PIXELS < 9000 * 9000
    with pytest.raises(DataError, match=r"large\.png is refused: it declares 9,000 x 9,000 pixels"):
        load_image(path, (8, 8), "grayscale")


def test_an_image_just_below_the_limit_is_read(tmp_path):
    path = tmp_path / "fine.png"
    from PIL import Image

    Image.new("L", (64, 48), 255).save(path)
    assert load_image(path, (4, 4), "grayscale").shape == (4, 4, 1)


# ------------------------------------------------------------------ npy / npz
def test_an_npy_header_that_claims_terabytes_is_refused(tmp_path):
    path = tmp_path / "huge.npy"
    path.write_bytes(npy_header((10**12, 2)) + b"\0" * 64)
    _train(path, "huge.npy is refused", "shape (1000000000000, 2)", "holds only")


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_an_npy_header_that_numpy_cannot_parse_is_one_sentence(tmp_path, suffix):
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    damaged = bytearray(buffer.getvalue())
    damaged[10] = ord("'")  # an unclosed string: numpy's header parser raises TokenError
    path = tmp_path / f"x{suffix}"
    path.write_bytes(bytes(damaged))
    with pytest.raises(DataError, match=r"x\.np[yz] is not a valid NP[YZ] file") as refused:
        load_dataset(str(path))
    assert "\n" not in str(refused.value)


def test_a_header_of_thousands_of_axes_is_refused_in_a_short_sentence(tmp_path):
    path = tmp_path / "axes.npy"
    path.write_bytes(npy_header((2,) * 3000) + b"\0" * 64)
    with pytest.raises(DataError, match=r"shape \(2, 2, .*\.\.\. \(3000 axes\)") as refused:
        load_dataset(str(path))
    assert len(str(refused.value)) < 300


def test_a_single_array_named_npz_that_claims_terabytes_is_refused(tmp_path):
    path = tmp_path / "single.npz"
    path.write_bytes(npy_header((10**12,)) + b"\0" * 64)
    with pytest.raises(DataError, match=r"single\.npz is refused: its header declares"):
        load_dataset(str(path))


def test_an_npz_member_that_claims_terabytes_is_refused(tmp_path):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.npy", npy_header((10**12,)) + b"\0" * 64)
        archive.writestr("y.npy", npy_header((4,), "<i8") + b"\0" * 32)
    _train(path, "'x.npy' in", "huge.npz is refused")


def test_an_honest_array_larger_than_memory_is_refused(tmp_path, monkeypatch):
    from guibuilder.data import files

    path = tmp_path / "big.npy"
    np.save(path, np.zeros((100, 3), "f4"))
    monkeypatch.setattr(files, "available_memory", lambda: 1000)
    with pytest.raises(DataError, match=r"big\.npy is refused: reading its array .* more than"):
        load_dataset(str(path))


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        ({"x": np.float32(3.0), "y": np.arange(4)}, "there is a single number in 'x'"),
        ({"x": np.zeros((0, 3)), "y": np.zeros(0)}, "there are no samples in 'x'"),
        ({"x": np.zeros((4, 3)), "y": np.int64(1)}, "there is a single number in the labels 'y'"),
        ({"x": np.zeros((4, 0)), "y": np.arange(4)}, "there are no samples in 'x'"),
    ],
)
def test_empty_and_zero_dimensional_arrays_are_refused(tmp_path, arrays, expected):
    path = tmp_path / "odd.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=expected):
        load_dataset(str(path))


def test_an_empty_npy_is_refused_through_the_cli(tmp_path):
    path = tmp_path / "empty.npy"
    np.save(path, np.zeros((0, 3), "f4"))
    _train(path, "there are no samples in empty.npy")


def test_a_csv_larger_than_memory_allows_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from guibuilder.data import files

    path = tmp_path / "table.csv"
    path.write_text("a,b\n" + "1,0\n2,1\n" * 50)
    monkeypatch.setattr(files, "available_memory", lambda: 1000)
    with pytest.raises(DataError, match=r"table\.csv is refused: reading it as a table needs"):
        load_dataset(str(path))
    monkeypatch.setattr(files, "available_memory", lambda: 10**6)
    assert load_dataset(str(path)).x_train.shape[1] == 1
