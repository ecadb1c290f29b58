"""Bad model files give one clear sentence, and a model whose loading would run code is
refused before any of its code runs."""

from __future__ import annotations

import json
import zipfile

import h5py
import pytest

from guibuilder.compiler.importer import import_model
from guibuilder.compiler.layers import load_keras
from guibuilder.errors import FileFormatError, UnsafeModelError


@pytest.fixture(scope="module")
def keras():
    return load_keras()


@pytest.fixture(scope="module")
def saved(keras, tmp_path_factory):
    """A small real model saved as .keras and as .h5."""
    folder = tmp_path_factory.mktemp("saved")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="d")(x), name="small")
    model.save(folder / "small.keras")
    model.save(folder / "small.h5")
    model.save_weights(folder / "small.weights.h5")
    return folder


def _refused(path, kind=FileFormatError) -> str:
    with pytest.raises(kind) as info:
        import_model(path)
    message = str(info.value)
    assert "\n" not in message and message
    return message


def test_missing_file(tmp_path):
    assert "does not exist" in _refused(tmp_path / "nothing.keras")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.keras"
    path.write_bytes(b"")
    assert "empty" in _refused(path)


def test_folder(tmp_path):
    (tmp_path / "model.keras").mkdir()
    assert "folder" in _refused(tmp_path / "model.keras")


def test_wrong_suffix(saved, tmp_path):
    path = tmp_path / "model.txt"
    path.write_bytes((saved / "small.keras").read_bytes())
    assert ".keras or .h5" in _refused(path)


def test_keras_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "binary.keras"
    path.write_bytes(bytes(range(256)) * 8)
    assert "zip" in _refused(path)


def test_keras_file_without_config(tmp_path):
    path = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", "{}")
    assert "config.json" in _refused(path)


def test_keras_file_with_broken_config(tmp_path):
    path = tmp_path / "broken.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{not json")
    assert "JSON" in _refused(path)


def test_truncated_keras_file(saved, tmp_path):
    data = (saved / "small.keras").read_bytes()
    path = tmp_path / "truncated.keras"
    path.write_bytes(data[: len(data) // 2])
    _refused(path)


def test_keras_file_with_damaged_weights(saved, tmp_path):
    path = tmp_path / "damaged.keras"
    with zipfile.ZipFile(saved / "small.keras") as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data[:100] if name.endswith(".h5") else data)
    assert "damaged.keras" in _refused(path)


def test_garbage_h5(tmp_path):
    path = tmp_path / "garbage.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 200)
    assert "HDF5" in _refused(path)


def test_truncated_h5(saved, tmp_path):
    data = (saved / "small.h5").read_bytes()
    path = tmp_path / "truncated.h5"
    path.write_bytes(data[: len(data) // 3])
    _refused(path)


def test_weights_only_h5(saved, tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes((saved / "small.weights.h5").read_bytes())
    assert "no model config" in _refused(path)


def _lambda_model(keras, marker):
    def touch(x):
        with open(marker, "w") as f:
            f.write("the Lambda ran")
        return x * 2.0

    x = keras.Input((3,), name="x")
    y = keras.layers.Lambda(lambda t: touch(t), name="sneaky")(x)
    return keras.Model(x, keras.layers.Dense(1)(y), name="with_lambda")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lambda_is_refused_and_never_runs(keras, tmp_path, suffix):
    marker = tmp_path / "ran.txt"
    model = _lambda_model(keras, marker)
    path = tmp_path / f"lambda{suffix}"
    model.save(path)
    marker.unlink(missing_ok=True)
    message = _refused(path, UnsafeModelError)
    assert "Lambda" in message and "sneaky" in message
    assert not marker.exists()


def test_foreign_module_is_refused(saved, tmp_path):
    with zipfile.ZipFile(saved / "small.keras") as source:
        config = json.loads(source.read("config.json"))
        files = {name: source.read(name) for name in source.namelist()}
    layer = config["config"]["layers"][1]
    layer["config"]["kernel_initializer"] = {
        "module": "os",
        "class_name": "function",
        "config": "system",
        "registered_name": None,
    }
    files["config.json"] = json.dumps(config).encode()
    path = tmp_path / "foreign.keras"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
    assert "'os'" in _refused(path, UnsafeModelError)


def test_subclassed_model_is_refused(keras):
    from guibuilder.compiler.importer import graph_from_keras

    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Custom()
    model(keras.ops.zeros((1, 3)))
    with pytest.raises(FileFormatError, match="subclassed"):
        graph_from_keras(model)


def test_h5_without_model_config_attribute_is_not_read_by_keras(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=[1, 2, 3])
    assert "no model config" in _refused(path)
