"""A hostile project is refused when it is opened, with one sentence naming the node and
the key; good projects (every template, imported Keras models) still open."""

from __future__ import annotations

import json

import pytest

from guibuilder.catalog.keras_objects import node_problem
from guibuilder.compiler.importer import graph_from_keras
from guibuilder.compiler.layers import load_keras
from guibuilder.document import Project, load_project
from guibuilder.document.project import ProjectError, parse_project, project_to_dict
from guibuilder.templates import get_template, template_names
from tests.security.hostile import REFUSED, base_project


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_project_is_refused_at_open(name, write_hostile):
    path = write_hostile(name)
    with pytest.raises(ProjectError) as info:
        load_project(path)
    message = str(info.value)
    assert message.count("\n") == 0 and len(message) < 400, message
    assert "node 'out' (" in message
    assert REFUSED[name][1] in message
    assert info.value.node_ids == ("out",)


def test_the_base_project_opens():
    project = parse_project(base_project())[0]
    assert list(project.graph.nodes) == ["x", "out"]
    data = base_project()
    data["nodes"][1].update(type="KerasLayer", params={})  # the defaults: an Identity
    data["edges"][0]["port"] = "inputs"
    assert parse_project(data)[0].graph.node("out").params["class_name"] == "Identity"


@pytest.mark.parametrize(
    "key", ["\n", "a" * 5000 + "!", "x=1)\nimport os\n(", "1st", "class", "__import__('os')", ""]
)
def test_a_call_kwargs_key_is_named_escaped_and_short(key):
    data = base_project()
    data["nodes"][1]["call_kwargs"] = {key: 1}
    with pytest.raises(ProjectError) as info:
        parse_project(data, "p.gbproj")
    message = str(info.value)
    assert "\n" not in message and len(message) < 200, message
    assert message.startswith("p.gbproj: node 'out' (Dense): call_kwargs key ")


def test_a_tensor_reference_must_be_an_input_number():
    for bad in ({"__input__": "0"}, {"__input__": -1}, {"__input__": 0, "x": 1}):
        assert node_problem("KerasLayer", {}, {"__args__": [bad]}) is not None
    assert node_problem("Dense", {}, {"__args__": [{"__input__": 0}], "mask": None}) is None


@pytest.mark.parametrize("name", template_names())
def test_every_template_opens(name):
    project = get_template(name).project()
    again = parse_project(json.loads(json.dumps(project_to_dict(project))))[0]
    assert list(again.graph.nodes) == list(project.graph.nodes)


def test_imported_models_open_after_saving():
    """Nested models, keras.ops operations, dtype policies, MobileNet: the allowlist holds
    what real models are made of."""
    from tests.export.test_codegen import _keras_models

    keras = load_keras()
    models = _keras_models(keras)
    models.pop("custom")  # a class registered by the test's own code, not a project's
    inner_in = keras.Input((6,))
    inner = keras.Model(inner_in, keras.layers.Dense(4)(inner_in), name="inner")
    stack = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="stack")
    a = keras.Input((6,), name="a")
    models["nested"] = keras.Model(a, stack(inner(a)), name="outer")
    for name, model in models.items():
        data = json.loads(json.dumps(project_to_dict(Project(graph_from_keras(model)))))
        assert len(parse_project(data, name)[0].graph) == len(data["nodes"])
