"""Random edits through the editor never get past a teacher's lock.

Every edit the window offers goes through :meth:`Editor.push`; whatever a student tries,
in any order, the locked layers keep their parameters, names, flags and inputs, and the
locked settings keep their values. Refusals are the project's own error, and nothing
else is raised.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guibuilder.document import Classroom, LockedError, Project
from guibuilder.document.settings import TrainConfig
from guibuilder.editing import Editor
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge, Graph
from tests.profiles import examples

LOCKED = frozenset({"x", "mid"})
NODES = ("x", "a", "mid", "b", "out")


def lesson() -> Project:
    graph = Graph("lesson")
    graph.add_node("Input", {"shape": [6]}, node_id="x")
    graph.add_node("Dense", {"units": 5}, node_id="a")
    graph.add_node("Dense", {"units": 4}, node_id="mid")
    graph.add_node("Dense", {"units": 3}, node_id="b")
    graph.add_node("Dense", {"units": 2}, node_id="out")
    for source, target in (("x", "a"), ("a", "mid"), ("mid", "b"), ("b", "out")):
        graph.connect(source, target)
    return Project(
        graph,
        dataset={"name": "digits"},
        training=TrainConfig(epochs=3),
        classroom=Classroom(locked_nodes=LOCKED, locked_settings=frozenset({"dataset", "epochs"})),
    )


def locked_state(editor: Editor) -> tuple:
    graph = editor.graph
    nodes = {
        n: (graph.node(n).params, graph.node(n).name, graph.node(n).trainable, graph.in_edges(n))
        for n in LOCKED
    }
    return copy.deepcopy(nodes), editor.project.dataset, editor.project.training.epochs


node = st.sampled_from(NODES)
edit = st.one_of(
    st.tuples(st.just("delete"), st.lists(node, min_size=1, max_size=2)),
    st.tuples(st.just("units"), node, st.integers(1, 9)),
    st.tuples(st.just("rename"), node, st.sampled_from(["p", "q"])),
    st.tuples(st.just("freeze"), node, st.booleans()),
    st.tuples(st.just("cut"), node),
    st.tuples(st.just("connect"), node, node),
    st.tuples(st.just("splice"), node),
    st.tuples(st.just("paste"), st.lists(node, min_size=1, max_size=3)),
    st.tuples(st.just("epochs"), st.integers(1, 9)),
    st.tuples(st.just("rate"), st.sampled_from([0.1, 0.01])),
    st.tuples(st.just("dataset"), st.sampled_from(["iris", "digits"])),
    st.tuples(st.just("undo")),
)


def attempt(editor: Editor, step: tuple) -> None:
    graph, project = editor.graph, editor.project
    kind, *args = step
    present = [n for n in args[0] if n in graph] if kind in ("delete", "paste") else []
    if kind in ("units", "rename", "freeze", "cut", "splice") and args[0] not in graph:
        return
    if kind == "delete":
        editor.delete(present)
    elif kind == "units" and "units" in graph.node(args[0]).params:
        editor.set_param(args[0], "units", args[1])
    elif kind == "rename":
        editor.rename(args[0], args[1])
    elif kind == "freeze":
        editor.set_trainable(args[0], args[1])
    elif kind == "cut" and graph.in_edges(args[0]):
        editor.delete(edges=graph.in_edges(args[0])[:1])
    elif kind == "connect" and args[0] in graph and args[1] in graph:
        editor.add_edge(Edge(args[0], args[1]))
    elif kind == "splice" and graph.in_edges(args[0]):
        editor.splice("Dropout", graph.in_edges(args[0])[0], (0.0, 0.0))
    elif kind == "paste" and present:
        editor.paste(editor.copy(present))
    elif kind in ("epochs", "rate"):
        name = "epochs" if kind == "epochs" else "learning_rate"
        new = replace(project.training, **{name: args[0]})
        editor.set_slot("training", new, f"Set {name}")
    elif kind == "dataset":
        new = {"name": args[0]}
        editor.set_slot("dataset", new, "Use dataset")
    elif kind == "undo":
        editor.history.undo()


@settings(
    max_examples=examples(40),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps=st.lists(edit, max_size=12))
def test_random_edits_never_break_a_lock(steps):
    editor = Editor(lesson())
    before = locked_state(editor)
    refused = []
    editor.refused.connect(refused.append)
    raised = 0
    for step in steps:
        try:
            attempt(editor, step)
        except LockedError as exc:
            raised += 1
            assert exc.message and "\n" not in exc.message
        except GuibuilderError:
            pass
        assert locked_state(editor) == before
    assert len(refused) == raised
