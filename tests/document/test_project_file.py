"""The project file: round trips, deterministic bytes, migrations and atomic save."""

from __future__ import annotations

import json
import os

import pytest

from guibuilder.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MIGRATIONS,
    Project,
    dumps,
    load_project,
    loads,
    migrate,
    project_from_dict,
    project_to_dict,
    save_project,
)
from guibuilder.document.migrations import MigrationError
from guibuilder.errors import FileFormatError, GuibuilderError
from guibuilder.graph import Graph


def rich_graph() -> Graph:
    """Two inputs, a shared Dense, an LSTM with states, a Concatenate, explicit outputs."""
    graph = Graph("siamese")
    graph.add_node("Input", {"shape": [4]}, node_id="left", name="Left side", position=(0, 0))
    graph.add_node("Input", {"shape": [4]}, node_id="right", position=(200.5, 0))
    graph.add_node("Dense", {"units": 3, "activation": "relu"}, node_id="enc", position=(0, 100))
    graph.add_node("Dense", node_id="enc_again", shares="enc", position=(200, 100))
    graph.add_node("Concatenate", node_id="join", position=(100, 200))
    graph.add_node("Input", {"shape": [5, 2]}, node_id="seq", position=(400, 0))
    graph.add_node(
        "LSTM",
        {"units": 2, "return_state": True},
        node_id="rnn",
        trainable=False,
        call_kwargs={"training": False},
        position=(400, 100),
    )
    graph.add_node("Dense", {"units": 1}, node_id="head", position=(100, 300))
    graph.connect("left", "enc")
    graph.connect("right", "enc_again")
    graph.connect("enc", "join")
    graph.connect("enc_again", "join")
    graph.connect("rnn", "join", output=1)
    graph.connect("seq", "rnn")
    graph.connect("join", "head")
    graph.set_outputs([("head", 0), ("rnn", 2)])
    return graph


def rich_project() -> Project:
    return Project(
        graph=rich_graph(),
        dataset={"name": "pairs", "split": {"validation": 0.2, "seed": 3}},
        training={"optimizer": "adam", "epochs": 2},
        title="Siamese",
        description="Two encoders, one layer.",
    )


def assert_same_graph(a: Graph, b: Graph) -> None:
    assert a.name == b.name
    assert list(a.nodes) == list(b.nodes)
    assert list(a.nodes.values()) == list(b.nodes.values())
    assert a.edges == b.edges
    assert a.explicit_outputs == b.explicit_outputs
    assert a.input_nodes() == b.input_nodes()


def test_round_trip_keeps_everything(tmp_path):
    project = rich_project()
    path = tmp_path / "siamese.gbproj"
    save_project(project, path)
    again = load_project(path)
    assert_same_graph(project.graph, again.graph)
    assert again.dataset == project.dataset
    assert again.training == project.training
    assert (again.title, again.description) == ("Siamese", "Two encoders, one layer.")
    assert again.path == path
    assert again.warnings == []
    assert again.graph.node("enc_again").shares == "enc"
    assert again.graph.node("rnn").call_kwargs == {"training": False}
    assert not again.graph.node("rnn").trainable
    assert again.graph.node("left").name == "Left side"


def test_save_load_save_gives_the_same_bytes(tmp_path):
    first = tmp_path / "a.gbproj"
    second = tmp_path / "b.gbproj"
    save_project(rich_project(), first)
    save_project(load_project(first), second)
    assert first.read_bytes() == second.read_bytes()


def test_text_is_deterministic_json():
    text = dumps(rich_project())
    assert text.endswith("}\n")
    assert text == dumps(rich_project())
    data = json.loads(text)
    assert list(data) == [
        "format",
        "version",
        "name",
        "nodes",
        "edges",
        "outputs",
        "dataset",
        "training",
        "classroom",
        "weights",
        "weights_sha256",
        "meta",
    ]
    assert data["format"] == FORMAT_NAME
    assert data["version"] == FORMAT_VERSION
    assert data["outputs"] == [{"node": "head", "output": 0}, {"node": "rnn", "output": 2}]
    assert data["dataset"] == {"name": "pairs", "split": {"seed": 3, "validation": 0.2}}
    assert list(data["dataset"]["split"]) == ["seed", "validation"]
    assert '\n  "nodes": [\n    {\n      "id": "left",' in text
    assert data == project_to_dict(rich_project())


def test_dict_round_trip_without_a_file():
    project = project_from_dict(project_to_dict(rich_project()))
    assert_same_graph(project.graph, rich_graph())


def test_sharing_node_listed_before_its_owner_still_loads():
    data = project_to_dict(rich_project())
    nodes = data["nodes"]
    sharer = next(n for n in nodes if n["id"] == "enc_again")
    nodes.remove(sharer)
    nodes.insert(0, sharer)
    graph = project_from_dict(data).graph
    assert graph.node("enc_again").shares == "enc"
    assert graph.input_nodes() == ["left", "right", "seq"]


