"""The graph: edits, events, ports and validation."""

from __future__ import annotations

import pytest

from guibuilder.catalog import ParamError
from guibuilder.graph import (
    CycleError,
    DuplicateEdgeError,
    DuplicateNodeError,
    Edge,
    Graph,
    GraphError,
    MissingInputError,
    NoInputError,
    NoOutputError,
    PortError,
    SharedLayerError,
    UnknownLayerTypeError,
    UnknownNodeError,
)


def chain(*units: int) -> Graph:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [4]}).id
    for u in units:
        current = graph.add_node("Dense", {"units": u}).id
        graph.connect(previous, current)
        previous = current
    return graph


def test_ids_follow_keras_style_and_names_default_to_ids():
    graph = chain(3, 2)
    assert list(graph.nodes) == ["input", "dense", "dense_1"]
    assert graph.node("dense_1").name == "dense_1"
    assert graph.new_id("MultiHeadAttention") == "multi_head_attention"


def test_defaults_are_filled_and_values_checked():
    graph = Graph()
    node = graph.add_node("Dense")
    assert node.params["units"] == 10
    assert node.params["activation"] == "linear"
    with pytest.raises(ParamError, match="units must be at least 1"):
        graph.set_param(node.id, "units", 0)
    with pytest.raises(ParamError, match="activation must be one of"):
        graph.set_param(node.id, "activation", "bogus")
    with pytest.raises(ParamError, match="has no parameter"):
        graph.set_param(node.id, "filters", 3)
    assert node.params["units"] == 10, "a refused edit changes nothing"


def test_every_change_emits_its_event():
    graph = Graph()
    seen: list[tuple] = []
    for name in ("node_added", "node_removed", "node_changed", "node_moved"):
        getattr(graph.events, name).connect(lambda *a, n=name: seen.append((n, *a)))
    graph.events.edge_added.connect(lambda e: seen.append(("edge_added", e)))
    graph.events.edge_removed.connect(lambda e: seen.append(("edge_removed", e)))
    changed: list[int] = []
    graph.events.changed.connect(lambda: changed.append(1))

    a = graph.add_node("Input", {"shape": [4]})
    b = graph.add_node("Dense")
    edge = graph.connect(a.id, b.id)
    graph.set_param(b.id, "units", 3)
    graph.rename(b.id, "classifier")
    graph.set_trainable(b.id, False)
    graph.move(b.id, (10, 20))
    graph.remove_node(b.id)

    kinds = [s[0] for s in seen]
    assert kinds == [
        "node_added",
        "node_added",
        "edge_added",
        "node_changed",
        "node_changed",
        "node_changed",
        "node_moved",
        "edge_removed",
        "node_removed",
    ]
    assert seen[2][1] == edge
    assert [s[2] for s in seen if s[0] == "node_changed"] == ["params", "name", "trainable"]
    assert len(changed) == len(seen)


def test_no_event_when_nothing_changes():
    graph = chain(3)
    calls: list[int] = []
    graph.events.changed.connect(lambda: calls.append(1))
    graph.set_param("dense", "units", 3)
    graph.move("dense", graph.node("dense").position)
    graph.rename("dense", "dense")
    assert calls == []


def test_cycle_is_refused_with_node_ids():
    graph = chain(3, 3)
    graph.disconnect(graph.in_edges("dense")[0])
    with pytest.raises(CycleError) as info:
        graph.connect("dense_1", "dense")
    assert set(info.value.node_ids) == {"dense", "dense_1"}
    with pytest.raises(CycleError):
        graph.connect("dense", "dense")


def test_single_input_takes_one_edge_and_duplicates_are_refused():
    graph = chain(3)
    extra = graph.add_node("Input", {"shape": [4]}).id
    with pytest.raises(DuplicateEdgeError) as info:
        graph.connect(extra, "dense", "input")
    assert "dense" in info.value.node_ids
    with pytest.raises(DuplicateEdgeError):
        graph.connect(extra, "dense")


def test_wrong_ports_and_outputs_are_refused():
    graph = chain(3)
    with pytest.raises(PortError, match="has no input 'query'"):
        graph.connect("input", "dense", "query")
    with pytest.raises(PortError, match="takes no input"):
        graph.connect("dense", "input")
    other = graph.add_node("Dense").id
    with pytest.raises(PortError, match="has no output 1"):
        graph.connect("dense", other, output=1)
    with pytest.raises(PortError, match="single edge"):
        graph.add_edge(Edge("dense", other, "input", 0, 1))


