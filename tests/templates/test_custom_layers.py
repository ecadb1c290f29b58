"""guibuilder's own Keras layers: catalog shape rules, save/load in plain Keras, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from guibuilder import catalog
from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import import_model
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.errors import UnsafeModelError
from guibuilder.graph import Graph
from guibuilder.templates import get_template

ROOT = Path(__file__).parents[2]


def _token_graph(steps: int = 5, dim: int = 4, index: int = 0) -> Graph:
    graph = Graph("tokens")
    graph.add_node("Input", {"shape": [steps, dim]}, node_id="x")
    graph.add_node("ClassToken", node_id="token")
    graph.add_node("PositionEmbedding", node_id="position")
    graph.add_node("SelectToken", {"index": index}, node_id="pick")
    graph.connect("x", "token")
    graph.connect("token", "position")
    graph.connect("position", "pick")
    return graph


@pytest.mark.parametrize(("steps", "dim", "index"), [(5, 4, 0), (1, 7, -1), (9, 3, 4)])
def test_shape_rules_agree_with_keras(steps: int, dim: int, index: int) -> None:
    graph = _token_graph(steps, dim, index)
    rules = infer_shapes(graph, use_keras=False)
    model = build_model(graph)
    for node_id in ("token", "position", "pick"):
        layer = model.get_layer(node_id)
        assert rules[node_id].error is None
        assert rules[node_id].outputs == (tuple(layer.output.shape),)
        assert rules[node_id].params == layer.count_params()
    assert sum(info.params for info in rules.values()) == model.count_params()


def test_shape_rules_explain_bad_inputs() -> None:
    graph = Graph("bad")
    graph.add_node("Input", {"shape": [8, 8, 1]}, node_id="image")
    graph.add_node("PositionEmbedding", node_id="position")
    graph.connect("image", "position")
    graph.add_node("Input", {"shape": [3, 2]}, node_id="seq")
    graph.add_node("SelectToken", {"index": 3}, node_id="pick")
    graph.connect("seq", "pick")
    infos = infer_shapes(graph, use_keras=False)
    assert "sequence" in infos["position"].error and "(8, 8, 1)" in infos["position"].error
    assert "index 3" in infos["pick"].error and "3 steps" in infos["pick"].error


def test_custom_specs_name_their_module() -> None:
    from guibuilder import keras_layers

    custom = [s for s in catalog.all_specs() if s.keras_module]
    assert {s.keras_class for s in custom} == set(keras_layers.CLASS_NAMES)
    for spec in custom:
        assert spec.keras_module == "guibuilder.keras_layers"
        assert catalog.by_keras_class(spec.keras_class) is spec


@pytest.fixture(scope="module")
def vit_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    model = build_model(get_template("vit-mini").build())
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
    path = tmp_path_factory.mktemp("vit") / "vit.keras"
    model.save(path)
    return path, x, np.asarray(model(x))


def test_saved_model_loads_in_plain_keras_in_safe_mode(vit_file, tmp_path: Path) -> None:
    path, x, expected = vit_file
    np.save(tmp_path / "x.npy", x)
    script = (
        "import sys, numpy as np, keras, guibuilder.keras_layers\n"
        "model = keras.saving.load_model(sys.argv[1], safe_mode=True)\n"
        "np.save(sys.argv[3], np.asarray(model(np.load(sys.argv[2]))))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path / "x.npy"), str(tmp_path / "y")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-5, atol=1e-6)


def test_importer_rebuilds_custom_layers_as_catalog_nodes(vit_file) -> None:
    path, x, expected = vit_file
    graph, weights = import_model(path)
    types = {node.type_id for node in graph}
    assert {"ClassToken", "PositionEmbedding", "SelectToken"} <= types
    assert "KerasLayer" not in types
    model = build_model(graph, weights)
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-5, atol=1e-6)


def _with_config(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(data)
                change(config)
                data = json.dumps(config).encode()
            zout.writestr(item, data)
    return target


def _layer(config: dict, class_name: str) -> dict:
    return next(e for e in config["config"]["layers"] if e["class_name"] == class_name)


def test_other_classes_of_foreign_modules_are_still_refused(vit_file, tmp_path: Path) -> None:
    path = vit_file[0]

    def foreign(config: dict) -> None:
        _layer(config, "SelectToken")["module"] = "guibuilder.evil"

    def unknown_class(config: dict) -> None:
        _layer(config, "SelectToken")["class_name"] = "Graph"

    for change, needle in ((foreign, "guibuilder.evil"), (unknown_class, "'Graph'")):
        bad = _with_config(path, tmp_path / "bad.keras", change)
        with pytest.raises(UnsafeModelError, match=needle):
            import_model(bad)


def test_lambda_is_still_refused(vit_file, tmp_path: Path) -> None:
    def to_lambda(config: dict) -> None:
        entry = _layer(config, "SelectToken")
        entry.update(module="keras.layers", class_name="Lambda", registered_name=None)

    bad = _with_config(vit_file[0], tmp_path / "lambda.keras", to_lambda)
    with pytest.raises(UnsafeModelError, match="Lambda"):
        import_model(bad)
