"""The editing layer without Qt: a whole model built, undone, redone, locked, fixed and saved."""

from __future__ import annotations

import pytest

from guibuilder.compiler.shapes import infer_shapes
from guibuilder.document import (
    Classroom,
    LockedError,
    load_project,
    project_to_dict,
    save_project,
)
from guibuilder.editing import Edit, Editor, History
from guibuilder.editing.edits import SetParams
from guibuilder.editing.quickfix import quick_fixes
from guibuilder.graph import CycleError, DuplicateEdgeError, Edge, PortError
from tests.test_architecture import KERAS, QT, loaded_after


def test_a_model_is_built_undone_redone_locked_fixed_saved_and_reloaded(tmp_path):
    editor = Editor()
    graph, history = editor.graph, editor.history
    x = editor.add_node("Input", (0, 0))
    hidden = editor.add_node("Dense", (0, 100))
    out = editor.add_node("Dense", (0, 200))
    editor.add_edge(Edge(x, hidden))
    editor.add_edge(Edge(hidden, out))
    editor.set_params(x, {"shape": [4]})
    editor.set_param(hidden, "units", 8)
    editor.set_params(out, {"units": 3, "activation": "softmax"})
    editor.rename(out, "classes")
    editor.set_slot("training", {"epochs": 2}, "Set epochs")
    assert (x, hidden, out) == ("input", "dense", "dense_1")
    assert len(history) == 10 and editor.modified
    assert history.undo_text == "Set epochs"
    assert infer_shapes(graph, use_keras=False)[out].outputs == ((None, 3),)

    built = project_to_dict(editor.project)
    for _ in range(len(history)):
        history.undo()
    assert not graph.nodes and editor.project.training is None and not editor.modified
    for _ in range(len(history)):
        history.redo()
    assert project_to_dict(editor.project) == built

    # An edit after an undo drops what could be redone.
    history.undo()
    editor.set_slot("training", {"epochs": 3}, "Set epochs")
    assert len(history) == 10 and not history.can_redo

    # The teacher locks the hidden layer and switches Student View on: the history ends there.
    locks = Classroom(locked_nodes=frozenset({hidden}), student_view=True)
    refused: list[str] = []
    editor.refused.connect(refused.append)
    editor.set_slot("classroom", locks, "Student view")
    assert not history.can_undo and editor.modified
    with pytest.raises(LockedError, match="locked"):
        editor.set_param(hidden, "units", 16)
    with pytest.raises(LockedError):
        editor.delete([hidden])
    assert refused and refused[0].endswith(".") and len(refused) == 2
    assert graph.node(hidden).params["units"] == 8
    assert editor.refusal(SetParams(graph, out, {"units": 4})) is None
    assert "locked" in editor.refusal(SetParams(graph, hidden, {"units": 4}))

    # The student cuts the output layer loose; a quick fix connects it back, one undo step.
    editor.delete(edges=[Edge(hidden, out)])
    fixes = quick_fixes(graph, out)
    assert [fix.title for fix in fixes] == [f"Connect {hidden} to it"]
    editor.push(fixes[0].build(graph))
    assert graph.predecessors(out) == [hidden]
    history.undo()
    assert graph.predecessors(out) == []
    history.redo()

    path = tmp_path / "built.gbproj"
    save_project(editor.project, path)
    history.set_clean()
    assert not editor.modified
    again = load_project(path)
    assert project_to_dict(again) == project_to_dict(editor.project)
    assert again.classroom == locks


def test_the_editor_and_the_graph_refuse_an_edge_with_one_check():
    editor = Editor()
    for type_id in ("Input", "Dense", "Dense", "Add"):
        editor.add_node(type_id, (0, 0))
    editor.add_edge(Edge("input", "dense"))
    editor.add_edge(Edge("dense", "add", "inputs", 0, 0))
    cases = [
        (Edge("dense", "input"), PortError),
        (Edge("input", "dense"), DuplicateEdgeError),
        (Edge("add", "add", "inputs", 0, 1), CycleError),
        (Edge("input", "dense_1", "query"), PortError),
        (Edge("input", "dense_1", "input", 0, 1), PortError),
    ]
    for edge, error in cases:
        with pytest.raises(error) as by_editor:
            editor.add_edge(edge)
        with pytest.raises(error) as by_graph:
            editor.graph.add_edge(edge)
        assert by_editor.value.message == by_graph.value.message
    assert len(editor.history) == 6


