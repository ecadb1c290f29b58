"""Hand-written Keras models survive file -> graph -> model: same parameters, same layer
classes, same outputs with the imported weights."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder import catalog
from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import graph_from_keras, import_model
from guibuilder.compiler.layers import CALL_ARGS, load_keras
from guibuilder.document.weights import WeightStore
from tests.compiler.roundtrip import assert_same_model, round_trip


@pytest.fixture(scope="module")
def keras():
    return load_keras()


def test_attention_with_residual(keras, tmp_path):
    layers = keras.layers
    x = keras.Input((6, 16), name="tokens")
    attended = layers.MultiHeadAttention(2, 8, name="mha")(x, x, use_causal_mask=True)
    added = layers.Add(name="residual")([x, attended])
    normed = layers.LayerNormalization(name="norm")(added)
    hidden = layers.Dense(16, activation="gelu", name="ffn")(normed)
    pooled = layers.GlobalAveragePooling1D(name="pool")(hidden)
    out = layers.Dense(3, activation="softmax", name="head")(pooled)
    model = keras.Model(x, out, name="transformer")
    graph, _ = round_trip(model, tmp_path)
    mha = graph.node("mha")
    assert mha.call_kwargs.get("use_causal_mask") is True
    assert {e.source for e in graph.in_edges("residual")} == {"tokens", "mha"}
    assert [e.slot for e in graph.in_edges("residual")] == [0, 1]


def test_shared_layers_siamese(keras, tmp_path):
    layers = keras.layers
    left = keras.Input((5,), name="left")
    right = keras.Input((5,), name="right")
    encoder = layers.Dense(4, activation="tanh", name="encoder")
    a, b = encoder(left), encoder(right)
    difference = layers.Subtract(name="difference")([a, b])
    out = layers.Dense(1, activation="sigmoid", name="same")(difference)
    model = keras.Model([left, right], out, name="siamese")
    graph, rebuilt = round_trip(model, tmp_path)
    assert graph.node("encoder__2").shares == "encoder"
    assert graph.input_nodes() == ["left", "right"]
    assert len([layer for layer in rebuilt.layers if layer.name.startswith("encoder")]) == 1


def test_recurrent_layers(keras, tmp_path):
    layers = keras.layers
    tokens = keras.Input((7,), dtype="int32", name="tokens")
    embedded = layers.Embedding(20, 8, mask_zero=True, name="embed")(tokens)
    both = layers.Bidirectional(layers.LSTM(5, return_sequences=True), name="bi")(embedded)
    seq, state = layers.GRU(4, return_sequences=True, return_state=True, name="gru")(both)
    simple = layers.SimpleRNN(3, name="simple")(seq)
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(embedded)
    decoded = layers.LSTM(6, name="decoder")(embedded, initial_state=[h, c])
    out = layers.Concatenate(name="joined")([simple, state, decoded])
    model = keras.Model(tokens, [out, seq], name="rnns")
    graph, _ = round_trip(model, tmp_path)
    outputs_used = {(e.source, e.output) for e in graph.in_edges("joined")}
    assert ("gru", 1) in outputs_used
    # The mask Keras passed along by itself is not kept: the rebuilt model derives it again.
    assert "mask" not in graph.node("gru").call_kwargs
    generic = [n.params["class_name"] for n in graph if n.type_id == "KerasLayer"]
    assert "NotEqual" not in generic
    if catalog.has("GRU"):
        assert graph.node("gru").type_id == "GRU"
    assert CALL_ARGS in graph.node("decoder").call_kwargs  # initial_state is spelled out


def test_several_inputs_and_outputs(keras, tmp_path):
    layers = keras.layers
    image = keras.Input((8, 8, 1), name="image")
    extra = keras.Input((3,), name="extra")
    conv = layers.Conv2D(4, 3, activation="relu", name="conv")(image)
    flat = layers.Flatten(name="flat")(conv)
    joined = layers.Concatenate(name="joined")([flat, extra])
    score = layers.Dense(1, name="score")(joined)
    label = layers.Dense(4, activation="softmax", name="label")(joined)
    model = keras.Model([image, extra], [label, score], name="multi")
    graph, rebuilt = round_trip(model, tmp_path)
    assert graph.input_nodes() == ["image", "extra"]
    assert graph.outputs() == [("label", 0), ("score", 0)]
    assert [t.name for t in rebuilt.inputs] == ["image", "extra"]


def test_sequential(keras, tmp_path):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((10, 10, 2)),
            layers.Conv2D(3, 3, padding="same", name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.MaxPooling2D(name="pool"),
            layers.Flatten(name="flat"),
            layers.Dropout(0.3, name="drop"),
            layers.Dense(2, name="out"),
        ],
        name="plain",
    )
    graph, _ = round_trip(model, tmp_path)
    assert graph.input_nodes() == [next(iter(graph)).id]
    assert len(graph) == 7


def test_sequential_built_without_input_layer(keras, tmp_path):
    model = keras.Sequential([keras.layers.Dense(4, name="a"), keras.layers.Dense(2, name="b")])
    model.build((None, 3))
    graph, _ = round_trip(model, tmp_path)
    assert graph.node(graph.input_nodes()[0]).params["shape"] == [3]


def test_nested_models(keras, tmp_path):
    layers = keras.layers
    inner_in = keras.Input((6,))
    inner = keras.Model(inner_in, layers.Dense(4, name="inner_dense")(inner_in), name="inner")
    stack = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="stack_dense")], name="stack")
    a = keras.Input((6,), name="a")
    b = keras.Input((6,), name="b")
    ia, ib = inner(a), inner(b)
    joined = layers.Concatenate(name="joined")([stack(ia), ib])
    model = keras.Model([a, b], joined, name="outer")
    graph, _ = round_trip(model, tmp_path)
    assert graph.node("inner__2").shares == "inner"


def test_nested_model_as_output(keras, tmp_path):
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, keras.layers.Dense(2)(inner_in), name="inner")
    x = keras.Input((3,), name="x")
    model = keras.Model(x, inner(keras.layers.Dense(3, name="pre")(x)), name="outer")
    graph, _ = round_trip(model, tmp_path)
    assert graph.outputs() == [("inner", 0)]


def test_legacy_h5(keras, tmp_path):
    layers = keras.layers
    x = keras.Input((12,), name="x")
    h = layers.Dense(8, activation="relu", name="hidden")(x)
    h = layers.Dropout(0.2, name="drop")(h)
    out = layers.Dense(3, name="out")(layers.Add(name="skip")([h, layers.Dense(8)(x)]))
    model = keras.Model(x, out, name="legacy")
    graph, _ = round_trip(model, tmp_path, suffix=".h5")
    assert "hidden" in graph


def test_legacy_h5_sequential(keras, tmp_path):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, name="a"), keras.layers.Dense(1, name="b")],
        name="seq_h5",
    )
    round_trip(model, tmp_path, suffix=".h5")


def test_keras_ops_and_unlisted_layers(keras, tmp_path):
    layers = keras.layers
    x = keras.Input((4,), name="x")
    y = keras.Input((4,), name="y")
    mixed = keras.ops.add(keras.ops.multiply(x, 2.0), y)
    normed = layers.UnitNormalization(name="unit")(mixed)
    wide = layers.Dense(3, dtype="float64", name="wide")(normed)
    model = keras.Model([x, y], layers.Identity(name="same")(wide), name="ops")
    graph, _ = round_trip(model, tmp_path)
    assert graph.node("unit").type_id == "KerasLayer"
    assert graph.node("wide").type_id == "KerasLayer"  # a float64 layer keeps its dtype


def test_tensor_arguments_are_spelled_out(keras, tmp_path):
    layers = keras.layers
    q = keras.Input((4, 8), name="q")
    mask = keras.Input((4, 4), dtype="bool", name="mask")
    out = layers.MultiHeadAttention(2, 4, name="mha")(q, q, attention_mask=mask)
    model = keras.Model([q, mask], out, name="masked")
    graph, _ = round_trip(model, tmp_path)
    node = graph.node("mha")
    assert node.type_id == "KerasLayer"
    assert CALL_ARGS in node.call_kwargs


def test_frozen_layers_and_odd_names(keras, tmp_path):
    layers = keras.layers
    x = keras.Input((3,), name="in put")
    frozen = layers.Dense(4, name="dense 1", trainable=False)(x)
    out = layers.Dense(2, name="dense_1")(frozen)
    model = keras.Model(x, out, name="odd")
    graph, rebuilt = round_trip(model, tmp_path)
    ids = [n.id for n in graph]
    assert "dense_1" in ids and len(set(ids)) == 3
    frozen_node = next(n for n in graph if n.name == "dense 1")
    assert not frozen_node.trainable
    assert not rebuilt.get_layer(frozen_node.id).trainable


def test_graph_from_live_model_and_weights(keras):
    x = keras.Input((3,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="d")(x), name="live")
    graph = graph_from_keras(model)
    weights = WeightStore.from_model(model, graph)
    assert list(weights) == ["d"]
    assert_same_model(model, build_model(graph, weights))
    assert graph.node("d").position[1] > graph.node("x").position[1]


def test_graph_survives_build_save_import(keras, tmp_path):
    x = keras.Input((8,), name="x")
    h = keras.layers.Dense(5, activation="relu", name="h")(x)
    model = keras.Model(x, keras.layers.Dense(2, name="o")(h), name="again")
    first, weights = import_model(_save(model, tmp_path / "a.keras"))
    second, again = import_model(_save(build_model(first, weights), tmp_path / "b.keras"))
    assert [(n.id, n.type_id, n.params) for n in first] == [
        (n.id, n.type_id, n.params) for n in second
    ]
    assert first.edges == second.edges
    for node_id in weights:
        for a, b in zip(weights.get(node_id), again.get(node_id), strict=True):
            np.testing.assert_array_equal(a, b)


def _save(model, path):
    model.save(path)
    return path
