"""Shape inference after one parameter change on a 400+ node graph (goal <= 100 ms).

The graph is a ResNet-like stack of residual blocks (Conv2D, BatchNormalization, ReLU,
Conv2D, BatchNormalization, Add, ReLU). Two edits are timed, each the median of many: a
change in the middle that keeps every shape (an activation), and the worst case, the
Input's shape, which alters the shape of every node.
The last line is the worst-case time in milliseconds.
"""

from __future__ import annotations

import statistics
import time

from guibuilder.compiler.shapes import ShapeInference
from guibuilder.graph import Graph

BLOCKS = 58  # 7 nodes per block: 406 nodes with the stem


def residual_stack(blocks: int) -> Graph:
    graph = Graph()
    x = graph.add_node("Input", {"shape": [32, 32, 3]}).id
    stem = graph.add_node("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}).id
    graph.connect(x, stem)
    x = stem
    for _ in range(blocks):
        a = graph.add_node("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}).id
        bn = graph.add_node("BatchNormalization").id
        relu = graph.add_node("ReLU").id
        b = graph.add_node("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}).id
        bn2 = graph.add_node("BatchNormalization").id
        add = graph.add_node("Add").id
        out = graph.add_node("ReLU").id
        for src, dst in ((x, a), (a, bn), (bn, relu), (relu, b), (b, bn2), (bn2, add), (x, add)):
            graph.connect(src, dst)
        graph.connect(add, out)
        x = out
    return graph


def time_edit(inference: ShapeInference, edit, undo, runs: int = 30) -> float:
    times = []
    for i in range(runs):
        (edit if i % 2 == 0 else undo)()
        start = time.perf_counter()
        inference.results()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    graph = residual_stack(BLOCKS)
    inference = ShapeInference(graph, use_keras=False)
    start = time.perf_counter()
    inference.results()
    first = (time.perf_counter() - start) * 1000
    assert not inference.errors(), inference.errors()
    ids = list(graph.nodes)
    middle_conv = [n for n in ids[len(ids) // 2 :] if graph.node(n).type_id == "Conv2D"][1]
    print(f"{len(graph)} nodes, {len(graph.edges)} edges; first full inference {first:.1f} ms")
    same = time_edit(
        inference,
        lambda: graph.set_param(middle_conv, "activation", "relu"),
        lambda: graph.set_param(middle_conv, "activation", "linear"),
    )
    print(f"activation change (no shape changes): {same:.2f} ms")
    worst = time_edit(
        inference,
        lambda: graph.set_param("input", "shape", [64, 64, 3]),
        lambda: graph.set_param("input", "shape", [32, 32, 3]),
    )
    print(f"Input shape change (every node changes): {worst:.2f} ms (goal <= 100)")
    print(f"{worst:.2f}")


if __name__ == "__main__":
    main()
