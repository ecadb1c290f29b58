"""Merge, recurrent, attention and preprocessing specs: the shape errors a student meets,
the outputs a recurrent node has, and the Bidirectional wrapper in both directions."""

from __future__ import annotations

import pytest

from guibuilder import catalog
from guibuilder.catalog import ShapeError
from guibuilder.compiler.layers import (
    apply_layer,
    keras_config,
    load_keras,
    make_layer,
    params_from_config,
)
from tests.catalog.cases_b import CASES

#: (type id, params, input shapes, words the message must contain, Keras refuses it too
#: when the model is built; the others Keras only refuses when data flows, or not at all).
BAD = [
    ("Add", {}, [(None, 8, 8, 16), (None, 8, 8, 32)], ["(8, 8, 16)", "(8, 8, 32)", "1x1"], True),
    ("Add", {}, [(None, 4)], ["at least 2"], False),
    ("Multiply", {}, [(2, 4), (3, 4)], ["batch sizes"], True),
    ("Subtract", {}, [(None, 3), (None, 3), (None, 3)], ["exactly 2"], True),
    ("Concatenate", {}, [(None, 4, 5), (None, 3, 6)], ["(4, 5)", "(3, 6)"], True),
    ("Concatenate", {}, [(None, 4, 5), (None, 5)], ["number of axes"], True),
    ("Concatenate", {"axis": 3}, [(None, 4, 5), (None, 4, 5)], ["axis 3", "1 to 2"], True),
    ("Dot", {"axes": 1}, [(None, 4), (None, 5)], ["(4,)", "(5,)"], True),
    ("Dot", {"axes": 0}, [(None, 4), (None, 4)], ["batch axis"], False),
    (
        "LSTM",
        {"units": 4},
        [(None, 10)],
        ["(time steps, features)", "(10,)", "return_sequences"],
        True,
    ),
    ("GRU", {"units": 4}, [(None, 5, None)], ["features"], True),
    ("SimpleRNN", {"units": 2, "stateful": True}, [(None, 5, 3)], ["batch size"], True),
    ("LSTM", {"units": 2, "unroll": True}, [(None, None, 3)], ["time steps"], False),
    (
        "GRU",
        {"units": 2, "bidirectional": True, "go_backwards": True},
        [(None, 5, 3)],
        ["go_backwards"],
        True,
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 6), (None, 7, 3), (None, 8, 3)],
        ["value (7, 3)", "key (8, 3)"],
        True,
    ),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, [(None, 6), (None, 6)], ["(6,)"], False),
    ("Attention", {}, [(None, 5, 4), (None, 7, 3)], ["query (5, 4)", "Dense"], False),
    ("AdditiveAttention", {}, [(None, 5, 4)], ["query and a value", "1 input"], False),
    ("Attention", {}, [(None, 4), (None, 4)], ["query", "(4,)"], False),
    ("Resizing", {"height": 4, "width": 4}, [(None, 8, 8)], ["images", "(8, 8)"], False),
    ("RandomFlip", {}, [(None, 8)], ["images"], False),
    ("Rescaling", {"scale": [1.0, 2.0]}, [(None, 4, 4, 3)], ["per channel (3)"], False),
    ("Rescaling", {"scale": "big"}, [(None, 4)], ["scale", "number"], False),
    ("Normalization", {"axis": 1}, [(None, None, 3)], ["axis 1"], True),
    ("Normalization", {"axis": 0}, [(None, 3)], ["axis 0"], False),
    ("Normalization", {"mean": [1.0]}, [(None, 1)], ["mean and variance"], False),
    ("RandomRotation", {"factor": 2.0}, [(None, 8, 8, 3)], ["between -1 and 1"], False),
    ("RandomZoom", {"height_factor": [0.1, 0.2, 0.3]}, [(None, 8, 8, 3)], ["pair"], False),
    ("RandomContrast", {"value_range": [255, 0]}, [(None, 8, 8, 3)], ["value_range"], False),
]


@pytest.mark.parametrize(
    ("type_id", "params", "shapes", "words", "keras_refuses"),
    BAD,
    ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)],
)
def test_bad_input_gives_a_clear_message(type_id, params, shapes, words, keras_refuses):
    spec = catalog.get(type_id)
    params = catalog.normalize_params(spec, params)
    with pytest.raises(ShapeError) as info:
        spec.infer(params, shapes)
    message = str(info.value)
    for word in words:
        assert word in message
    assert "\n" not in message
    assert not message[0].isupper(), "the node's name is put in front of the message"
    if keras_refuses:
        keras = load_keras()
        tensors = [keras.Input(batch_shape=s) for s in shapes]
        ports = [p.name for p in spec.inputs]
        if spec.inputs[0].variadic:
            ports = ports * len(tensors)
        with pytest.raises(Exception):  # noqa: B017 -- any refusal by Keras will do
            layer = make_layer(spec, params, "probe")
            apply_layer(spec, layer, list(zip(ports, tensors, strict=False)))