def test_unknown_things_raise_project_errors():
    graph = Graph()
    with pytest.raises(UnknownLayerTypeError):
        graph.add_node("NoSuchLayer")
    with pytest.raises(UnknownNodeError):
        graph.node("ghost")
    with pytest.raises(GraphError, match="not a valid node id"):
        graph.add_node("Dense", node_id="has/slash")
    graph.add_node("Dense", node_id="d")
    with pytest.raises(DuplicateNodeError):
        graph.add_node("Dense", node_id="d")
    with pytest.raises(GraphError, match="no edge"):
        graph.disconnect(Edge("d", "d"))


def test_validation_reports_missing_input_no_input_and_no_output():
    empty_inputs = Graph()
    empty_inputs.add_node("Dense")
    kinds = {type(p) for p in empty_inputs.problems()}
    assert {NoInputError, MissingInputError} <= kinds

    only_input = Graph()
    only_input.add_node("Input")
    assert any(isinstance(p, NoOutputError) for p in only_input.problems())

    good = chain(4, 2)
    assert good.problems() == []
    good.validate()
    missing = good.problems
    good.remove_node("dense")
    problem = missing()[0]
    assert isinstance(problem, MissingInputError)
    assert problem.node_ids == ("dense_1",)


def test_remove_node_returns_what_undo_needs():
    graph = chain(3, 3)
    node, edges = graph.remove_node("dense")
    assert node.id == "dense"
    assert {(e.source, e.target) for e in edges} == {("input", "dense"), ("dense", "dense_1")}
    graph.insert_node(node)
    for edge in edges:
        graph.add_edge(edge)
    assert graph.problems() == []
    assert [(e.source, e.target) for e in graph.edges] == [
        ("dense", "dense_1"),
        ("input", "dense"),
    ]


def test_variadic_ports_take_slots_in_order():
    graph = Graph()
    a = graph.add_node("Input", {"shape": [4]}).id
    b = graph.add_node("Input", {"shape": [4]}).id
    merge = graph.add_node("KerasLayer", {"class_name": "Add"}).id
    first = graph.connect(b, merge)
    second = graph.connect(a, merge)
    assert (first.slot, second.slot) == (0, 1)
    assert [e.source for e in graph.in_edges(merge)] == [b, a]
    graph.disconnect(first)
    assert graph.connect(b, merge).slot == 2


def test_outputs_default_to_sinks_and_can_be_fixed():
    graph = chain(3, 2)
    side = graph.add_node("Dense", {"units": 1}).id
    graph.connect("dense", side)
    assert graph.outputs() == [("dense_1", 0), (side, 0)]
    graph.set_outputs([(side, 0), ("dense", 0)])
    assert graph.outputs() == [(side, 0), ("dense", 0)]
    graph.remove_node(side)
    assert graph.outputs() == [("dense", 0)]
    with pytest.raises(PortError):
        graph.set_outputs([("dense", 4)])


def test_shared_layers():
    graph = Graph()
    left = graph.add_node("Input", {"shape": [4]}).id
    right = graph.add_node("Input", {"shape": [4]}).id
    tower = graph.add_node("Dense", {"units": 8}).id
    again = graph.add_node("Dense", shares=tower).id
    graph.connect(left, tower)
    graph.connect(right, again)
    assert graph.effective_params(again) == graph.node(tower).params
    graph.set_param(again, "units", 5)  # edits the shared layer itself
    assert graph.node(tower).params["units"] == 5
    assert graph.downstream([tower]) == {tower, again}
    with pytest.raises(SharedLayerError):
        graph.remove_node(tower)
    with pytest.raises(SharedLayerError):
        graph.add_node("Dense", shares=again)
    with pytest.raises(SharedLayerError):
        graph.add_node("Dense", shares="nobody")


def test_topological_order_and_downstream():
    graph = chain(3, 3, 3)
    assert graph.topological_order() == ["input", "dense", "dense_1", "dense_2"]
    assert graph.downstream(["dense_1"]) == {"dense_1", "dense_2"}
    assert graph.predecessors("dense_1") == ["dense"]
    assert graph.successors("dense_1") == ["dense_2"]
