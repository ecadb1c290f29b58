"""Random edits through the session never get past a teacher's lock.

Every edit the window offers goes through :meth:`Session.push`; whatever a student tries,
in any order, the locked layers keep their parameters, names, flags and inputs, and the
locked settings keep their values. Refusals are the project's own error, and nothing
else is raised.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guibuilder.document import Classroom, LockedError, Project
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge, Graph
from guibuilder.ui.session import Session
from guibuilder.ui.train_commands import ProjectSlotCommand
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
        training={"epochs": 3},
        classroom=Classroom(locked_nodes=LOCKED, locked_settings=frozenset({"dataset", "epochs"})),
    )


def locked_state(session: Session) -> tuple:
    graph = session.graph
    nodes = {
        n: (graph.node(n).params, graph.node(n).name, graph.node(n).trainable, graph.in_edges(n))
        for n in LOCKED
    }
    return copy.deepcopy(nodes), session.project.dataset, session.project.training["epochs"]


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


def attempt(session: Session, step: tuple) -> None:
    graph, project = session.graph, session.project
    kind, *args = step
    present = [n for n in args[0] if n in graph] if kind in ("delete", "paste") else []
    if kind in ("units", "rename", "freeze", "cut", "splice") and args[0] not in graph:
        return
    if kind == "delete":
        session.delete(present)
    elif kind == "units" and "units" in graph.node(args[0]).params:
        session.set_param(args[0], "units", args[1])
    elif kind == "rename":
        session.rename(args[0], args[1])
    elif kind == "freeze":
        session.set_trainable(args[0], args[1])
    elif kind == "cut" and graph.in_edges(args[0]):
        session.delete(edges=graph.in_edges(args[0])[:1])
    elif kind == "connect" and args[0] in graph and args[1] in graph:
        session.connect(Edge(args[0], args[1]))
    elif kind == "splice" and graph.in_edges(args[0]):
        session.splice("Dropout", graph.in_edges(args[0])[0], (0.0, 0.0))
    elif kind == "paste" and present:
        session.paste(session.copy(present))
    elif kind in ("epochs", "rate"):
        name = "epochs" if kind == "epochs" else "learning_rate"
        new = {**project.training, name: args[0]}
        session.push(ProjectSlotCommand(project, "training", new, f"Set {name}"))
    elif kind == "dataset":
        new = {"name": args[0]}
        session.push(ProjectSlotCommand(project, "dataset", new, "Use dataset"))
    elif kind == "undo":
        session.undo_stack.undo()


@settings(
    max_examples=examples(40),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(edit, max_size=12))
def test_random_edits_never_break_a_lock(qapp, steps):
    session = Session(lesson())
    before = locked_state(session)
    refused = []
    session.refused.connect(refused.append)
    raised = 0
    try:
        for step in steps:
            try:
                attempt(session, step)
            except LockedError as exc:
                raised += 1
                assert exc.message and "\n" not in exc.message
            except GuibuilderError:
                pass
            assert locked_state(session) == before
        assert len(refused) == raised
    finally:
        session.close()
