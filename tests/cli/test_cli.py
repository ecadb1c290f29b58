"""The command line, run in this process: summary, build, import, open and user errors."""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from guibuilder.cli import COMMANDS, _with_command, main
from guibuilder.compiler.build import build_model
from guibuilder.compiler.layers import load_keras
from guibuilder.document import Project, load_project, save_project
from guibuilder.document.weights import WeightStore
from guibuilder.graph import Graph

DEMO = Path(__file__).parents[2] / "resources" / "demo" / "digits_cnn.gbproj"


def total_of(output: str) -> int:
    match = re.search(r"^Total params: ([\d,]+)", output, re.MULTILINE)
    assert match, output
    return int(match.group(1).replace(",", ""))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, expected: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("guibuilder: error: ")
    assert expected in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["open"]),
        (["x.gbproj"], ["open", "x.gbproj"]),
        (["--debug", "x.gbproj"], ["--debug", "open", "x.gbproj"]),
        (["--screenshot", "a.png"], ["open", "--screenshot", "a.png"]),
        (["summary", "x.gbproj"], ["summary", "x.gbproj"]),
        (["--debug", "build", "x"], ["--debug", "build", "x"]),
        (["--help"], ["--help"]),
        (["--version"], ["--version"]),
    ],
)
def test_no_command_means_open(argv, expected):
    assert _with_command(argv) == expected


def test_commands_are_registered_once():
    names = [c.name for c in COMMANDS]
    assert names[:4] == ["open", "summary", "build", "import"]
    assert len(set(names)) == len(names)


def test_summary_total_is_the_built_models_count(capsys):
    code, out, err = run(capsys, "summary", str(DEMO))
    assert code == 0, err
    graph = load_project(DEMO).graph
    assert total_of(out) == build_model(graph).count_params() > 0
    for node in graph:
        assert node.name in out
    assert "(None, 8, 8, 16)" in out
    assert "Conv2D" in out


def test_summary_check_builds_and_compares(capsys):
    code, out, _ = run(capsys, "summary", "--check", str(DEMO))
    assert code == 0
    expected = build_model(load_project(DEMO).graph).count_params()
    assert f"Check: the built model has {expected:,} params, as counted." in out


def test_summary_counts_shared_and_frozen_layers(tmp_path, capsys):
    graph = Graph("shared")
    graph.add_node("Input", {"shape": [4]}, node_id="a")
    graph.add_node("Input", {"shape": [4]}, node_id="b")
    graph.add_node("Dense", {"units": 3}, node_id="enc", trainable=False)
    graph.add_node("Dense", node_id="enc_b", shares="enc")
    graph.add_node("Add", node_id="sum")
    graph.add_node("BatchNormalization", node_id="bn")
    for source, target in [("a", "enc"), ("b", "enc_b"), ("enc", "sum"), ("enc_b", "sum")]:
        graph.connect(source, target)
    graph.connect("sum", "bn")
    path = tmp_path / "shared.gbproj"
    save_project(Project(graph), path)
    code, out, err = run(capsys, "summary", "--check", str(path))
    assert code == 0, err
    model = build_model(graph)
    assert total_of(out) == model.count_params() == 15 + 12
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert f"trainable {trainable:,}," in out
    assert "Dense (shares enc)" in out


def test_summary_of_a_broken_graph_prints_the_table_then_one_error(tmp_path, capsys):
    graph = Graph("broken")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Conv2D", node_id="conv")
    graph.connect("x", "conv")
    path = tmp_path / "broken.gbproj"
    save_project(Project(graph), path)
    code, out, err = run(capsys, "summary", str(path))
    assert "conv" in out and "error" in out
    assert_user_error(code, err, "conv")


def test_summary_of_an_unconnected_graph_is_a_user_error(tmp_path, capsys):
    graph = Graph("draft")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", node_id="d")
    path = tmp_path / "draft.gbproj"
    save_project(Project(graph), path)
    code, _, err = run(capsys, "summary", str(path))
    assert_user_error(code, err, "needs an input")