def test_splice_paste_and_freeze_are_one_undo_step_each():
    editor = Editor()
    editor.add_node("Input", (0, 0))
    editor.add_node("Dense", (0, 100))
    editor.add_node("Dense", (0, 200))
    editor.add_edge(Edge("input", "dense"))
    editor.add_edge(Edge("dense", "dense_1"))
    graph, history = editor.graph, editor.history
    before = project_to_dict(editor.project)
    steps = len(history)

    dropout = editor.splice("Dropout", Edge("dense", "dense_1"), (0, 150))
    assert graph.successors("dense") == [dropout] and graph.successors(dropout) == ["dense_1"]
    pasted = editor.paste(editor.copy(["dense", dropout]))
    assert pasted == ["dense_2", "dropout_1"] and graph.predecessors("dropout_1") == ["dense_2"]
    assert editor.freeze_up_to(dropout) == ["dense", dropout]
    assert editor.unfreeze_all() == ["dense", dropout]
    assert len(history) == steps + 4
    for _ in range(4):
        history.undo()
    assert project_to_dict(editor.project) == before


def test_the_history_merges_an_edit_that_asks_to_but_not_across_a_save():
    class Add(Edit):
        def __init__(self, box: list[int], amount: int) -> None:
            self.box, self.amount, self.text = box, amount, f"Add {amount}"

        def do(self) -> None:
            self.box[0] += self.amount

        def undo(self) -> None:
            self.box[0] -= self.amount

        def merge(self, following: Edit) -> bool:
            if not isinstance(following, Add):
                return False
            self.amount += following.amount
            return True

    box, history = [0], History()
    moved: list[bool] = []
    history.events.clean_changed.connect(moved.append)
    history.push(Add(box, 1))
    history.push(Add(box, 2))
    assert len(history) == 1 and box == [3] and history.undo_text == "Add 1"
    history.set_clean()
    history.push(Add(box, 4))
    assert len(history) == 2 and box == [7]
    history.undo()
    history.undo()
    assert box == [0] and moved == [False, True, False, True, False]


def test_changes_with_one_merge_key_are_one_undo_step_and_other_keys_are_not():
    editor = Editor()
    history = editor.history
    x = editor.add_node("Input", (0, 0))
    for units in (2, 3, 4):  # scrolling through a spin box that keeps the focus
        editor.set_param(x, "shape", [units], merge="spin:1")
    assert len(history) == 2 and editor.graph.node(x).params["shape"] == [4]
    editor.set_param(x, "shape", [5], merge="spin:2")  # the focus came back: a new step
    editor.set_param(x, "shape", [6])  # no key: its own step
    editor.set_param(x, "shape", [7])
    for epochs in (2, 3):
        editor.set_slot("training", {"epochs": epochs}, "Set epochs", merge="epochs:1")
    editor.set_slot("dataset", {"name": "digits"}, "Use digits", merge="epochs:1")
    assert len(history) == 7
    history.undo()
    history.undo()
    assert editor.project.training is None
    history.undo()
    history.undo()
    history.undo()
    assert editor.graph.node(x).params["shape"] == [4]
    history.undo()
    assert editor.graph.node(x).params["shape"] != [4] and len(history) == 7
    history.redo()
    assert editor.graph.node(x).params["shape"] == [4]


def test_the_editing_layer_loads_neither_qt_nor_keras():
    loaded = loaded_after("import guibuilder.editing, guibuilder.editing.cli")
    assert not loaded & set(QT + KERAS), sorted(loaded & set(QT + KERAS))


def test_slot_edits_and_their_undo_are_announced_by_the_project():
    editor = Editor()
    seen: list[tuple[str, object]] = []
    for slot in ("training", "dataset", "classroom", "weights", "title"):
        editor.project.events[slot].connect(lambda new, old, slot=slot: seen.append((slot, new)))
    editor.set_slot("training", {"epochs": 2}, "Set epochs")
    editor.set_slot("dataset", {"name": "iris"}, "Use dataset iris")
    editor.set_slot("dataset", {"name": "iris"}, "Use dataset iris")  # the same: no event
    for _ in range(3):
        editor.history.undo()
    assert seen == [
        ("training", {"epochs": 2}),
        ("dataset", {"name": "iris"}),
        ("dataset", None),
        ("training", None),
    ]


@pytest.mark.parametrize(
    "values",
    [
        {"module": "os", "class_name": "system"},
        {"class_name": "TFSMLayer", "config": {"filepath": "elsewhere", "trainable": True}},
    ],
)
def test_a_parameter_a_project_file_could_not_hold_is_refused_when_typed(tmp_path, values):
    from guibuilder.catalog import ParamError

    editor = Editor()
    node = editor.add_node("KerasLayer", (0, 0))
    before = dict(editor.graph.node(node).params)
    with pytest.raises(ParamError, match=r"the layer 'keras_layer' \(KerasLayer\): params name"):
        editor.set_params(node, values)
    assert editor.graph.node(node).params == before
    save_project(editor.project, tmp_path / "still.gbproj")
    assert load_project(tmp_path / "still.gbproj").graph.node(node).params == before
