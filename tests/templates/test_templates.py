"""Every template builds, infers its shapes and matches its Keras model; dataset views."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder import catalog
from guibuilder.compiler.build import build_model
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.data import dataset_info
from guibuilder.data.views import VIEWS
from guibuilder.document.settings import TrainConfig
from guibuilder.templates import (
    TEMPLATES,
    Target,
    TemplateError,
    get_template,
    template_names,
)

REQUIRED = (
    "lenet5",
    "alexnet-mini",
    "vgg-mini",
    "inception-mini",
    "resnet-mini",
    "plain-deep",
    "resnet-deep",
    "mlp-spirals",
    "lstm-sequence",
    "gru-forecast",
    "transformer-text",
    "vit-mini",
    "autoencoder",
    "siamese",
)


def test_every_required_template_is_there_once() -> None:
    names = template_names()
    assert len(names) == len(set(names))
    assert set(REQUIRED) <= set(names)


@pytest.mark.parametrize("name", template_names())
def test_template_is_complete_and_consistent(name: str) -> None:
    template = get_template(name)
    assert template.title and template.paper
    assert len(template.summary.split()) >= 15
    assert template.view in VIEWS
    dataset_info(template.dataset["name"])
    TrainConfig.from_dict(template.training)
    graph = template.graph()
    graph.validate()
    infos = infer_shapes(graph, use_keras=False)
    assert {k: v.error for k, v in infos.items() if v.error} == {}
    positions = {node.position for node in graph}
    assert len(positions) == len(graph), "the layout leaves no two nodes on one spot"
    model = build_model(graph)
    assert model.count_params() == sum(info.params for info in infos.values())
    for node in graph:
        if node.type_id != "Input" and not node.shares and not graph.sharers(node.id):
            assert tuple(model.get_layer(node.id).output.shape) == infos[node.id].outputs[0]


def test_building_twice_gives_independent_graphs() -> None:
    template = get_template("lenet5")
    first, second = template.build(), template.build()
    first.set_param("output", "units", 3)
    assert second.node("output").params["units"] == 10


def test_architectures_have_what_their_names_promise() -> None:
    def types(name: str) -> list[str]:
        return [node.type_id for node in get_template(name).build()]

    inception = get_template("inception-mini").build()
    for concat in (n for n in inception if n.type_id == "Concatenate"):
        branches = inception.predecessors(concat.id)
        assert len(branches) == 4
        kernels = set()
        for branch in branches:
            node = inception.node(branch)
            size = node.params["kernel_size"]
            kernels.add(size if isinstance(size, int) else size[0])
            above = inception.node(inception.predecessors(branch)[0])
            if above.type_id == "MaxPooling2D":
                kernels.add("pool")
        assert kernels == {1, 3, 5, "pool"}
    plain, deep = types("plain-deep"), types("resnet-deep")
    assert plain.count("Conv2D") >= 20 and deep.count("Conv2D") >= 20
    assert "Add" not in plain and "BatchNormalization" not in plain
    assert deep.count("Add") >= 10 and "BatchNormalization" in deep
    assert "Add" in types("resnet-mini")
    assert {"PositionEmbedding", "ClassToken", "MultiHeadAttention"} <= set(types("vit-mini"))
    assert {"Embedding", "PositionEmbedding", "MultiHeadAttention"} <= set(
        types("transformer-text")
    )
    assert "Conv2DTranspose" in types("autoencoder")
    assert "LSTM" in types("lstm-sequence") and "GRU" in types("gru-forecast")


def test_siamese_branches_share_weights() -> None:
    graph = get_template("siamese").build()
    shared = [node for node in graph if node.shares]
    assert len(shared) >= 4
    model = build_model(graph)
    owners = {graph.owner(node.id).id for node in shared}
    assert len(model.layers) == len(graph) - len(shared)
    assert owners <= {layer.name for layer in model.layers}


def test_unknown_template_names_the_choices() -> None:
    with pytest.raises(TemplateError, match="'lenet': pick one of lenet5, alexnet-mini"):
        get_template("lenet")


def test_target_direction() -> None:
    above = Target("val_accuracy", 0.9)
    below = Target("val_loss", 0.1, higher_is_better=False)
    assert above.met(0.9) and not above.met(0.89) and not above.met(float("nan"))
    assert below.met(0.05) and not below.met(0.2)
    assert above.text() == "val_accuracy >= 0.9" and below.text() == "val_loss <= 0.1"


def test_dataset_views_fit_their_models() -> None:
    for template in TEMPLATES:
        if template.view == "labels":
            continue
        data = template.load_data()
        model = build_model(template.build())
        x = data.x_train if isinstance(data.x_train, list) else [data.x_train]
        batch = [np.asarray(a[:2]) for a in x]
        outputs = np.asarray(model(batch if len(batch) > 1 else batch[0]))
        assert outputs.shape[1:] == np.asarray(data.y_train).shape[1:] or (
            outputs.shape[1:] == (1,) and np.asarray(data.y_train).ndim == 1
        )


def test_every_layer_type_used_is_in_the_catalog() -> None:
    for template in TEMPLATES:
        for node in template.build():
            assert catalog.has(node.type_id)
