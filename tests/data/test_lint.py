"""Matching model and data: each mismatch gives one sentence naming the node."""

from __future__ import annotations

import os

import pytest

from guibuilder.compiler.shapes import infer_shapes
from guibuilder.data import (
    auto_loss,
    input_params_for,
    lint,
    load_dataset,
    output_params_for,
)
from guibuilder.data.lint import check_model_size, machine_memory, refuse_model_too_big
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="module")
def sine():
    return load_dataset("sine", samples=100)


def model(shape, *layers: tuple[str, dict]) -> Graph:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": list(shape)}).id
    for type_id, params in layers:
        current = graph.add_node(type_id, params).id
        graph.connect(previous, current)
        previous = current
    return graph


def codes(graph, data, training=None, shapes="infer"):
    shapes = infer_shapes(graph) if shapes == "infer" else shapes
    return {w.code: w for w in lint(graph, shapes, data, training)}


def digits_net(units=10, activation="softmax", shape=(8, 8, 1)):
    return model(shape, ("Flatten", {}), ("Dense", {"units": units, "activation": activation}))


def test_a_fitting_model_has_no_findings(digits):
    assert codes(digits_net(), digits) == {}
    assert codes(digits_net(), digits, {"loss": "SparseCategoricalCrossentropy"}) == {}
    logits = digits_net(activation="linear")
    assert (
        codes(
            logits,
            digits,
            {"loss": {"name": "sparse_categorical_crossentropy", "from_logits": True}},
        )
        == {}
    )


def test_output_units_must_match_the_classes(digits):
    found = codes(digits_net(units=5), digits)
    warning = found["output-units"]
    assert warning.node_ids == ("dense",) and warning.level == "error"
    assert str(warning) == (
        "output 'dense' gives 5 values per sample but digits has 10 classes: set its units to 10"
    )


def test_input_shape_must_match_the_samples(digits):
    found = codes(digits_net(shape=(28, 28, 1)), digits)
    warning = found["input-shape"]
    assert warning.node_ids == ("input",)
    assert "(28, 28, 1)" in warning.message and "(8, 8, 1)" in warning.message
    assert "[8, 8, 1]" in warning.message


