"""Shape inference: results, errors a student understands, and incremental updates."""

from __future__ import annotations

import pytest

from guibuilder.compiler.shapes import NodeInfo, ShapeInference, infer_shapes
from guibuilder.graph import Graph


def dense_chain(n: int, features: int = 4) -> Graph:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [features]}).id
    for _ in range(n):
        current = graph.add_node("Dense", {"units": 3}).id
        graph.connect(previous, current)
        previous = current
    return graph


@pytest.fixture
def counted(monkeypatch):
    """ShapeInference that records which nodes it computes."""
    computed: list[str] = []
    original = ShapeInference._compute

    def spy(self, node_id):
        computed.append(node_id)
        return original(self, node_id)

    monkeypatch.setattr(ShapeInference, "_compute", spy)
    return computed


def test_shapes_and_parameter_counts():
    graph = dense_chain(2)
    info = infer_shapes(graph)
    assert info["input"] == NodeInfo(outputs=((None, 4),))
    assert info["dense"] == NodeInfo(outputs=((None, 3),), params=4 * 3 + 3)
    assert info["dense_1"].params == 3 * 3 + 3


def test_an_edit_recomputes_only_what_it_affects(counted):
    graph = dense_chain(30)
    inference = ShapeInference(graph)
    inference.results()
    assert len(counted) == 31
    counted.clear()

    graph.set_param("dense_28", "units", 7)  # changes dense_28 and dense_29 only
    assert inference.info("dense_29").params == 7 * 3 + 3
    assert counted == ["dense_28", "dense_29"]
    counted.clear()

    graph.set_param("dense_5", "activation", "relu")  # same shape: stops at once
    inference.results()
    assert counted == ["dense_5"]
    counted.clear()

    graph.move("dense_3", (100, 100))
    graph.rename("dense_4", "hidden")
    inference.results()
    assert counted == ["dense_4"]


def test_incremental_equals_from_scratch_after_structural_edits():
    graph = dense_chain(6)
    inference = ShapeInference(graph)
    inference.results()
    graph.set_param("input", "shape", [9])
    node, edges = graph.remove_node("dense_2")
    fresh = infer_shapes(graph)
    assert inference.results() == fresh
    assert inference.info("dense_3").error is not None
    graph.insert_node(node)
    for edge in edges:
        graph.add_edge(edge)
    assert inference.results() == infer_shapes(graph)
    assert inference.errors() == {}


def test_errors_name_the_node_and_what_it_received():
    graph = Graph()
    source = graph.add_node("Input", {"shape": []}).id
    head = graph.add_node("Dense", name="classifier").id
    graph.connect(source, head)
    message = infer_shapes(graph)[head].error
    assert message.startswith("classifier (Dense)")
    assert "received ()" in message
    graph.add_node("Dense", name="loose")
    assert "loose" in infer_shapes(graph)["dense_1"].error


def test_downstream_of_an_error_is_unknown_not_an_error():
    graph = dense_chain(3)
    graph.set_param("input", "shape", [])
    info = infer_shapes(graph)
    assert info["dense"].error
    assert info["dense_1"] == NodeInfo()


def test_shared_layer_counts_its_weights_once():
    graph = Graph()
    left = graph.add_node("Input", {"shape": [4]}).id
    right = graph.add_node("Input", {"shape": [4]}).id
    tower = graph.add_node("Dense", {"units": 8}).id
    again = graph.add_node("Dense", shares=tower).id
    graph.connect(left, tower)
    graph.connect(right, again)
    inference = ShapeInference(graph)
    assert inference.info(again).outputs == ((None, 8),)
    assert inference.total_params() == 4 * 8 + 8
    graph.set_param(tower, "units", 2)
    assert inference.info(again).outputs == ((None, 2),)


def test_generic_layers_wait_for_keras_then_resolve():
    graph = dense_chain(1)
    generic = graph.add_node("KerasLayer", {"class_name": "Identity"}).id
    graph.connect("dense", generic)
    inference = ShapeInference(graph, use_keras=False)
    assert inference.info(generic).pending
    assert inference.pending
    inference.enable_keras()
    assert inference.info(generic) == NodeInfo(outputs=((None, 3),))
    assert not inference.pending


def test_keras_refusal_becomes_a_node_error():
    graph = dense_chain(1)
    generic = graph.add_node(
        "KerasLayer", {"class_name": "Reshape", "config": {"target_shape": [5]}}
    ).id
    graph.connect("dense", generic)
    message = infer_shapes(graph)[generic].error
    assert message.startswith(f"{generic} (KerasLayer)")
