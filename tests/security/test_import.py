"""Importing a Keras model keeps to the same allowlist as opening a project: a model file
that names a SavedModel loader runs nothing, and a layer the list does not hold is refused
at import, not when the saved project is opened again."""

from __future__ import annotations

import json
import zipfile

import pytest

from guibuilder.compiler.importer import import_model
from guibuilder.compiler.layers import load_keras
from guibuilder.errors import GuibuilderError


def _lookup(keras, vocabulary):
    x = keras.Input((2,), dtype="int32", name="x")
    layer = keras.layers.IntegerLookup(vocabulary=vocabulary, name="lookup")
    return keras.Model(x, layer(x))


def test_a_lookup_layer_with_its_vocabulary_imports_and_rebuilds(tmp_path):
    from guibuilder.compiler.build import build_model

    keras = load_keras()
    model = _lookup(keras, [1, 2, 3])
    model.save(tmp_path / "lookup.keras")
    graph, _ = import_model(tmp_path / "lookup.keras")
    rebuilt = build_model(graph)
    sample = keras.ops.convert_to_tensor([[1, 3], [2, 7]], dtype="int32")
    assert keras.ops.convert_to_numpy(rebuilt(sample)).tolist() == [[1, 3], [2, 0]]


def test_a_lookup_layer_that_names_a_vocabulary_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("1\n2\n")
    keras = load_keras()
    model = _lookup(keras, [1, 2, 3])
    model.save(tmp_path / "plain.keras")
    with zipfile.ZipFile(tmp_path / "plain.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    layer = next(e for e in config["config"]["layers"] if e["name"] == "lookup")
    layer["config"]["vocabulary"] = str(secret)
    members["config.json"] = json.dumps(config).encode()
    hostile = tmp_path / "hostile.keras"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(GuibuilderError, match=r"IntegerLookup.*vocabulary"):
        import_model(hostile)


def test_a_model_file_naming_a_savedmodel_runs_nothing(tmp_path, trap, markers):
    keras = load_keras()
    x = keras.Input((2,), name="x")
    keras.Model(x, keras.layers.Identity(name="same")(x)).save(tmp_path / "plain.keras")
    with zipfile.ZipFile(tmp_path / "plain.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    layer = next(e for e in config["config"]["layers"] if e["name"] == "same")
    layer.update(class_name="TFSMLayer")
    layer["config"].update(filepath=str(trap[0]), call_endpoint="serve")
    members["config.json"] = json.dumps(config).encode()
    hostile = tmp_path / "hostile.keras"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(GuibuilderError):
        import_model(hostile)
