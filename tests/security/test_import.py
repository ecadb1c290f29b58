"""Importing a Keras model keeps to the same allowlist as opening a project: a model file
that names a SavedModel loader runs nothing, and a layer the list does not hold is refused
at import, not when the saved project is opened again."""

from __future__ import annotations

import json
import zipfile

import pytest

from guibuilder.compiler.importer import graph_from_keras, import_model
from guibuilder.compiler.layers import load_keras
from guibuilder.errors import GuibuilderError, UnsafeModelError


def _tiny(keras):
    x = keras.Input((2,), dtype="int32", name="x")
    return keras.Model(x, keras.layers.IntegerLookup(vocabulary=[1, 2, 3], name="lookup")(x))


def test_a_layer_outside_the_list_is_refused_at_import(tmp_path):
    keras = load_keras()
    model = _tiny(keras)
    with pytest.raises(UnsafeModelError, match=r"'keras\.layers\.IntegerLookup'"):
        graph_from_keras(model)
    model.save(tmp_path / "lookup.keras")
    with pytest.raises(GuibuilderError, match=r"layer 'lookup' .*IntegerLookup"):
        import_model(tmp_path / "lookup.keras")


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
