"""``guibuilder challenge`` and the shipped challenge project, run as programs."""

from __future__ import annotations

import shutil
from pathlib import Path

from guibuilder.document import load_project, save_project
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
