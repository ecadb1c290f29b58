"""The weight store: per-node arrays, an HDF5 file written atomically, clear errors."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from guibuilder.document.weights import WeightStore
from guibuilder.errors import FileFormatError


def _store() -> WeightStore:
    return WeightStore(
        {
            "dense": [np.arange(6, dtype="float32").reshape(2, 3), np.zeros(3, "float32")],
            "bn.1-x": [np.float32(2.5) * np.ones(()), np.array([1, 2], dtype="int64")],
            "empty": [np.zeros((0, 4), "float16")],
        }
    )


def test_access_and_edits():
    store = _store()
    assert len(store) == 3 and "dense" in store and "other" not in store
    assert store.get("missing") is None
    store.rename("dense", "renamed")
    assert "dense" not in store and store.get("renamed")[0].shape == (2, 3)
    removed = store.remove("renamed")
    assert len(removed) == 2 and len(store) == 2
    store.set("new", [[1.0, 2.0]])
    assert store.get("new")[0].shape == (2,)
    assert store.num_values() == 2 + 2 + 0 + 1


def test_file_round_trip(tmp_path):
    store = _store()
    path = tmp_path / "model.weights.h5"
    store.save(path)
    again = WeightStore.load(path)
    assert again.node_ids() == store.node_ids()
    for node_id in store:
        for a, b in zip(store.get(node_id), again.get(node_id), strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    with h5py.File(path) as f:
        assert sorted(f["dense"]) == ["0", "1"]


def test_save_replaces_atomically(tmp_path):
    path = tmp_path / "w.h5"
    _store().save(path)
    WeightStore({"only": [np.ones(2)]}).save(path)
    assert WeightStore.load(path).node_ids() == ["only"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.h5"]


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    _store().save(path)
    broken = WeightStore({"x": [np.ones(2)]})
    monkeypatch.setattr(broken, "_weights", {"x": [object()]})
    with pytest.raises(TypeError):
        broken.save(path)
    assert WeightStore.load(path).node_ids() == _store().node_ids()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.h5"]


def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        WeightStore.load(tmp_path / "none.h5")


@pytest.mark.parametrize("content", [b"", b"not hdf5 at all", b"\x89HDF\r\n\x1a\n" + b"\0" * 64])
def test_corrupt_file_names_the_file(tmp_path, content):
    path = tmp_path / "bad.weights.h5"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        WeightStore.load(path)
    assert "bad.weights.h5" in str(info.value) and "\n" not in str(info.value)


def test_truncated_file(tmp_path):
    path = tmp_path / "w.h5"
    WeightStore({"big": [np.ones((64, 64))]}).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=r"w\.h5"):
        WeightStore.load(path)


def test_foreign_hdf5_file(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2])
    with pytest.raises(FileFormatError, match="not a guibuilder weights file"):
        WeightStore.load(path)


def test_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.h5"
    _store().save(path)
    with h5py.File(path, "a") as f:
        f.attrs["version"] = 99
    with pytest.raises(FileFormatError, match="newer"):
        WeightStore.load(path)


def test_badly_numbered_arrays(tmp_path):
    path = tmp_path / "gaps.h5"
    _store().save(path)
    with h5py.File(path, "a") as f:
        f["dense"].move("1", "7")
    with pytest.raises(FileFormatError, match="'dense'"):
        WeightStore.load(path)


def test_same_weights_give_the_same_bytes(tmp_path):
    _store().save(tmp_path / "a.h5")
    WeightStore.load(tmp_path / "a.h5").save(tmp_path / "b.h5")
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()
