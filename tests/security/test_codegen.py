"""A graph edited in memory (past the file checks) still never makes a listed-out Keras
object, and never turns a key or value into code: the builder and the code generator
check again, and make objects only through the safe path."""

from __future__ import annotations

import ast

import pytest

from guibuilder.compiler.build import BuildError, build_model
from guibuilder.compiler.layers import keras_object
from guibuilder.errors import GuibuilderError, UnsafeModelError
from guibuilder.export.codegen import CodegenError, literal, model_code, python_script
from guibuilder.graph import Graph
from tests.security.hostile import MARKER, docstring_payload


def _tfsm(trap) -> dict:
    return {
        "module": "keras.layers",
        "class_name": "TFSMLayer",
        "config": {"filepath": str(trap[0]), "call_endpoint": "serve"},
        "registered_name": None,
    }


def _graph(type_id: str = "Dense", params: dict | None = None, call_kwargs=None) -> Graph:
    graph = Graph("tiny")
    graph.add_node("Input", {"shape": [2]}, node_id="x")
    graph.add_node(type_id, params or {"units": 2}, node_id="out", call_kwargs=call_kwargs)
    graph.connect("x", "out")
    return graph


def test_a_tfsm_layer_in_call_kwargs_is_never_made(trap, markers):
    graph = _graph(call_kwargs={"training": _tfsm(trap)})
    with pytest.raises(CodegenError) as info:
        python_script(graph)
    assert info.value.node_ids == ("out",)
    assert "TFSMLayer" in str(info.value)
    with pytest.raises(BuildError):
        build_model(graph)


def test_a_literal_of_a_tfsm_layer_is_data(trap, markers):
    text = literal({"nested": [_tfsm(trap)]})
    assert isinstance(ast.literal_eval(text), dict)


def test_the_safe_path_refuses_listed_out_classes(trap, markers):
    for value in (_tfsm(trap), {"class_name": "Dense", "config": {"x": [_tfsm(trap)]}}):
        with pytest.raises(UnsafeModelError):
            keras_object(value)


@pytest.mark.parametrize(
    "params",
    [
        {"class_name": "TFSMLayer", "config": {"filepath": "TRAP", "call_endpoint": "serve"}},
        {"class_name": "Dense", "config": {"units": 2, "bias_initializer": "NESTED"}},
        {"class_name": "system", "module": "os", "config": {"command": "touch marker"}},
        {"class_name": "Dense", "config": {"units": 2}, "registered_name": "x>Evil"},
    ],
)
def test_a_generic_layer_outside_the_list_is_never_made(params, trap, markers, monkeypatch):
    monkeypatch.chdir(markers[0].parent)
    params = {
        **params,
        "config": {
            k: str(trap[0]) if v == "TRAP" else _tfsm(trap) if v == "NESTED" else v
            for k, v in params["config"].items()
        },
    }
    graph = _graph("KerasLayer", params)
    with pytest.raises(GuibuilderError):
        model_code(graph)
    with pytest.raises(BuildError) as info:
        build_model(graph)
    assert info.value.node_ids == ("out",)


@pytest.mark.parametrize("key", ["x) or __import__('os').system('touch marker') or (", "a b"])
def test_a_call_key_that_is_no_name_is_refused(key, markers, monkeypatch):
    monkeypatch.chdir(markers[0].parent)
    graph = _graph(call_kwargs={key: True})
    with pytest.raises(CodegenError, match="is not a Python name"):
        python_script(graph)
    with pytest.raises(BuildError):
        build_model(graph)


def test_a_call_key_the_layer_does_not_take_is_refused():
    graph = _graph(call_kwargs={"a" * 5000: True})
    with pytest.raises(CodegenError) as info:
        python_script(graph)
    assert "is not an argument of Dense" in str(info.value) and len(str(info.value)) < 200
    graph = _graph(call_kwargs={"training": False})
    assert "training=False" in model_code(graph)


def test_a_title_that_ends_the_docstring_stays_text(tmp_path, markers, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = python_script(_graph(), title=docstring_payload() + '\\"""\n' + "x" * 500)
    module = ast.parse(text)
    assert isinstance(module.body[0].value, ast.Constant)
    assert isinstance(module.body[1], ast.Import)
    assert max(len(line) for line in ast.get_docstring(module).splitlines()) < 120
    exec(compile(text, "generated", "exec"), {"__name__": "generated"})
    assert not (tmp_path / MARKER).exists()