def test_summary_of_a_project_with_damaged_weights_warns_and_goes_on(tmp_path, capsys):
    graph = Graph("mlp")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 3}, node_id="d")
    graph.connect("x", "d")
    project = Project(graph)
    project.weights = WeightStore({"d": [np.ones((4, 3), "float32"), np.ones(3, "float32")]})
    path = tmp_path / "mlp.gbproj"
    save_project(project, path)
    (tmp_path / "mlp.weights.h5").write_bytes(b"\x00garbage")
    code, out, err = run(capsys, "summary", str(path))
    assert code == 0, err
    assert total_of(out) == 15
    [line] = err.strip().splitlines()
    assert line.startswith("guibuilder: warning: the weights file ")
    assert "mlp.weights.h5 next to mlp.gbproj is damaged" in line and "fresh weights" in line


def test_train_refuses_a_model_too_big_for_the_memory(tmp_path, capsys, monkeypatch):
    lint = importlib.import_module("guibuilder.data.lint")  # the module, not the function
    graph = Graph("mlp")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 3, "activation": "softmax"}, node_id="d")
    graph.connect("x", "d")
    path = tmp_path / "mlp.gbproj"
    save_project(Project(graph, dataset={"name": "iris"}, training={"epochs": 1}), path)
    # 15 parameters need 240 bytes; 7 outputs per sample, 1,792 bytes for a batch of 32
    monkeypatch.setattr(lint, "machine_memory", lambda: 2032)
    assert run(capsys, "train", str(path))[0] == 0
    monkeypatch.setattr(lint, "machine_memory", lambda: 2031)
    code, _, err = run(capsys, "train", str(path))
    assert_user_error(
        code,
        err,
        "the model needs about 2.0 kB to train (15 parameters, 7 layer outputs per sample "
        "at batch size 32); ",
    )
    assert "this machine has 2.0 kB of memory" in err


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_build_saves_a_model_keras_loads_with_the_project_weights(tmp_path, capsys, suffix):
    keras = load_keras()
    project = load_project(DEMO)
    trained = build_model(project.graph)
    rng = np.random.default_rng(0)
    trained.set_weights([rng.normal(size=w.shape).astype("float32") for w in trained.weights])
    project.weights = WeightStore.from_model(trained, project.graph)
    path = tmp_path / "demo.gbproj"
    save_project(project, path)
    out_file = tmp_path / f"model{suffix}"
    code, out, err = run(capsys, "build", str(path), "-o", str(out_file))
    assert code == 0, err
    assert "with the project's weights" in out
    loaded = keras.saving.load_model(out_file)
    assert loaded.count_params() == trained.count_params()
    assert [layer.name for layer in loaded.layers] == list(project.graph.nodes)
    for ours, theirs in zip(loaded.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["demo.gbproj", "demo.weights.h5", out_file.name]
    )


def test_build_refuses_a_wrong_suffix(tmp_path, capsys):
    code, _, err = run(capsys, "build", str(DEMO), "-o", str(tmp_path / "m.txt"))
    assert_user_error(code, err, "must end in .keras or .h5")


def test_import_then_summary(tmp_path, capsys):
    keras = load_keras()
    inputs = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(2, name="score")(hidden)
    model = keras.Model(inputs, outputs, name="small")
    source = tmp_path / "small.keras"
    model.save(source)
    project_file = tmp_path / "small.gbproj"
    code, out, err = run(capsys, "import", str(source), "-o", str(project_file))
    assert code == 0, err
    assert "weights in small.weights.h5" in out
    project = load_project(project_file)
    assert list(project.graph.nodes) == ["features", "hidden", "score"]
    assert project.weights is not None
    positions = {n.position for n in project.graph}
    assert len(positions) == 3
    code, out, err = run(capsys, "summary", str(project_file))
    assert code == 0, err
    assert total_of(out) == model.count_params() == 47


def test_import_refuses_to_overwrite_the_model_with_weights(tmp_path, capsys):
    source = tmp_path / "m.weights.h5"
    source.write_bytes(b"x")
    code, _, err = run(capsys, "import", str(source), "-o", str(tmp_path / "m.gbproj"))
    assert_user_error(code, err, "would overwrite")


