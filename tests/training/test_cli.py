"""The train, datasets and doctor commands, run in-process through their parsers."""

from __future__ import annotations

import subprocess
import sys

import keras
import pytest

from guibuilder.cli import build_parser
from guibuilder.document import Project, load_project, save_project, weights_path
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph
from guibuilder.training import list_runs, read_history
from tests.training.helpers import mlp_graph

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def run(*argv: str) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


def iris_project(tmp_path, **training) -> str:
    path = tmp_path / "iris.gbproj"
    project = Project(
        mlp_graph(classes=3, hidden=8, name="iris_mlp"),
        dataset={"name": "iris"},
        training={"epochs": 1, "batch_size": 16, "seed": 0, **training},
    )
    save_project(project, path)
    return str(path)


def test_train_writes_a_run_folder_and_saves_weights_only_with_save(tmp_path, capsys):
    path = iris_project(tmp_path)
    strategy = "mirrored" if keras.backend.backend() == "tensorflow" else "default"
    assert run("train", path, "--epochs", "2", "--strategy", strategy) == 0
    out = capsys.readouterr().out
    assert "Dataset: iris" in out and "epoch 2/2" in out and "Trained 2 epochs" in out
    runs = list_runs(tmp_path / "runs")
    assert len(runs) == 1 and runs[0].name.endswith("-iris")
    assert read_history(runs[0])["epoch"] == [1.0, 2.0]
    assert not weights_path(path).exists()

    other = tmp_path / "elsewhere"
    assert run("train", path, "--batch-size", "40", "--run-dir", str(other), "--save") == 0
    out = capsys.readouterr().out
    assert f"Saved the trained weights to {weights_path(path)}" in out
    assert len(list_runs(other)) == 1
    saved = load_project(path)
    assert sorted(saved.weights.node_ids()) == ["hidden", "out"]
    assert saved.training["epochs"] == 1  # command-line overrides are not saved

    assert run("train", path, "--dataset", "iris") == 0
    assert "Starting from the weights saved with iris.gbproj" in capsys.readouterr().out


def exploding_project(tmp_path) -> str:
    """A linear forecaster of ``sine`` with a far too large learning rate."""
    graph = Graph("sine")
    graph.add_node("Input", {"shape": [20, 1]}, node_id="input")
    graph.add_node("Flatten", node_id="flatten")
    graph.add_node("Dense", {"units": 1}, node_id="out")
    graph.connect("input", "flatten")
    graph.connect("flatten", "out")
    training = {"optimizer": "sgd", "learning_rate": 10.0, "batch_size": 8, "epochs": 1}
    path = tmp_path / "sine.gbproj"
    save_project(Project(graph, dataset={"name": "sine"}, training=training), path)
    return str(path)


@pytest.mark.parametrize(
    ("make", "argv", "words"),
    [
        (lambda p: str(p / "missing.gbproj"), (), "does not exist"),
        (lambda p: iris_project(p), ("--dataset", "no_such_set"), "there is no dataset"),
        (lambda p: iris_project(p, optimizer="magic"), (), "training setting 'optimizer'"),
        (lambda p: exploding_project(p), (), "the loss became NaN"),
    ],
    ids=["missing-project", "unknown-dataset", "bad-setting", "nan"],
)
def test_train_user_errors_raise_one_clear_error(tmp_path, make, argv, words):
    path = make(tmp_path)
    with pytest.raises(GuibuilderError) as info:
        run("train", path, *argv)
    assert words in info.value.message and "\n" not in info.value.message


def test_train_needs_a_dataset(tmp_path):
    path = tmp_path / "p.gbproj"
    save_project(Project(mlp_graph()), path)
    with pytest.raises(GuibuilderError, match="has no dataset: give one with --dataset"):
        run("train", str(path))


def test_bad_numbers_are_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run("train", "p.gbproj", "--epochs", "0")
    assert "at least 1" in capsys.readouterr().err


def test_datasets_lists_names_shapes_and_tasks(capsys):
    assert run("datasets") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Name", "Task", "Input"]
    digits = next(line for line in lines if line.startswith("digits "))
    assert "classification" in digits and "(8, 8, 1)" in digits and "10" in digits
    assert any(line.startswith("sine ") and "sequence" in line for line in lines)


def test_doctor_reports_the_environment_and_gpu_advice(capsys):
    assert run("doctor") == 0
    out = capsys.readouterr().out
    for label in ("Python", "Keras", "Backend", "TensorFlow", "GPUs seen"):
        assert any(line.startswith(label) for line in out.splitlines()), label
    assert "tensorflow" in out
    if "GPUs seen     none" in out:
        assert "guibuilder[gpu]" in out


def test_importing_training_loads_neither_keras_nor_qt():
    probe = (
        "import sys, guibuilder.training, guibuilder.training.cli\n"
        "from guibuilder.training import TrainConfig, TrainingSession\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'keras', 'tensorflow', 'jax', 'torch', 'PySide6', 'pyqtgraph'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