def test_missing_weights_file_is_a_warning(tmp_path):
    path = tmp_path / "p.gbproj"
    data = project_to_dict(rich_project(), weights_file="p.weights.h5")
    path.write_text(json.dumps(data))
    project = load_project(path)
    assert project.weights is None
    assert len(project.warnings) == 1
    assert "p.weights.h5" in project.warnings[0]


def test_save_needs_a_path():
    with pytest.raises(GuibuilderError, match="no file name"):
        save_project(rich_project())


def test_save_defaults_to_the_loaded_path(tmp_path):
    path = tmp_path / "p.gbproj"
    save_project(rich_project(), path)
    project = load_project(path)
    project.graph.rename("head", "Score")
    save_project(project)
    assert load_project(path).graph.node("head").name == "Score"


def test_value_json_cannot_hold_is_refused():
    project = rich_project()
    project.training = {"epochs": {1, 2}}
    with pytest.raises(GuibuilderError, match="cannot store"):
        dumps(project)


# ---------------------------------------------------------------- migrations
V0 = {
    "format": FORMAT_NAME,
    "version": 0,
    "name": "old",
    "layers": [
        {"id": "x", "type": "Input", "params": {"shape": [3]}, "x": 10, "y": 20},
        {"id": "d", "type": "Dense", "name": "Out", "params": {"units": 2}, "x": 10, "y": 120},
    ],
    "links": [{"from": "x", "to": "d"}],
    "dataset": {"name": "iris"},
    "training": None,
}


def test_version_0_is_migrated():
    assert set(MIGRATIONS) == {0, 1, 2}
    project = project_from_dict(json.loads(json.dumps(V0)))
    graph = project.graph
    assert list(graph.nodes) == ["x", "d"]
    assert graph.node("x").position == (10.0, 20.0)
    assert graph.node("d").name == "Out"
    assert graph.node("d").params["units"] == 2
    assert [(e.source, e.target, e.port) for e in graph.edges] == [("x", "d", "input")]
    assert project.dataset == {"name": "iris"}
    upgraded = json.loads(dumps(project))
    assert upgraded["version"] == FORMAT_VERSION
    assert "layers" not in upgraded


def test_migrate_refuses_an_unknown_old_version():
    with pytest.raises(MigrationError, match="format version -1 is unknown"):
        migrate({}, -1)


def test_damaged_version_0_file_is_refused():
    data = {**V0, "layers": "x"}
    with pytest.raises(FileFormatError, match='"layers" must be a list of objects'):
        project_from_dict(data, "old.gbproj")


# ---------------------------------------------------------------- atomic save
def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "p.gbproj"
    save_project(rich_project(), path)
    before = path.read_bytes()
    changed = rich_project()
    changed.graph.rename("head", "Changed")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        save_project(changed, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.gbproj"]


def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "p.gbproj"
    save_project(rich_project(), path)
    os.chmod(path, 0o640)
    save_project(rich_project(), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_loads_returns_the_weights_name():
    text = dumps(rich_project(), weights_file="x.weights.h5")
    project, weights = loads(text)
    assert weights == "x.weights.h5"
    assert_same_graph(project.graph, rich_graph())


# ------------------------------------------------------------------- weights
def test_weights_go_beside_the_project(tmp_path):
    import numpy as np

    from guibuilder.document.weights import WeightStore

    kernel = np.arange(12, dtype="float32").reshape(4, 3)
    project = rich_project()
    project.weights = WeightStore({"enc": [kernel, np.ones(3, dtype="float32")]})
    path = tmp_path / "siamese.gbproj"
    save_project(project, path)
    assert sorted(os.listdir(tmp_path)) == ["siamese.gbproj", "siamese.weights.h5"]
    assert json.loads(path.read_text())["weights"] == "siamese.weights.h5"
    again = load_project(path)
    assert again.weights.node_ids() == ["enc"]
    np.testing.assert_array_equal(again.weights.get("enc")[0], kernel)
    second = tmp_path / "copy" / "siamese.gbproj"
    second.parent.mkdir()
    save_project(again, second)
    assert second.read_bytes() == path.read_bytes()
    assert (second.parent / "siamese.weights.h5").is_file()


def test_a_damaged_weights_file_opens_the_project_untrained_with_a_warning(tmp_path):
    import numpy as np

    from guibuilder.document.weights import WeightStore

    path = tmp_path / "p.gbproj"
    data = project_to_dict(rich_project(), weights_file="p.weights.h5")
    path.write_text(json.dumps(data))
    damaged = tmp_path / "p.weights.h5"
    damaged.write_bytes(b"not hdf5")
    project = load_project(path)
    assert project_to_dict(project) == project_to_dict(rich_project())
    assert project.weights is None
    [warning] = project.warnings
    assert "p.weights.h5 next to p.gbproj is damaged" in warning
    assert "fresh weights" in warning and "will replace p.weights.h5" in warning
    assert "\n" not in warning
    save_project(project)  # untrained: the damaged file is left as it is
    assert damaged.read_bytes() == b"not hdf5"
    project.weights = WeightStore({"enc": [np.ones((4, 3), "float32"), np.ones(3, "float32")]})
    save_project(project)  # trained: the warning said this replaces it
    assert load_project(path).weights.node_ids() == ["enc"]