def test_import_needs_a_project_suffix(tmp_path, capsys):
    code, _, err = run(capsys, "import", str(DEMO), "-o", str(tmp_path / "m.json"))
    assert_user_error(code, err, "must end in .gbproj")


@pytest.mark.parametrize("command", ["summary", "build", "import", "open"])
def test_missing_file_is_a_user_error(tmp_path, capsys, command):
    argv = [command, str(tmp_path / "none.gbproj")]
    if command in ("build", "import"):
        argv += ["-o", str(tmp_path / ("out.keras" if command == "build" else "out.gbproj"))]
    code, _, err = run(capsys, *argv)
    assert_user_error(code, err, "none.gbproj does not exist")


def test_debug_shows_the_traceback(tmp_path, capsys):
    path = tmp_path / "empty.gbproj"
    path.write_text("")
    code, _, err = run(capsys, "summary", "--debug", str(path))
    assert code == 2
    assert "Traceback" in err
    last = err.strip().splitlines()[-1]
    assert last == f"guibuilder: error: {path} is empty: it is not a guibuilder project"


def test_os_error_on_the_users_path_is_one_line(tmp_path, capsys):
    out_file = tmp_path / "missing-folder" / "m.keras"
    code, _, err = run(capsys, "build", str(DEMO), "-o", str(out_file))
    assert_user_error(code, err, "missing-folder")


def test_bad_arguments_are_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["summary"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "required: PROJECT" in err


def test_open_hands_the_project_to_the_window(monkeypatch, capsys):
    calls = []
    fake = types.ModuleType("guibuilder.ui.app")
    fake.run = lambda path=None, screenshot=None: calls.append((path, screenshot)) or 0
    monkeypatch.setitem(sys.modules, "guibuilder.ui.app", fake)
    assert main([str(DEMO), "--screenshot", "shot.png"]) == 0
    assert main([]) == 0
    assert calls == [(str(DEMO), "shot.png"), (None, None)]


def test_new_into_a_missing_folder_names_that_folder(tmp_path, capsys):
    out = tmp_path / "no-such-folder" / "mine.gbproj"
    code, _, err = run(capsys, "new", "--template", "mlp-spirals", "-o", str(out))
    assert_user_error(code, err, f"the folder {out.parent} does not exist")
    assert ".tmp" not in err
    assert not out.parent.exists()


def test_a_data_file_given_as_a_project_is_named_as_not_a_project(tmp_path, capsys):
    data = tmp_path / "iris.csv"
    data.write_text("a,b,label\n1,2,0\n3,4,1\n")
    code, _, err = run(capsys, "summary", str(data))
    assert_user_error(code, err, f"{data} is not a guibuilder project: open a .gbproj file")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["build", "{demo}", "-o", "{missing}/m.keras"], "the folder {missing} does not exist"),
        (["train", "{demo}", "--run-dir", "{file}"], "--run-dir {file} is a file"),
        (["inspect", "{demo}", "--out", "{file}"], "--out {file} is a file"),
        (["inspect", "{empty}", "--out", "{tmp}/figs"], "{empty} is not a run folder"),
    ],
)
def test_paths_of_the_wrong_kind_are_named(tmp_path, capsys, command, expected):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    (tmp_path / "empty-folder").mkdir()
    names = {
        "demo": DEMO,
        "file": a_file,
        "empty": tmp_path / "empty-folder",
        "missing": tmp_path / "no-such-folder",
        "tmp": tmp_path,
    }
    code, _, err = run(capsys, *(part.format(**names) for part in command))
    assert_user_error(code, err, expected.format(**names))
    assert "Errno" not in err and ".tmp" not in err
    assert not (tmp_path / "no-such-folder").exists() and not (tmp_path / "figs").exists()


def test_new_onto_a_folder_names_the_folder_not_a_temporary_file(tmp_path, capsys):
    folder = tmp_path / "taken.gbproj"
    folder.mkdir()
    code, _, err = run(capsys, "new", "--template", "mlp-spirals", "-o", str(folder), "--force")
    assert_user_error(code, err, f"{folder}: Is a directory")
    assert ".tmp" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["taken.gbproj"]
