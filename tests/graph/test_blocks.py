"""The residual block expands into ordinary nodes that infer, and build, the right shapes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guibuilder.catalog import ParamError
from guibuilder.compiler.layers import apply_layer, load_keras, make_layer
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.graph import Graph, UnknownNodeError
from guibuilder.graph.blocks import BLOCKS, BlockError, expand_block, get_block


def _graph(shape=(8, 8, 16)) -> Graph:
    graph = Graph()
    graph.add_node("Input", {"shape": list(shape)}, node_id="image")
    return graph


def _keras_outputs(graph: Graph):
    """Build the graph with Keras, one node at a time; return (output tensor, model)."""
    keras = load_keras()
    tensors = {}
    inputs = []
    for node_id in graph.topological_order():
        node = graph.node(node_id)
        if node.type_id == "Input":
            tensor = keras.Input(shape=node.params["shape"], name=node_id)
            inputs.append(tensor)
            tensors[(node_id, 0)] = tensor
            continue
        spec = graph.spec(node_id)
        layer = make_layer(spec, node.params, node_id)
        edges = graph.in_edges(node_id)
        args = [(e.port, tensors[(e.source, e.output)]) for e in edges]
        for i, out in enumerate(apply_layer(spec, layer, args)):
            tensors[(node_id, i)] = out
    (last_id, _), *_ = graph.outputs()
    output = tensors[(last_id, 0)]
    return output, keras.Model(inputs, output)


@pytest.mark.parametrize(
    ("shape", "params", "projected", "out_shape"),
    [
        ((8, 8, 16), {"filters": 16}, False, (None, 8, 8, 16)),
        ((8, 8, 16), {"filters": 32}, True, (None, 8, 8, 32)),
        ((9, 9, 8), {"filters": 8, "strides": 2}, True, (None, 5, 5, 8)),
        ((6, 6, 4), {"filters": 4, "kernel_size": [5, 3], "projection": "always"}, True, None),
    ],
)
def test_residual_block_builds(shape, params, projected, out_shape):
    graph = _graph(shape)
    ids = expand_block(graph, "residual", "image", params, (None, *shape), origin=(100, 50))
    assert all(node_id in graph for node_id in ids)
    types = [graph.node(n).type_id for n in ids]
    assert types.count("Conv2D") == (3 if projected else 2)
    assert types.count("BatchNormalization") == (3 if projected else 2)
    assert types.count("ReLU") == 2 and types.count("Add") == 1
    assert types[-1] == "ReLU" and ids[0] in graph.successors("image")
    add = next(n for n in ids if graph.node(n).type_id == "Add")
    assert len(graph.in_edges(add)) == 2
    assert ("image" in graph.predecessors(add)) is not projected

    info = infer_shapes(graph, use_keras=False)
    assert not [i.error for i in info.values() if i.error]
    expected = out_shape or (None, *shape)
    assert info[ids[-1]].outputs == (expected,)

    output, model = _keras_outputs(graph)
    assert tuple(output.shape) == expected
    assert model.count_params() == sum(i.params for i in info.values())
    assert {layer.name for layer in model.layers[1:]} == set(ids)

    positions = [graph.node(n).position for n in ids]
    assert len(set(positions)) == len(positions), "nodes must not sit on top of each other"
    assert positions[0] == (100.0, 50.0)
    assert all(x >= 100 and y >= 50 for x, y in positions)


def test_two_blocks_get_distinct_ids():
    graph = _graph()
    first = expand_block(graph, "residual", "image", {"filters": 16}, (None, 8, 8, 16))
    second = expand_block(graph, "residual", first[-1], {"filters": 16}, (None, 8, 8, 16))
    assert not set(first) & set(second)
    assert graph.predecessors(second[0]) == [first[-1]]
    assert not [i.error for i in infer_shapes(graph, use_keras=False).values() if i.error]


def test_unknown_input_shape_projects_the_skip():
    graph = _graph()
    ids = expand_block(graph, "residual", "image", {"filters": 16}, None)
    assert [graph.node(n).type_id for n in ids].count("Conv2D") == 3


@pytest.mark.parametrize(
    ("block_id", "source", "params", "shape", "error", "words"),
    [
        ("nope", "image", {}, (None, 8, 8, 16), BlockError, "no block 'nope'"),
        ("residual", "ghost", {}, (None, 8, 8, 16), UnknownNodeError, "ghost"),
        ("residual", "image", {"filters": 0}, (None, 8, 8, 16), ParamError, "filters"),
        ("residual", "image", {"size": 3}, (None, 8, 8, 16), ParamError, "size"),
        ("residual", "image", {}, (None, 16), BlockError, "(height, width, channels)"),
    ],
)
def test_bad_requests_change_nothing(block_id, source, params, shape, error, words):
    graph = _graph()
    with pytest.raises(error) as info:
        expand_block(graph, block_id, source, params, shape)
    assert words in str(info.value)
    assert list(graph.nodes) == ["image"] and not graph.edges


def test_a_failure_half_way_rolls_back(monkeypatch):
    graph = _graph()
    real_add = graph.add_node

    def add_three(type_id, *args, **kwargs):
        if len(graph) == 4:
            raise ParamError("refused on purpose")
        return real_add(type_id, *args, **kwargs)

    monkeypatch.setattr(graph, "add_node", add_three)
    with pytest.raises(ParamError):
        expand_block(graph, "residual", "image", {}, (None, 8, 8, 16))
    assert list(graph.nodes) == ["image"] and not graph.edges


def test_ids_avoid_nodes_that_exist():
    graph = _graph()
    graph.add_node("Dense", node_id="residual_block_add")
    ids = expand_block(graph, "residual", "image", {"filters": 16}, (None, 8, 8, 16))
    assert all(n.startswith("residual_block_1_") for n in ids)


def test_block_schema():
    assert [b.id for b in BLOCKS] == ["residual"]
    block = get_block("residual")
    assert block.category == "Blocks" and block.title and block.summary
    assert block.normalize({}) == block.defaults()
    assert block.normalize({"kernel_size": [3, 3]})["kernel_size"] == [3, 3]


def test_blocks_import_no_keras():
    code = "import sys, guibuilder.graph.blocks; assert 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
