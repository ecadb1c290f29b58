"""Nothing lands on top of anything: placement of new cards, room made for a splice.

The editing layer places cards with the card size the canvas draws
(:data:`guibuilder.editing.placement.CARD`); a random sequence of edits never leaves two
cards overlapping, and the moves that make room undo with the edit that needed them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH, V_GAP, auto_layout
from guibuilder.document import load_project, project_to_dict
from guibuilder.editing import Editor
from guibuilder.editing.placement import (
    CARD,
    CLEARANCE,
    LANE_GAP,
    card,
    clash,
    free_offset,
    overlapping,
    side_lane,
)
from guibuilder.editing.quickfix import quick_fixes
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "digits_cnn.gbproj"


def demo() -> Editor:
    return Editor(load_project(DEMO))


def test_the_card_is_the_size_the_layout_and_the_canvas_use():
    assert CARD == (NODE_WIDTH, NODE_HEIGHT)
    assert clash(card((0, 0)), card((NODE_WIDTH - 1, 0)))
    assert not clash(card((0, 0)), card((NODE_WIDTH, 0)))


def test_a_splice_on_the_demo_goes_on_the_edge_and_pushes_the_rest_down():
    editor = demo()
    graph = editor.graph
    before = project_to_dict(editor.project)
    below = {n: graph.node(n).position for n in ("features", "dropout", "digit")}
    conv = graph.node("conv_2").position
    middle = (conv[0] + NODE_WIDTH / 2, conv[1] + NODE_HEIGHT + V_GAP / 2)
    pool = editor.splice("MaxPooling2D", Edge("conv_2", "features"), middle)
    assert overlapping(graph) == []
    assert graph.node(pool).position == (conv[0], conv[1] + NODE_HEIGHT + V_GAP)
    step = NODE_HEIGHT + V_GAP
    for node_id, (x, y) in below.items():
        assert graph.node(node_id).position == (x, y + step)
    assert graph.node("image").position == (0.0, 0.0)
    assert editor.history.undo_text == "Insert MaxPooling2D"
    editor.history.undo()
    assert project_to_dict(editor.project) == before


def test_a_layer_added_on_a_card_goes_beside_it():
    editor = demo()
    conv = editor.graph.node("conv_2").position
    new = editor.add_node("Conv2D", (conv[0] + NODE_WIDTH / 2, conv[1] + NODE_HEIGHT / 2))
    x, y = editor.graph.node(new).position
    assert overlapping(editor.graph) == []
    assert y == conv[1] and abs(x - conv[0]) == NODE_WIDTH + CLEARANCE


def test_paste_and_duplicate_land_in_free_space():
    editor = demo()
    graph = editor.graph
    snippet = editor.copy(["conv_2", "features"])
    pasted = editor.paste(snippet, center=(90.0, 450.0))
    again = editor.paste(snippet, center=(90.0, 450.0))
    twin = editor.paste(editor.copy(["pool"]))
    assert len(graph) == 7 + 5 and overlapping(graph) == []
    assert graph.successors(pasted[0]) == [pasted[1]] and graph.successors(again[0]) == [again[1]]
    for a in (*pasted, *again, *twin):
        for b in graph.nodes:
            if a != b:
                assert not clash(card(graph.node(a).position), card(graph.node(b).position))


def test_the_input_a_quick_fix_adds_lands_in_free_space():
    editor = demo()
    graph = editor.graph
    editor.delete(["image"])
    editor.add_node("Dense", (NODE_WIDTH / 2, NODE_HEIGHT / 2))  # where the input was
    fix = next(f for f in quick_fixes(graph, "conv_1") if f.title == "Add an Input above it")
    editor.push(fix.build(graph))
    assert overlapping(graph) == [] and len(graph.input_nodes()) == 1


def test_a_card_dropped_onto_another_moves_on_to_a_free_spot():
    editor = demo()
    graph = editor.graph
    editor.move_nodes({"digit": ((0.0, 720.0), (20.0, 610.0))})
    assert overlapping(graph) == []
    assert graph.node("digit").position != (0.0, 720.0)
    editor.history.undo()
    assert graph.node("digit").position == (0.0, 720.0)


def test_the_free_offset_is_the_nearest_and_always_exists():
    wall = [card((float(x), 0.0)) for x in range(0, 2000, 100)]
    dx, dy = free_offset([card((500.0, 10.0))], wall)
    assert (dx, dy) == (0.0, NODE_HEIGHT + CLEARANCE - 10.0)
    assert free_offset([card((5000.0, 0.0))], wall) == (0.0, 0.0)


def test_an_edge_that_would_pass_behind_cards_gets_a_lane_beside_them():
    column = [card((0.0, 120.0 * i)) for i in (1, 2, 3)]
    start, end = (90.0, 64.0), (90.0, 480.0)
    assert side_lane(start, end, column) == NODE_WIDTH + LANE_GAP
    assert side_lane(start, end, []) is None
    assert side_lane(start, end, [card((300.0, 200.0))]) is None
    beside = card((NODE_WIDTH + 30, 240.0))
    assert side_lane(start, end, [*column, beside]) == -LANE_GAP
    wall = [*column, beside, card((-NODE_WIDTH - 30, 240.0))]
    assert side_lane(start, end, wall) == 2 * NODE_WIDTH + 30 + LANE_GAP


NODES = ("image", "conv_1", "pool", "conv_2", "features", "dropout", "digit")
node = st.sampled_from(NODES)
point = st.tuples(st.integers(-2, 6), st.integers(-1, 12)).map(lambda p: (p[0] * 45.0, p[1] * 70.0))
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["Dense", "Dropout", "Conv2D"]), point),
    st.tuples(st.just("splice"), node, point),
    st.tuples(st.just("paste"), st.lists(node, min_size=1, max_size=3), st.none() | point),
    st.tuples(st.just("move"), st.lists(node, min_size=1, max_size=2), point),
    st.tuples(st.just("delete"), node),
    st.tuples(st.just("connect"), node, node),
    st.tuples(st.just("layout")),
    st.tuples(st.just("fix"), node),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


def attempt(editor: Editor, action: tuple) -> None:
    graph = editor.graph
    kind, *args = action
    if kind == "add":
        editor.add_node(args[0], args[1])
    elif kind == "splice" and args[0] in graph and graph.in_edges(args[0]):
        editor.splice("BatchNormalization", graph.in_edges(args[0])[0], args[1])
    elif kind == "paste":
        present = [n for n in args[0] if n in graph]
        if present:
            editor.paste(editor.copy(present), args[1])
    elif kind == "move":
        present = [n for n in args[0] if n in graph]
        first = graph.node(present[0]).position if present else (0.0, 0.0)
        dx, dy = args[1][0] - first[0], args[1][1] - first[1]
        editor.move_nodes(
            {
                n: (
                    graph.node(n).position,
                    (graph.node(n).position[0] + dx, graph.node(n).position[1] + dy),
                )
                for n in present
            }
        )
    elif kind == "delete" and args[0] in graph:
        editor.delete([args[0]])
    elif kind == "connect" and args[0] in graph and args[1] in graph:
        editor.add_edge(Edge(args[0], args[1]))
    elif kind == "fix" and args[0] in graph:
        fixes = quick_fixes(graph, args[0])
        if fixes:
            editor.push(fixes[-1].build(graph))
    elif kind == "layout":
        editor.set_positions(auto_layout(graph), "Auto-layout")
    elif kind == "undo":
        editor.history.undo()
    elif kind == "redo":
        editor.history.redo()


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(actions=st.lists(step, max_size=14))
def test_random_edits_never_leave_two_cards_overlapping(actions):
    editor = demo()
    for action in actions:
        with contextlib.suppress(GuibuilderError):
            attempt(editor, action)
        assert overlapping(editor.graph) == [], action
