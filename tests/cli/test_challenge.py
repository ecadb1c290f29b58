"""``guibuilder challenge`` and the shipped challenge project, run as programs."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from guibuilder.document import load_project, save_project
from guibuilder.errors import GuibuilderError
from guibuilder.training.challenge import check_run
from guibuilder.training.cli import _refuse_locked_overrides, configure_train
from guibuilder.training.config import TrainConfig
from guibuilder.training.runs import RunFolder
from tests.cli.test_subprocess import assert_one_line_error, guibuilder

ROOT = Path(__file__).parents[2]
CHALLENGE = ROOT / "resources" / "challenges" / "digits_small.gbproj"
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"


def student_solution(path: Path) -> None:
    """What a student might do: a small convolution in front, a narrower hidden layer.

    The locked input and output layers and the locked settings stay as the teacher left
    them; only free layers change.
    """
    project = load_project(CHALLENGE)
    graph = project.graph
    graph.set_params("hidden", {"units": 12})
    graph.disconnect(graph.in_edges("flatten")[0])
    conv = {"filters": 16, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}
    graph.add_node("Conv2D", conv, node_id="conv")
    graph.add_node("MaxPooling2D", {"pool_size": [2, 2]}, node_id="pool")
    graph.connect("image", "conv")
    graph.connect("conv", "pool")
    graph.connect("pool", "flatten")
    save_project(project, path)


def test_the_starting_model_is_not_yet_there(tmp_path):
    project = tmp_path / "digits_small.gbproj"
    shutil.copy(CHALLENGE, project)
    result = guibuilder("challenge", str(project))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Challenge: Reach 95% on the digits with at most 5,000 parameters"
    assert lines[1] == "Goal:      val_accuracy >= 0.95 on digits, at most 5,000 parameters"
    assert lines[2].startswith("Run:       none yet")
    assert lines[3] == "Result:    not yet: no training run yet; 9,610 parameters > 5,000"


def test_a_student_solution_passes_after_a_short_training(tmp_path):
    project = tmp_path / "student.gbproj"
    student_solution(project)
    trained = guibuilder("train", str(project))
    assert trained.returncode == 0, trained.stderr
    result = guibuilder("challenge", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    run = next((tmp_path / "runs").iterdir())
    assert f"Run:       {run} (20 epochs)" in result.stdout
    verdict = result.stdout.splitlines()[-1]
    assert verdict.startswith("Result:    passed: val_accuracy 0.9")
    assert verdict.endswith(", 3,374 parameters")
    # The verdict is about the run: growing the model afterwards does not change it,
    # but a run of the bigger model is checked against the budget.
    bigger = load_project(project)
    bigger.graph.set_params("hidden", {"units": 64})
    save_project(bigger, project)
    again = guibuilder("challenge", str(project), "--run", str(run))
    assert again.returncode == 0 and "3,374 parameters" in again.stdout


def test_summary_shows_the_locks_and_the_challenge():
    result = guibuilder("summary", str(CHALLENGE))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Digit image [image] (locked)" in out
    assert "Hidden [hidden]  " in out and "Hidden [hidden] (locked)" not in out
    assert "Locked layers: digit, image" in out
    assert "Locked settings: dataset, epochs and batch size, loss and metrics" in out
    assert "Challenge: val_accuracy >= 0.95 on digits, at most 5,000 parameters" in out
    assert "Opens in student view" in out


def test_a_project_without_a_challenge_or_a_missing_run_is_a_user_error(tmp_path):
    assert_one_line_error(guibuilder("challenge", str(DEMO)), "has no challenge")
    missing = tmp_path / "nowhere"
    result = guibuilder("challenge", str(CHALLENGE), "--run", str(missing))
    assert_one_line_error(result, f"the run folder {missing} does not exist")


# ------------------------------------------------------------------ locked settings
def test_train_refuses_to_override_a_locked_setting(tmp_path):
    project = tmp_path / "student.gbproj"
    student_solution(project)
    result = guibuilder("train", str(project), "--epochs", "2")
    assert_one_line_error(
        result,
        "--epochs is locked by the teacher in student.gbproj (the epochs and batch size "
        "settings): leave it out to train with the project's 20",
    )
    result = guibuilder("train", str(project), "--dataset", "iris")
    assert_one_line_error(result, "--dataset is locked by the teacher in student.gbproj")
    assert not (tmp_path / "runs").exists()


def overrides(project: Path, *argv: str) -> None:
    parser = argparse.ArgumentParser()
    configure_train(parser)
    args = parser.parse_args([str(project), *argv])
    _refuse_locked_overrides(load_project(project), args, project)


def test_train_takes_a_locked_settings_own_value_and_free_settings(tmp_path):
    project = tmp_path / "student.gbproj"
    student_solution(project)
    overrides(project, "--epochs", "20", "--batch-size", "32", "--dataset", "digits")
    overrides(project, "--strategy", "mirrored")  # hardware is not locked here
    with pytest.raises(GuibuilderError, match="--batch-size is locked by the teacher"):
        overrides(project, "--batch-size", "64")


def fake_run(root: Path, project: Path, val_accuracy: float, **changes) -> Path:
    """A run folder as training writes it, with the project's settings and ``changes``."""
    loaded = load_project(project)
    settings = {**TrainConfig.from_dict(loaded.training).to_dict(), "seed": 1}
    dataset = changes.pop("dataset", loaded.dataset["name"])
    run = RunFolder.create(root, project.stem)
    run.write_config(
        {"name": project.stem, "config": {**settings, **changes}, "dataset": {"name": dataset}}
    )
    for epoch in (1, 2):
        run.append_history({"epoch": epoch, "loss": 0.2, "val_accuracy": val_accuracy})
    return run.path


def verdict(project: Path, run: Path):
    loaded = load_project(project)
    room = loaded.classroom
    return check_run(
        room.challenge,
        loaded.graph,
        run,
        use_keras=False,
        classroom=room,
        training=loaded.training,
        dataset=loaded.dataset,
    )[0]


def test_a_run_with_other_locked_settings_is_not_yet(tmp_path):
    project = tmp_path / "student.gbproj"
    student_solution(project)
    runs = tmp_path / "runs"
    assert verdict(project, fake_run(runs, project, 0.97)).passed
    # Settings of groups the teacher left free may change (the seed is in "hardware").
    assert verdict(project, fake_run(runs, project, 0.97, learning_rate=0.01, seed=7)).passed
    more = verdict(project, fake_run(runs, project, 0.97, epochs=200, batch_size=8))
    assert more.text() == (
        "not yet: trained with epochs 200, not the locked 20; "
        "trained with batch_size 8, not the locked 32"
    )
    other = verdict(project, fake_run(runs, project, 0.97, dataset="iris"))
    assert other.text() == "not yet: trained on iris, not digits"  # said once
    metrics = verdict(project, fake_run(runs, project, 0.97, metrics=["accuracy", "mae"]))
    assert metrics.missing == (
        "trained with metrics ['accuracy', 'mae'], not the locked ['accuracy']",
    )


def test_the_challenge_command_says_not_yet_for_a_run_with_other_locked_settings(tmp_path):
    project = tmp_path / "student.gbproj"
    student_solution(project)
    run = fake_run(tmp_path / "runs", project, 0.99, epochs=500)
    result = guibuilder("challenge", str(project))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Run:       {run} (2 epochs)" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "Result:    not yet: trained with epochs 500, not the locked 20"
    )