@pytest.mark.parametrize(
    ("type_id", "params", "count"),
    [
        ("LSTM", {}, 1),
        ("LSTM", {"return_state": True}, 3),
        ("LSTM", {"return_state": True, "bidirectional": True}, 5),
        ("LSTM", {"return_state": True, "bidirectional": True, "merge_mode": None}, 6),
        ("GRU", {"return_state": True}, 2),
        ("GRU", {"bidirectional": True, "merge_mode": None}, 2),
        ("SimpleRNN", {"return_state": True, "bidirectional": True}, 3),
        ("MultiHeadAttention", {}, 1),
    ],
)
def test_number_of_outputs(type_id, params, count):
    spec = catalog.get(type_id)
    params = catalog.normalize_params(spec, params)
    assert spec.num_outputs(params) == count
    shape = [(None, 5, 3)] * len([p for p in spec.inputs if p.required])
    assert len(spec.infer(params, shape).outputs) == count


def test_bidirectional_builds_a_wrapper_from_plain_data():
    spec = catalog.get("GRU")
    params = catalog.normalize_params(spec, {"units": 3, "bidirectional": True})
    class_name, config = keras_config(spec, params)
    assert class_name == "Bidirectional"
    assert config["merge_mode"] == "concat"
    assert config["layer"]["class_name"] == "GRU"
    assert "bidirectional" not in config["layer"]["config"]
    plain = keras_config(spec, {**params, "bidirectional": False})
    assert plain[0] == "GRU"
    assert not {"bidirectional", "merge_mode"} & set(plain[1])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
def test_a_keras_bidirectional_layer_imports_as_its_inner_layer(merge_mode):
    keras = load_keras()
    original = keras.layers.Bidirectional(
        keras.layers.LSTM(5, return_sequences=True, dropout=0.25), merge_mode=merge_mode
    )
    original(keras.Input((6, 2)))
    config = original.get_config()
    spec = catalog.for_keras_layer("Bidirectional", config)
    assert spec is catalog.get("LSTM")
    params = params_from_config(spec, "Bidirectional", config)
    assert params["bidirectional"] is True
    assert params["merge_mode"] == merge_mode
    assert params["units"] == 5 and params["dropout"] == 0.25
    rebuilt = make_layer(spec, params, original.name)
    rebuilt(keras.Input((6, 2)))
    assert rebuilt.count_params() == original.count_params()
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in original.weights]

    def without_names(value):
        if isinstance(value, dict):
            return {k: without_names(v) for k, v in value.items() if k != "name"}
        return value

    assert without_names(rebuilt.get_config()) == without_names(config)


CASE_PARAMS = [
    pytest.param(type_id, params, id=f"{type_id}-{i}")
    for type_id, items in sorted(CASES.items())
    for i, (params, _shapes) in enumerate(items)
]


@pytest.mark.parametrize(("type_id", "params"), CASE_PARAMS)
def test_every_case_config_round_trips(type_id, params):
    spec = catalog.get(type_id)
    params = catalog.normalize_params(spec, params)
    layer = make_layer(spec, params, "probe")
    config = layer.get_config()
    again = params_from_config(spec, type(layer).__name__, config)
    assert make_layer(spec, again, "probe").get_config() == config


def test_describe_gives_short_text_for_defaults():
    for type_id in CASES:
        spec = catalog.get(type_id)
        text = spec.describe(spec.defaults()) if spec.describe else ""
        assert isinstance(text, str) and len(text) <= 32
        assert spec.doc_url.startswith("https://keras.io/api/layers/")


def test_imported_bidirectional_layers_become_recurrent_nodes():
    import numpy as np

    from guibuilder.compiler.build import build_model
    from guibuilder.compiler.importer import graph_from_keras
    from guibuilder.document.weights import WeightStore

    keras = load_keras()
    layers = keras.layers
    x = keras.Input((6, 3))
    h = layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode=None)(x)
    h = layers.Concatenate()([h[0], h[1]])
    out, forward, backward = layers.Bidirectional(layers.GRU(3, return_state=True))(h)
    model = keras.Model(x, layers.Concatenate()([out, forward, backward]))
    graph = graph_from_keras(model)
    recurrent = [n for n in graph if n.type_id in ("LSTM", "GRU")]
    assert [n.params["bidirectional"] for n in recurrent] == [True, True]
    rebuilt = build_model(graph, WeightStore.from_model(model, graph))
    sample = np.random.default_rng(0).random((2, 6, 3)).astype("float32")
    assert rebuilt.count_params() == model.count_params()
    np.testing.assert_allclose(rebuilt(sample), model(sample), atol=1e-5)
