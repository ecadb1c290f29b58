"""Graph -> keras.Model: names, order, sharing, weights, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder.compiler.build import BuildError, build_model
from guibuilder.compiler.layers import CALL_ARGS, TENSOR_REF, load_keras
from guibuilder.document.weights import WeightStore
from guibuilder.graph import Graph, GraphError, NoInputError


@pytest.fixture(scope="module")
def keras():
    return load_keras()


def _mlp() -> Graph:
    graph = Graph(name="mlp")
    graph.add_node("Input", {"shape": [4]}, node_id="features")
    graph.add_node("Dense", {"units": 8, "activation": "relu"}, node_id="hidden")
    graph.add_node("Dense", {"units": 3}, node_id="scores")
    graph.connect("features", "hidden")
    graph.connect("hidden", "scores")
    return graph


def test_layer_names_are_node_ids(keras):
    model = build_model(_mlp())
    assert model.name == "mlp"
    assert [layer.name for layer in model.layers] == ["features", "hidden", "scores"]
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    assert tuple(model.output.shape) == (None, 3)


def test_frozen_node_builds_a_frozen_layer(keras):
    graph = _mlp()
    graph.set_trainable("hidden", False)
    model = build_model(graph)
    assert not model.get_layer("hidden").trainable
    assert model.get_layer("scores").trainable


def test_weights_from_the_store_land_in_the_model(keras):
    graph = _mlp()
    kernel = np.arange(32, dtype="float32").reshape(4, 8)
    store = WeightStore({"hidden": [kernel, np.ones(8, "float32")]})
    model = build_model(graph, store)
    got = model.get_layer("hidden").get_weights()
    np.testing.assert_array_equal(got[0], kernel)
    np.testing.assert_array_equal(got[1], np.ones(8))


def test_weights_that_no_longer_fit_are_reported(keras):
    graph = _mlp()
    store = WeightStore({"hidden": [np.zeros((4, 8)), np.zeros(8)], "scores": [np.zeros((8, 3))]})
    graph.set_param("hidden", "units", 5)
    model = build_model(graph)
    assert store.apply(model, graph) == ["hidden", "scores"]
    assert not np.all(model.get_layer("hidden").get_weights()[0] == 0)


def test_inputs_and_outputs_keep_their_order(keras):
    graph = Graph(name="two")
    graph.add_node("Input", {"shape": [2]}, node_id="b_in")
    graph.add_node("Input", {"shape": [3]}, node_id="a_in")
    graph.add_node("Dense", {"units": 1}, node_id="from_b")
    graph.add_node("Dense", {"units": 2}, node_id="from_a")
    graph.connect("b_in", "from_b")
    graph.connect("a_in", "from_a")
    graph.set_outputs([("from_a", 0), ("from_b", 0)])
    model = build_model(graph)
    assert [t.name for t in model.inputs] == ["b_in", "a_in"]
    assert [tuple(t.shape) for t in model.outputs] == [(None, 2), (None, 1)]


def test_shared_node_applies_the_same_layer(keras):
    graph = Graph(name="siamese")
    graph.add_node("Input", {"shape": [3]}, node_id="left")
    graph.add_node("Input", {"shape": [3]}, node_id="right")
    graph.add_node("Dense", {"units": 2}, node_id="encode")
    graph.add_node("Dense", node_id="encode_again", shares="encode")
    graph.connect("left", "encode")
    graph.connect("right", "encode_again")
    model = build_model(graph)
    assert model.count_params() == 3 * 2 + 2
    same = np.ones((1, 3), "float32")
    a, b = model([same, same])
    np.testing.assert_allclose(np.asarray(a), np.asarray(b))


def test_generic_node_with_a_spelled_out_call(keras):
    graph = Graph(name="generic")
    graph.add_node("Input", {"shape": [5, 8]}, node_id="q")
    graph.add_node("Input", {"shape": [5, 8]}, node_id="v")
    config = {"num_heads": 2, "key_dim": 4}
    graph.add_node(
        "KerasLayer",
        {"class_name": "MultiHeadAttention", "config": config},
        node_id="attend",
        call_kwargs={CALL_ARGS: [{TENSOR_REF: 0}, {TENSOR_REF: 1}], "use_causal_mask": True},
    )
    graph.connect("q", "attend")
    graph.connect("v", "attend")
    model = build_model(graph)
    assert type(model.get_layer("attend")).__name__ == "MultiHeadAttention"
    assert tuple(model.output.shape) == (None, 5, 8)


def test_invalid_graph_raises_graph_error(keras):
    graph = Graph()
    graph.add_node("Dense", node_id="alone")
    with pytest.raises(NoInputError):
        build_model(graph)


def test_missing_connection_names_the_node(keras):
    graph = _mlp()
    graph.add_node("Dense", node_id="dangling")
    with pytest.raises(GraphError) as info:
        build_model(graph)
    assert info.value.node_ids == ("dangling",)


def test_keras_refusal_names_the_node(keras):
    graph = Graph()
    graph.add_node("Input", {"shape": [3]}, node_id="x")
    graph.add_node("Input", {"shape": [4]}, node_id="y")
    graph.add_node("KerasLayer", {"class_name": "Add", "config": {}}, node_id="plus")
    graph.connect("x", "plus")
    graph.connect("y", "plus")
    with pytest.raises(BuildError) as info:
        build_model(graph)
    assert info.value.node_ids == ("plus",)
    message = str(info.value)
    assert "'plus'" in message and "\n" not in message


def test_unknown_keras_class_names_the_node(keras):
    graph = Graph()
    graph.add_node("Input", {"shape": [3]}, node_id="x")
    graph.add_node("KerasLayer", {"class_name": "NoSuchLayer", "config": {}}, node_id="odd")
    graph.connect("x", "odd")
    with pytest.raises(BuildError) as info:
        build_model(graph)
    assert info.value.node_ids == ("odd",)


def test_unused_input_is_reported(keras):
    graph = _mlp()
    graph.add_node("Input", {"shape": [2]}, node_id="extra")
    graph.set_outputs([("scores", 0)])
    with pytest.raises(BuildError) as info:
        build_model(graph)
    assert info.value.node_ids == ("extra",)
