"""Classroom settings: lock rules, challenges, and how they live in the project file."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import fields
from pathlib import Path

import pytest

from guibuilder.compiler.shapes import infer_shapes
from guibuilder.document import (
    FORMAT_VERSION,
    Challenge,
    Classroom,
    ClassroomError,
    LockedError,
    Project,
    dumps,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)
from guibuilder.document.classroom import SETTING_GROUPS, setting_group
from guibuilder.errors import FileFormatError
from guibuilder.graph import Edge, Graph
from guibuilder.training import TrainConfig
from guibuilder.training.challenge import grade


def chain() -> Graph:
    graph = Graph("chain")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 8}, node_id="body")
    graph.add_node("Dense", {"units": 2}, node_id="head")
    graph.connect("x", "body")
    graph.connect("body", "head")
    return graph


CHALLENGE = Challenge("val_accuracy", at_least=0.95, max_params=5000, dataset="digits", text="Go")


def classroom() -> Classroom:
    return Classroom(
        locked_nodes=frozenset({"x", "body"}),
        locked_settings=frozenset({"optimizer", "dataset"}),
        student_view=True,
        challenge=CHALLENGE,
    )


# ------------------------------------------------------------------ lock rules
def test_a_locked_layer_cannot_be_deleted_edited_or_rewired():
    graph, room = chain(), classroom()
    with pytest.raises(LockedError, match="'body' is locked by the teacher, so it cannot be"):
        room.check_remove(graph, ["body"], [])
    with pytest.raises(LockedError, match="its parameters cannot change") as info:
        room.check_node("body", "parameters")
    assert info.value.node_ids == ("body",)
    with pytest.raises(LockedError, match=r"'body' is locked .* input connections"):
        room.check_edge(Edge("x", "body"))
    room.check_node("head", "parameters")


def test_deleting_a_free_layer_that_feeds_a_locked_one_is_refused():
    graph = chain()
    graph.add_node("Dense", {"units": 3}, node_id="free")
    graph.disconnect(graph.in_edges("body")[0])
    graph.connect("free", "body")
    with pytest.raises(LockedError, match="'body'"):
        classroom().check_remove(graph, ["free"], [])


def test_a_locked_layers_output_can_feed_new_layers_and_its_head_can_go():
    graph, room = chain(), classroom()
    room.check_edge(Edge("body", "new_head"))
    room.check_remove(graph, ["head"], [Edge("body", "head")])


def test_locked_settings_refuse_only_their_own_group():
    room = classroom()
    defaults = TrainConfig().to_dict()
    old = {**defaults, "epochs": 5}
    room.check_settings(old, {**old, "epochs": 20}, defaults)
    with pytest.raises(LockedError, match="optimizer and learning rate settings, so learning_rate"):
        room.check_settings(old, {**old, "learning_rate": 0.1}, defaults)
    with pytest.raises(LockedError, match="validation_split"):
        room.check_settings(None, {"validation_split": 0.5}, defaults)
    room.check_settings(None, dict(defaults), defaults)
    with pytest.raises(LockedError, match="so the dataset cannot change"):
        room.check_dataset({"name": "digits"}, {"name": "iris"})
    room.check_dataset({"name": "digits"}, {"name": "digits"})


def test_every_training_setting_is_in_exactly_one_group():
    names = [n for group in SETTING_GROUPS.values() for n in group]
    assert len(names) == len(set(names))
    assert set(names) - {"dataset"} == {f.name for f in fields(TrainConfig)}
    assert setting_group("momentum") == "optimizer"


def test_unknown_setting_group_is_refused():
    with pytest.raises(ClassroomError, match="no group of training settings called 'colour'"):
        Classroom(locked_settings=frozenset({"colour"}))


def test_lock_and_unlock():
    room = Classroom().with_locked(["a", "b"])
    assert room.locked_nodes == {"a", "b"}
    assert room.with_locked(["a"], locked=False).locked_nodes == {"b"}
    assert Classroom().empty and not room.empty


# ------------------------------------------------------------------ challenges
def test_challenge_goal_text():
    assert CHALLENGE.goal() == "val_accuracy >= 0.95 on digits, at most 5,000 parameters"
    assert Challenge("val_loss", at_most=0.1).goal() == "val_loss <= 0.1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at_least": 0.9}, "needs a metric"),
        ({"metric": "val_accuracy"}, "exactly one of at_least and at_most"),
        ({"metric": "acc", "at_least": 0.9, "at_most": 1}, "exactly one of"),
        ({"metric": "acc", "at_least": "high"}, "at_least must be a number, not 'high'"),
        ({"metric": "acc", "at_least": 0.9, "max_params": 2.5}, "max_params must be a whole"),
        ({"metric": "acc", "at_least": 0.9, "max_params": 0}, "at least 1"),
        ({"metric": "acc", "at_least": 0.9, "goal": 1}, "unknown field 'goal'"),
        ([], "must be an object"),
    ],
)
def test_bad_challenges_are_refused(data, message):
    with pytest.raises(ClassroomError, match=message):
        Challenge.from_dict(data)


# ------------------------------------------------------------------ file
def test_classroom_round_trips_through_the_file(tmp_path):
    project = Project(chain(), dataset={"name": "digits"}, classroom=classroom())
    first, second = tmp_path / "a.gbproj", tmp_path / "b.gbproj"
    save_project(project, first)
    again = load_project(first)
    assert again.classroom == classroom()
    save_project(again, second)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert data["version"] == FORMAT_VERSION >= 2
    assert data["classroom"] == {
        "locked_nodes": ["body", "x"],
        "locked_settings": ["dataset", "optimizer"],
        "student_view": True,
        "challenge": {
            "metric": "val_accuracy",
            "at_least": 0.95,
            "max_params": 5000,
            "dataset": "digits",
            "text": "Go",
        },
    }


def test_locks_of_nodes_that_are_gone_are_not_saved():
    graph = chain()
    project = Project(graph, classroom=Classroom(locked_nodes=frozenset({"head", "gone"})))
    assert project_to_dict(project)["classroom"]["locked_nodes"] == ["head"]
    graph.remove_node("head")
    again = project_from_dict(project_to_dict(project))
    assert again.classroom.locked_nodes == frozenset()


def test_a_version_1_file_loads_unchanged_without_a_classroom(tmp_path):
    data = project_to_dict(Project(chain(), dataset={"name": "digits"}))
    del data["classroom"]
    data["version"] = 1
    old = project_from_dict(data)
    assert old.classroom is None
    assert list(old.graph.nodes) == ["x", "body", "head"]
    assert json.loads(dumps(old))["classroom"] is None


def test_a_version_1_file_with_a_classroom_field_is_refused():
    data = project_to_dict(Project(chain()))
    data["version"] = 1
    with pytest.raises(FileFormatError, match='version 1 file cannot have a "classroom"'):
        project_from_dict(data, "old.gbproj")


@pytest.mark.parametrize(
    ("classroom", "message"),
    [
        ("locked", '"classroom" of the project must be an object or null, not text'),
        ({"locked_nodes": ["ghost"]}, "locks node 'ghost', which does not exist"),
        ({"locked_nodes": "x"}, '"locked_nodes" of "classroom" must be a list of names'),
        ({"student_view": "yes"}, '"student_view" of "classroom" must be true or false'),
        ({"teacher": "me"}, "unknown field 'teacher'"),
        ({"challenge": {"metric": "acc"}}, "exactly one of at_least and at_most"),
    ],
)
def test_bad_classroom_fields_name_the_file(classroom, message):
    data = project_to_dict(Project(chain()))
    data["classroom"] = classroom
    with pytest.raises(FileFormatError, match=message) as info:
        project_from_dict(data, "lesson.gbproj")
    assert str(info.value).startswith("lesson.gbproj: ")


def test_describe_lists_locks_and_challenge():
    lines = classroom().describe()
    assert lines[0] == "Locked layers: body, x"
    assert lines[1] == "Locked settings: dataset, optimizer and learning rate"
    assert lines[-1] == ("Challenge: val_accuracy >= 0.95 on digits, at most 5,000 parameters (Go)")


# ------------------------------------------------------------------ shipped challenges
CHALLENGES = Path(__file__).parents[2] / "resources" / "challenges"


def test_committed_challenges_are_what_the_script_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make", CHALLENGES / "make_challenges.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(tmp_path)]) == 0
    for name in module.PROJECTS:
        assert (tmp_path / name).read_bytes() == (CHALLENGES / name).read_bytes()


def test_the_digits_challenge_starts_too_big_with_its_ends_locked():
    project = load_project(CHALLENGES / "digits_small.gbproj")
    infos = infer_shapes(project.graph, use_keras=False)
    params = sum(info.params for info in infos.values())
    room = project.classroom
    assert grade(room.challenge, None, params).missing == (
        "no training run yet",
        "9,610 parameters > 5,000",
    )
    assert room.locked_nodes == {"image", "digit"}
    assert room.locked_settings == {"dataset", "epochs", "loss"}
    assert room.student_view
    assert project.dataset == {"name": room.challenge.dataset}
