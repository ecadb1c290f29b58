"""A save killed at any point leaves a project and weights that open together, and no litter.

``train --save`` is killed (SIGKILL) between its two renames; then, in one process that
forks a saver for each case, a save is killed before every one of its steps, in the middle
of each write, and after seeded random delays. After each kill the project is opened as a
user would: its weights are those it was saved with, or the newer ones with a warning
that says so, never older ones; no temporary file is left; the next save pairs them again.
``benchmarks/kill_during_save.py`` runs the same with many more delays.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from guibuilder.document import Project, load_project, save_project, weights_path
from guibuilder.document.weights import WeightStore
from tests.subprocesses import run_python
from tests.training.helpers import mlp_graph

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills need fork and SIGKILL")

MISMATCH = "is not the one"


def moons_project(folder, value: float = 0.0):
    """An Input-Dense-Dense model of the built-in moons, with every weight ``value``."""
    graph = mlp_graph(features=2, classes=2, hidden=4, name="moons")
    shapes = {"hidden": [(2, 4), (4,)], "out": [(4, 2), (2,)]}
    weights = WeightStore({n: [np.full(s, value, "float32") for s in v] for n, v in shapes.items()})
    project = Project(
        graph,
        dataset={"name": "moons"},
        training={"epochs": 1, "batch_size": 64, "seed": 0},
        weights=weights,
        title="v0",
    )
    path = folder / "moons.gbproj"
    save_project(project, path)
    return path


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_train_save_killed_between_the_renames_opens_with_the_new_weights(tmp_path):
    path = moons_project(tmp_path, value=0.1)
    before = path.read_bytes()
    done = run_python(
        "-m", "tests.security.save_faults", "run", "replace#2", "--",
        "train", str(path), "--save", "--run-dir", str(tmp_path / "runs"),
    )  # fmt: skip
    assert done.returncode == -9, done.stderr[-2000:]
    assert path.read_bytes() == before  # the project was not renamed into place
    project = load_project(path)
    [warning] = project.warnings
    assert f"the weights file moons.weights.h5 {MISMATCH} moons.gbproj was saved with" in warning
    trained = project.weights.get("out")[0]
    assert not np.allclose(trained, 0.1)  # the trained weights, kept
    assert temporaries(tmp_path) == []
    save_project(project)
    again = load_project(path)
    assert again.warnings == []
    np.testing.assert_array_equal(again.weights.get("out")[0], trained)


def test_a_save_killed_at_any_point_opens_consistently(tmp_path):
    moons_project(tmp_path)
    done = run_python("-m", "tests.security.save_faults", "scenarios", str(tmp_path), "16", "10")
    assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) >= 20
    ends = {r["ended"] for r in records}
    assert ends <= {"killed", "finished"}, [r for r in records if r["ended"] == "failed"]
    assert "killed" in ends and "finished" in ends
    for record in records:
        new = f"v{record['version']}"
        first = record["first_open"]
        pair = (first["title"], first["weights"])
        if first["recorded"] == first["on_disk"]:
            assert first["warnings"] == [], record
            assert pair in (("v0", [0.0]), (new, [float(record["version"])])), record
        else:  # killed between the renames: the newer weights, and a warning that says so
            assert pair == ("v0", [float(record["version"])]), record
            [warning] = first["warnings"]
            assert MISMATCH in warning, record
        assert first["temporaries"] == [], record  # the next open cleans up
        after = record["after_next_save"]
        assert after["warnings"] == [] and after["recorded"] == after["on_disk"], record
        assert after["temporaries"] == [], record
    by_label = {r["label"]: r for r in records}
    assert by_label["step 7"]["first_open"]["warnings"], "step 7 is between the renames"
    assert any(r["left_by_kill"] for r in records), "some kill leaves a temporary file"


def test_the_project_file_keeps_its_permissions_and_the_weights_follow(tmp_path):
    path = moons_project(tmp_path)
    os.chmod(path, 0o640)
    save_project(load_project(path))
    assert path.stat().st_mode & 0o777 == 0o640
    assert weights_path(path).stat().st_mode & 0o777 == 0o640
