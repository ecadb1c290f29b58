"""Random edit sequences: only the project's own errors, and they name real nodes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guibuilder import catalog
from guibuilder.compiler.shapes import ShapeInference, infer_shapes
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge, Graph, GraphError
from tests.profiles import examples

TYPES = sorted(s.type_id for s in catalog.all_specs() if s.type_id != "KerasLayer")
NAMES = ["input", "dense", "dense_1", "conv2d", "add", "lstm", "ghost"]
PARAM_NAMES = sorted({p.name for s in catalog.all_specs() for p in s.params})

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70),
    st.floats(-2, 2),
    st.just(float("nan")),
    st.sampled_from(["relu", "same", "valid", "", "softmax"]),
    st.lists(st.one_of(st.none(), st.integers(-2, 9)), max_size=4),
)
node_ref = st.one_of(st.sampled_from(NAMES), st.integers(0, 12))
ops = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(TYPES)),
    st.tuples(
        st.just("connect"),
        node_ref,
        node_ref,
        st.sampled_from([None, "input", "inputs", "query", "value", "key", "bogus"]),
        st.integers(0, 3),
    ),
    st.tuples(st.just("edge"), node_ref, node_ref, st.integers(-1, 3)),
    st.tuples(st.just("remove"), node_ref),
    st.tuples(st.just("disconnect"), st.integers(0, 20)),
    st.tuples(st.just("param"), node_ref, st.sampled_from(PARAM_NAMES), values),
    st.tuples(st.just("rename"), node_ref, st.sampled_from(["", "  ", "x", "head"])),
    st.tuples(st.just("share"), st.sampled_from(TYPES), node_ref),
    st.tuples(st.just("outputs"), node_ref, st.integers(-1, 2)),
)


def resolve(graph: Graph, ref: str | int) -> str:
    ids = list(graph.nodes)
    if isinstance(ref, int):
        return ids[ref % len(ids)] if ids else "ghost"
    return ref


def apply(graph: Graph, op: tuple) -> None:
    kind = op[0]
    if kind == "add":
        graph.add_node(op[1])
    elif kind == "connect":
        graph.connect(resolve(graph, op[1]), resolve(graph, op[2]), op[3], output=op[4])
    elif kind == "edge":
        graph.add_edge(Edge(resolve(graph, op[1]), resolve(graph, op[2]), "inputs", 0, op[3]))
    elif kind == "remove":
        graph.remove_node(resolve(graph, op[1]))
    elif kind == "disconnect":
        edges = graph.edges
        if edges:
            graph.disconnect(edges[op[1] % len(edges)])
    elif kind == "param":
        graph.set_param(resolve(graph, op[1]), op[2], op[3])
    elif kind == "rename":
        graph.rename(resolve(graph, op[1]), op[2])
    elif kind == "share":
        graph.add_node(op[1], shares=resolve(graph, op[2]))
    elif kind == "outputs":
        graph.set_outputs([(resolve(graph, op[1]), op[2])])


@settings(max_examples=examples(150))
@given(st.lists(ops, max_size=30))
def test_random_edits_raise_only_project_errors_naming_real_nodes(sequence):
    graph = Graph()
    inference = ShapeInference(graph, use_keras=False)
    for op in sequence:
        before = set(graph.nodes)
        try:
            apply(graph, op)
        except GraphError as exc:
            assert set(exc.node_ids) <= before, f"{exc} names nodes that do not exist"
            assert str(exc)
        except GuibuilderError as exc:
            assert str(exc)
        for problem in graph.problems():
            assert set(problem.node_ids) <= set(graph.nodes)
        assert set(inference.results()) == set(graph.nodes)
        for message in inference.errors().values():
            assert message and "\n" not in message
    inference.close()
    # The incremental results equal a fresh computation from scratch.
    assert infer_shapes(graph, use_keras=False) == ShapeInference(graph, use_keras=False).results()
