"""The generated Python script stands alone and builds the project's model.

Every script is written here and run in ONE fresh subprocess that has no guibuilder on its
path: it imports each script, calls ``build_model()`` and reports each layer's config and the
parameter count, which must equal those of the model guibuilder builds from the graph.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import graph_from_keras
from guibuilder.compiler.layers import load_keras
from guibuilder.data import load_dataset
from guibuilder.export.codegen import model_code, python_script
from guibuilder.graph import Graph
from guibuilder.templates import get_template
from guibuilder.training.config import TrainConfig
from tests.export.custom_layers import Scale

TEMPLATES = ("vit-mini", "inception-mini", "siamese")

#: Runs in the subprocess: import each script by path, describe its build_model(), and run
#: the scripts named in TRAIN as ``__main__`` (their data loading and training code).
CHECKER = textwrap.dedent(
    """
    import importlib.util, json, runpy, sys
    import keras

    def describe(model):
        layers = {l.name: keras.saving.serialize_keras_object(l)["config"] for l in model.layers}
        return {"params": model.count_params(), "layers": layers, "name": model.name}

    report = {}
    for path in sys.argv[2:]:
        spec = importlib.util.spec_from_file_location("generated", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        report[path] = describe(module.build_model())
    for path in json.loads(sys.argv[1]):
        runpy.run_path(path, run_name="__main__")
    report["guibuilder_loaded"] = any(m.startswith("guibuilder") for m in sys.modules)
    print("REPORT " + json.dumps(report, default=str))
    """
)


def _strip_names(value):
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list | tuple):
        return [_strip_names(v) for v in value]
    return value


def _describe(model) -> dict:
    keras = load_keras()
    layers = {
        layer.name: keras.saving.serialize_keras_object(layer)["config"] for layer in model.layers
    }
    return json.loads(
        json.dumps(
            {"params": model.count_params(), "layers": layers, "name": model.name}, default=str
        )
    )


# ------------------------------------------------------------------ models
def _lenet_graph() -> Graph:
    """A template-like graph made node by node, as the palette makes it."""
    graph = Graph(name="lenet")
    specs = [
        ("image", "Input", {"shape": [28, 28, 1]}),
        ("conv1", "Conv2D", {"filters": 6, "kernel_size": [5, 5], "activation": "tanh"}),
        ("pool1", "AveragePooling2D", {}),
        ("conv2", "Conv2D", {"filters": 16, "kernel_size": [5, 5], "activation": "tanh"}),
        ("norm", "BatchNormalization", {}),
        ("pool2", "MaxPooling2D", {}),
        ("flat", "Flatten", {}),
        ("fc1", "Dense", {"units": 120, "activation": "tanh"}),
        ("drop", "Dropout", {"rate": 0.25}),
        ("fc2", "Dense", {"units": 10}),
    ]
    previous = None
    for node_id, type_id, params in specs:
        graph.add_node(type_id, params, node_id=node_id, trainable=node_id != "conv1")
        if previous:
            graph.connect(previous, node_id)
        previous = node_id
    return graph


def _keras_models(keras) -> dict:
    layers = keras.layers
    models = {}

    x = keras.Input((6, 16), name="tokens")
    attended = layers.MultiHeadAttention(2, 8, name="mha")(x, x, use_causal_mask=True)
    normed = layers.LayerNormalization(name="norm")(layers.Add(name="residual")([x, attended]))
    hidden = layers.Dense(16, activation="gelu", name="ffn")(normed)
    pooled = layers.GlobalAveragePooling1D(name="pool")(hidden)
    out = layers.Dense(3, activation="softmax", name="head")(pooled)
    models["attention"] = keras.Model(x, out, name="transformer")

    left, right = keras.Input((5,), name="left"), keras.Input((5,), name="right")
    encoder = layers.Dense(4, activation="tanh", name="encoder")
    difference = layers.Subtract(name="difference")([encoder(left), encoder(right)])
    same = layers.Dense(1, activation="sigmoid", name="same")(difference)
    models["siamese"] = keras.Model([left, right], same, name="siamese")

    tokens = keras.Input((7,), dtype="int32", name="tokens")
    embedded = layers.Embedding(20, 8, mask_zero=True, name="embed")(tokens)
    both = layers.Bidirectional(layers.LSTM(5, return_sequences=True), name="bi")(embedded)
    seq, state = layers.GRU(4, return_sequences=True, return_state=True, name="gru")(both)
    simple = layers.SimpleRNN(3, name="simple")(seq)
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(embedded)
    decoded = layers.LSTM(6, name="decoder")(embedded, initial_state=[h, c])
    joined = layers.Concatenate(name="joined")([simple, state, decoded])
    models["rnns"] = keras.Model(tokens, [joined, seq], name="rnns")

    image, extra = keras.Input((8, 8, 1), name="image"), keras.Input((3,), name="extra")
    conv = layers.Conv2D(4, 3, activation="relu", kernel_regularizer="l2", name="conv")(image)
    merged = layers.Concatenate(name="merged")([layers.Flatten(name="flat")(conv), extra])
    score = layers.Dense(1, name="score")(merged)
    label = layers.Dense(4, activation="softmax", name="label")(merged)
    models["multi"] = keras.Model([image, extra], [label, score], name="multi")

    models["sequential"] = keras.Sequential(
        [
            keras.Input((10, 10, 2)),
            layers.Conv2D(3, 3, padding="same", name="conv"),
            layers.BatchNormalization(momentum=0.9, name="bn"),
            layers.MaxPooling2D(name="pool"),
            layers.Flatten(name="flat"),
            layers.Dropout(0.3, name="drop"),
            layers.Dense(2, name="out"),
        ],
        name="plain",
    )

    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    mixed = keras.ops.add(keras.ops.multiply(a, 2.0), b)
    wide = layers.Dense(3, dtype="float64", name="wide")(
        layers.UnitNormalization(name="unit")(mixed)
    )
    models["ops"] = keras.Model([a, b], wide, name="ops")

    inputs = keras.Input((3,), name="features")
    scaled = Scale(start=0.5, name="scaled")(inputs)
    models["custom"] = keras.Model(inputs, layers.Dense(2, name="out")(scaled), name="custom")

    models["mobilenet"] = keras.applications.MobileNetV2(
        weights=None, input_shape=(32, 32, 3), classes=10, alpha=0.35
    )
    return models


@pytest.fixture(scope="module")
def keras():
    return load_keras()


def _run_checker(tmp_path: Path, scripts: list[Path], train: list[Path]) -> dict:
    checker = tmp_path / "checker.py"
    checker.write_text(CHECKER)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-I", str(checker), json.dumps([str(p) for p in train])]
        + [str(p) for p in scripts],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def test_generated_scripts_build_the_same_models(keras, tmp_path):
    graphs = {"lenet": _lenet_graph()}
    # Templates: custom layers (vit-mini), branches joined (inception-mini), shared weights.
    graphs.update({name: get_template(name).graph() for name in TEMPLATES})
    graphs.update({name: graph_from_keras(m) for name, m in _keras_models(keras).items()})
    expected, scripts = {}, []
    for name, graph in graphs.items():
        path = tmp_path / f"{name}.py"
        path.write_text(python_script(graph))
        scripts.append(path)
        expected[str(path)] = _describe(build_model(graph))

    spirals = _spirals_project_graph()
    data = load_dataset({"name": "spirals", "samples": 120})
    config = TrainConfig(epochs=2, batch_size=32, schedule="step", decay_every=1, seed=3)
    trained = tmp_path / "spirals.py"
    np_file = "spirals_data.npz"
    trained.write_text(python_script(spirals, config=config, dataset=data, data_file=np_file))
    _save_arrays(tmp_path / np_file, data)
    scripts.append(trained)
    expected[str(trained)] = _describe(build_model(spirals))

    report = _run_checker(tmp_path, scripts, train=[trained])
    assert report.pop("guibuilder_loaded") is False
    for path, want in expected.items():
        got = report[path]
        assert got["params"] == want["params"], path
        assert got["name"] == want["name"]
        assert list(got["layers"]) == list(want["layers"]), path  # layer names = node ids
        for layer_name, config in want["layers"].items():
            assert _strip_names(got["layers"][layer_name]) == _strip_names(config), (
                path,
                layer_name,
            )


def _spirals_project_graph() -> Graph:
    keras = load_keras()
    x = keras.Input((2,), name="points")
    h = keras.layers.Dense(16, activation="relu", name="hidden")(x)
    out = keras.layers.Dense(2, name="logits")(h)
    return graph_from_keras(keras.Model(x, out, name="spirals_net"))


def _save_arrays(path: Path, data) -> None:
    import numpy as np

    np.savez(path, x_train=data.x_train, y_train=data.y_train, x_val=data.x_val, y_val=data.y_val)


def test_code_reads_like_keras(keras):
    graph = graph_from_keras(_keras_models(keras)["siamese"])
    code = model_code(graph)
    lines = code.splitlines()
    # Defaults are left out; keyword arguments that differ are written.
    assert (
        "    difference = keras.layers.Subtract(name='difference')([encoder, encoder__2])" in lines
    )
    assert "kernel_initializer" not in code
    # The shared layer is made once and called twice.
    assert sum("keras.layers.Dense(units=4" in line for line in lines) == 1
    assert "    encoder = encoder_layer(left)" in lines
    assert "    encoder__2 = encoder_layer(right)" in lines
    assert "guibuilder" not in code


def test_frozen_and_odd_names(keras):
    x = keras.Input((3,), name="in put")
    frozen = keras.layers.Dense(4, name="class", trainable=False)(x)
    model = keras.Model(x, keras.layers.Dense(2, name="2nd")(frozen), name="odd")
    graph = graph_from_keras(model)
    code = model_code(graph)
    assert "trainable=False, name='class')(in_put)" in code
    second = next(node.id for node in graph if node.name == "2nd")
    assert f"keras.layers.Dense(units=2, name={second!r})(class_)" in code
    namespace: dict = {}
    exec(compile(code, "generated", "exec"), {"keras": keras}, namespace)
    built = namespace["build_model"]()
    assert not built.get_layer("class").trainable
    assert built.count_params() == model.count_params()


def test_custom_layers_are_copied_into_the_script(keras):
    graph = graph_from_keras(_keras_models(keras)["custom"])
    code = python_script(graph)
    assert code.count("class Scale(keras.layers.Layer):") == 1
    assert '@keras.saving.register_keras_serializable(package="codegen_tests")' in code
    assert "tests.export" not in code
    assert "    scaled = Scale(start=0.5, name='scaled')(features)" in code.splitlines()


def test_template_with_custom_layers_reads_well():
    lines = python_script(get_template("vit-mini").graph()).splitlines()
    assert "    input_ = keras.Input(shape=(8, 8, 1), name='input')" in lines  # not the builtin
    assert any(line.startswith("class PositionEmbedding(keras.layers.Layer):") for line in lines)
    assert not any(line.startswith(("from guibuilder", "import guibuilder")) for line in lines)


def test_generic_layers_use_deserialize(keras):
    graph = graph_from_keras(_keras_models(keras)["ops"])
    code = model_code(graph)
    assert "keras.layers.deserialize({" in code
    assert "keras.saving.deserialize_keras_object({" in code
