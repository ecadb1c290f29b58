"""The allowlist of Keras objects is true to the installed Keras, and lists nothing that
loads a file or runs a stored function."""

from __future__ import annotations

import importlib
import inspect

import pytest

from guibuilder import catalog
from guibuilder.catalog import keras_objects as ko
from guibuilder.compiler.layers import load_keras

#: Constructor arguments of a class that loads a file or calls a function it is given.
DANGEROUS_ARGUMENTS = {"filepath", "function", "call_fn", "init_fn", "module", "vocabulary"}
NEVER = {"TFSMLayer", "Lambda", "JaxLayer", "FlaxLayer", "TorchModuleWrapper"}


def _listed():
    for module, names in {**ko.PUBLIC_CLASSES, **ko.INTERNAL_CLASSES}.items():
        for name in sorted(names):
            yield module, name


def test_every_listed_class_exists_and_takes_nothing_dangerous():
    load_keras()
    importlib.import_module(ko.CUSTOM_MODULE)
    wrong = []
    for module, name in _listed():
        cls = getattr(importlib.import_module(module), name, None)
        if not inspect.isclass(cls) or not hasattr(cls, "from_config"):
            wrong.append(f"{module}.{name}")
        elif name in ko.VOCABULARY_LAYERS:
            continue  # listed with a condition on the vocabulary: tested below
        elif set(inspect.signature(cls.__init__).parameters) & DANGEROUS_ARGUMENTS:
            wrong.append(f"{module}.{name} takes a file or a function")
    assert not wrong


def test_every_catalog_layer_is_listed():
    for spec in catalog.all_specs():
        if spec.keras_class:
            module = spec.keras_module or "keras.layers"
            obj = {"module": module, "class_name": spec.keras_class, "config": {}}
            assert ko.object_problem(obj) is None, spec.type_id


def test_every_listed_function_is_a_keras_builtin():
    keras = load_keras()
    modules = (keras.activations, keras.losses, keras.metrics)
    for name in ko.FUNCTIONS:
        assert any(inspect.isfunction(getattr(m, name, None)) for m in modules), name


@pytest.mark.parametrize("name", sorted(NEVER))
def test_loaders_and_stored_code_are_never_listed(name):
    assert all(name not in names for names in ko.PUBLIC_CLASSES.values())
    assert ko.object_problem({"module": "keras.layers", "class_name": name, "config": {}})
    assert ko.object_problem({"class_name": name, "config": {}})


def test_what_a_project_may_name():
    ok = {"module": "keras.initializers", "class_name": "HeNormal", "config": {}}
    assert ko.object_problem(ok) is None
    assert ko.public_path(ok) == "keras.initializers.HeNormal"
    assert ko.object_problem({**ok, "registered_name": "Custom>HeNormal"})
    assert ko.public_path({**ok, "module": "keras.src.initializers"}) is None
    token = {"module": ko.CUSTOM_MODULE, "class_name": "ClassToken", "config": {}}
    assert ko.object_problem({**token, "registered_name": "guibuilder>ClassToken"}) is None
    assert ko.object_problem({**token, "registered_name": "guibuilder>SelectToken"})
    relu = {"module": "builtins", "class_name": "function", "config": "relu"}
    assert ko.object_problem({**relu, "registered_name": "function"}) is None
    assert ko.object_problem({**relu, "config": "eval"})
    assert ko.object_problem({"class_name": "__lambda__", "config": {"code": "x"}})
    assert ko.object_problem({"class_name": ["Dense"], "config": {}})
    assert ko.value_problem([[{"a": {"class_name": "Lambda", "config": {}}}]])


@pytest.mark.parametrize("name", sorted(ko.VOCABULARY_LAYERS))
def test_a_lookup_layer_is_listed_only_with_its_vocabulary_as_a_list(name):
    def obj(vocabulary):
        config = {"vocabulary": vocabulary}
        return {"module": "keras.layers", "class_name": name, "config": config}

    assert ko.object_problem(obj(["a", "b"])) is None
    assert ko.object_problem(obj(None)) is None
    problem = ko.object_problem(obj("/etc/passwd"))
    assert problem is not None and "'/etc/passwd'" in problem and "\n" not in problem