def test_softmax_with_from_logits(digits):
    found = codes(
        digits_net(), digits, {"loss": "sparse_categorical_crossentropy", "from_logits": True}
    )
    assert "from_logits=True" in found["softmax-logits"].message
    assert found["softmax-logits"].node_ids == ("dense",)
    keras_style = {
        "loss": {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": True}}
    }
    assert "softmax-logits" in codes(digits_net(), digits, keras_style)


def test_a_linear_output_without_from_logits(digits):
    found = codes(digits_net(activation="linear"), digits, {"from_logits": False})
    assert "'dense' is linear" in found["missing-softmax"].message
    assert codes(digits_net(activation="linear"), digits, {"from_logits": None}) == {}


def test_sparse_labels_with_a_one_hot_loss(digits):
    found = codes(digits_net(), digits, {"loss": "categorical_crossentropy"})
    message = found["label-format"].message
    assert "one-hot labels" in message and "sparse_categorical_crossentropy" in message
    assert found["label-format"].node_ids == ("dense",)


def test_one_hot_labels_with_a_sparse_loss(digits):
    import dataclasses

    import numpy as np

    one_hot = dataclasses.replace(digits, y_train=np.eye(10, dtype=np.float32)[digits.y_train])
    found = codes(digits_net(), one_hot, {"loss": "sparse_categorical_crossentropy"})
    assert "expects class indices" in found["label-format"].message


def test_the_automatic_loss_is_the_one_training_picks(digits):
    import dataclasses

    import numpy as np

    from guibuilder.training.config import TrainConfig
    from guibuilder.training.recipe import resolve_loss

    one_hot = dataclasses.replace(digits, y_train=np.eye(10, dtype=np.float32)[digits.y_train])
    picked = resolve_loss(TrainConfig(), one_hot.task, one_hot.y_train, 10)
    assert picked == "categorical_crossentropy"
    assert "label-format" not in codes(digits_net(), one_hot)  # no loss set: "auto"
    assert "label-format" not in codes(digits_net(), one_hot, {"loss": picked})


def test_binary_loss(digits):
    found = codes(digits_net(), digits, {"loss": "binary_crossentropy"})
    assert "fits two classes but digits has 10" in found["binary-loss"].message
    cancer = load_dataset("breast_cancer")
    net = model((30,), ("Dense", {"units": 2, "activation": "sigmoid"}))
    found = codes(net, cancer, {"loss": "binary_crossentropy"})
    assert "set its units to 1" in found["output-units"].message
    net = model((30,), ("Dense", {"units": 1, "activation": "sigmoid"}))
    assert codes(net, cancer, {"loss": "binary_crossentropy"}) == {}
    assert codes(net, cancer, {"loss": "auto", "from_logits": False}) == {}


def test_softmax_on_a_regression_task(sine):
    net = model((20, 1), ("LSTM", {"units": 8}), ("Dense", {"units": 1, "activation": "softmax"}))
    found = codes(net, sine)
    assert found["softmax-regression"].node_ids == ("dense",)
    assert "sine is a forecasting task" in found["softmax-regression"].message
    good = model((20, 1), ("LSTM", {"units": 8}), ("Dense", {"units": 1}))
    assert codes(good, sine) == {}
    assert (
        "for classes"
        in codes(good, sine, {"loss": "sparse_categorical_crossentropy"})["loss-task"].message
    )
    assert "output-range" in codes(
        model((20, 1), ("LSTM", {"units": 8}), ("Dense", {"units": 1, "activation": "relu"})), sine
    )


def test_regression_output_width(sine):
    net = model((20, 1), ("Flatten", {}), ("Dense", {"units": 3}))
    assert "Dense with 1 units" in codes(net, sine)["output-units"].message


def test_the_activation_is_found_through_dropout(digits):
    net = digits_net()
    drop = net.add_node("Dropout", {"rate": 0.2}).id
    net.connect("dense", drop)
    found = codes(net, digits, {"loss": "sparse_categorical_crossentropy", "from_logits": True})
    assert found["softmax-logits"].node_ids == (drop,)


def test_no_validation_split(digits):
    data = load_dataset("iris", validation_split=0.0)
    net = model((4,), ("Dense", {"units": 3, "activation": "softmax"}))
    found = codes(net, data)
    assert "iris has no validation split" in found["no-validation"].message
    assert "no-validation" not in codes(net, data, {"validation_split": 0.2})


def test_several_inputs_or_outputs_are_named(digits):
    net = digits_net()
    net.add_node("Input", {"shape": [8, 8, 1]}, node_id="second")
    found = codes(net, digits)
    assert found["input-count"].node_ids == ("input", "second")
    net = digits_net()
    extra = net.add_node("Dense", {"units": 10, "activation": "softmax"}).id
    net.connect("flatten", extra)
    assert set(codes(net, digits)["output-count"].node_ids) == {"dense", extra}


def test_an_image_shaped_output_for_class_labels(digits):
    net = model((8, 8, 1), ("Conv2D", {"filters": 10, "kernel_size": 3, "activation": "softmax"}))
    assert "add Flatten or global pooling" in codes(net, digits)["output-rank"].message


def test_node_names_show_beside_ids(digits):
    net = digits_net(units=3)
    net.rename("dense", "classifier")
    assert "output 'classifier' (dense)" in codes(net, digits)["output-units"].message


def test_shapes_are_inferred_when_not_given(digits):
    assert "output-units" in codes(digits_net(units=4), digits, shapes=None)


def test_input_and_output_params_fit_the_dataset(digits, sine):
    assert input_params_for(digits) == {"shape": [8, 8, 1], "dtype": "float32"}
    assert output_params_for(digits) == {"units": 10, "activation": "softmax"}
    assert output_params_for(sine) == {"units": 1, "activation": "linear"}
    text = load_dataset("sentiment", samples=100)
    assert input_params_for(text) == {"shape": [16], "dtype": "int32"}
    assert auto_loss(digits.task, digits.y_train) == "sparse_categorical_crossentropy"
    assert auto_loss(sine.task, sine.y_train) == "mse"
    graph = Graph()
    graph.add_node("Input", input_params_for(digits))
    dense = graph.add_node("Dense", output_params_for(digits)).id
    graph.connect("input", graph.add_node("Flatten").id)
    graph.connect("flatten", dense)
    assert lint(graph, None, digits) == []


# ------------------------------------------------------------------ model size
def test_a_model_too_big_for_the_memory_is_refused_naming_its_largest_layer():
    graph = model((2**24,), ("Dense", {"units": 2**16}))
    dense = graph.successors(graph.input_nodes()[0])[0]
    shapes = infer_shapes(graph, use_keras=False)
    finding = check_model_size(graph, shapes, memory=16 * 10**9)
    assert finding.code == "model-too-big" and finding.level == "error"
    assert finding.message.startswith(
        "the model needs about 17,596 GB to train (1,099,511,693,312 parameters, "
        "16,842,752 layer outputs per sample at batch size 32); this machine has 16 GB of memory"
    )
    assert finding.node_ids == (dense,)
    assert f"'{dense}' with 1,099,511,693,312 parameters and 65,536 outputs" in finding.message
    with pytest.raises(GuibuilderError, match="this machine has 16 GB of memory"):
        refuse_model_too_big(graph, shapes, memory=16 * 10**9)


def test_the_layer_outputs_count_for_every_sample_of_a_batch():
    """A pool with 'same' padding keeps a huge input's size: no parameters, yet 8 GB
    of outputs per batch of 32 (and as much again for the Input)."""
    graph = model(
        (4096, 4096, 8),
        ("MaxPooling2D", {"pool_size": [9, 9], "strides": [1, 1], "padding": "same"}),
    )
    pool = graph.successors(graph.input_nodes()[0])[0]
    finding = check_model_size(graph, memory=16 * 10**9)
    assert "(0 parameters, 268,435,456 layer outputs per sample at batch size 32)" in (
        finding.message
    )
    assert finding.node_ids in ((pool,), (graph.input_nodes()[0],))
    assert check_model_size(graph, memory=16 * 10**9, batch_size=1) is None


def test_the_size_check_counts_four_copies_of_each_float_and_skips_an_unknown_memory(
    monkeypatch,
):
    graph = model((8,), ("Dense", {"units": 4}))  # 36 parameters: 576 bytes to train
    # and 12 outputs per sample, held twice: 96 bytes per sample
    assert check_model_size(graph, memory=672, batch_size=1) is None
    refused = check_model_size(graph, memory=671, batch_size=1)
    assert "needs about 672 bytes to train (36 parameters" in refused.message
    assert "this machine has 671 bytes of memory" in refused.message
    assert check_model_size(graph, memory=576 + 96 * 32) is None
    assert machine_memory() is None or machine_memory() > 10**6

    def unknown(name):
        raise ValueError(name)

    monkeypatch.setattr(os, "sysconf", unknown)
    assert machine_memory() is None and check_model_size(graph) is None
