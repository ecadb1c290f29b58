"""Saves that never half-happen: the weights' hash, temporary files, two writers, modes.

(The kills themselves are in ``test_kill_during_save.py``.)
"""

from __future__ import annotations

import errno
import json
import os

import numpy as np
import pytest

from guibuilder.cli import main
from guibuilder.document import (
    Project,
    SaveConflictError,
    check_can_save,
    load_project,
    project_to_dict,
    save_project,
    weights_path,
)
from guibuilder.document.weights import WeightStore
from guibuilder.errors import FileFormatError, GuibuilderError
from tests.subprocesses import run_python
from tests.training.helpers import mlp_graph

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def weights(value: float) -> WeightStore:
    return WeightStore({"hidden": [np.full((2, 4), value, "float32"), np.zeros(4, "float32")]})


def saved(tmp_path, value: float = 1.0, name: str = "p.gbproj"):
    path = tmp_path / name
    project = Project(
        mlp_graph(features=2, classes=2, hidden=4),
        dataset={"name": "moons"},
        training={"epochs": 1},
        weights=weights(value),
    )
    save_project(project, path)
    return path


def listing(folder):
    return sorted(os.listdir(folder))


# ------------------------------------------------------------ the weights' hash
def test_the_project_records_the_hash_of_its_weights(tmp_path):
    import hashlib

    path = saved(tmp_path)
    recorded = json.loads(path.read_text())["weights_sha256"]
    assert recorded == hashlib.sha256(weights_path(path).read_bytes()).hexdigest()
    project = load_project(path)
    assert project.warnings == [] and project.weights_sha256 == recorded


def test_weights_that_are_not_the_projects_are_used_with_a_warning(tmp_path):
    path = saved(tmp_path, 1.0)
    weights(2.0).save(weights_path(path))  # as a save cut off between its renames leaves
    project = load_project(path)
    [warning] = project.warnings
    assert warning == (
        "the weights file p.weights.h5 is not the one p.gbproj was saved with (a save was "
        "interrupted, or the file was replaced), so its weights are used as they are: save "
        "the project to pair them again"
    )
    assert project.weights.get("hidden")[0][0, 0] == 2.0
    save_project(project)
    assert load_project(path).warnings == []


def test_an_older_file_without_a_hash_opens_unchanged(tmp_path):
    path = saved(tmp_path)
    data = json.loads(path.read_text())
    del data["weights_sha256"]
    data["version"] = 2
    path.write_text(json.dumps(data))
    weights(5.0).save(weights_path(path))  # nothing to check it against
    project = load_project(path)
    assert project.warnings == [] and project.weights_sha256 is None
    assert project.weights.get("hidden")[0][0, 0] == 5.0


@pytest.mark.parametrize("value", ["abc", "G" * 64, 5])
def test_a_wrong_hash_is_refused_in_one_sentence(tmp_path, value):
    path = saved(tmp_path)
    data = json.loads(path.read_text())
    data["weights_sha256"] = value
    path.write_text(json.dumps(data))
    with pytest.raises(FileFormatError, match='"weights_sha256"') as info:
        load_project(path)
    assert "\n" not in str(info.value)


def test_project_to_dict_has_no_hash_without_weights():
    project = Project(mlp_graph())
    assert project_to_dict(project, None, "a" * 64)["weights_sha256"] is None


# ------------------------------------------------------------ temporary files
LEFT_BY_KILLS = (".p.gbproj.abcd1234.tmp", ".p.weights.h5.x_y_z_0_.tmp")
NOT_OURS = (".p.gbproj.tmp", ".p.gbproj.toolongname.tmp", ".q.gbproj.abcd1234.tmp", "p.tmp")


def litter(folder):
    for name in LEFT_BY_KILLS + NOT_OURS:
        (folder / name).write_bytes(b"half a file")


@pytest.mark.parametrize("how", ["open", "save"])
def test_temporary_files_of_killed_saves_go_at_the_next_open_or_save(tmp_path, how):
    path = saved(tmp_path)
    litter(tmp_path)
    project = load_project(path) if how == "open" else None
    if how == "save":
        save_project(Project(mlp_graph()), path, force=True)
    assert project is None or project.warnings == []
    assert listing(tmp_path) == sorted(["p.gbproj", "p.weights.h5", *NOT_OURS])


def test_a_temporary_file_that_a_running_save_holds_is_left_alone(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path = saved(tmp_path)
    busy = tmp_path / ".p.gbproj.abcd1234.tmp"
    with open(busy, "wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a save in progress holds its file
        load_project(path)
        assert busy.exists()
    load_project(path)
    assert not busy.exists()


def test_a_failed_save_of_the_pair_leaves_both_old_files_and_no_litter(tmp_path, monkeypatch):
    path = saved(tmp_path, 1.0)
    before = {p: p.read_bytes() for p in (path, weights_path(path))}
    project = load_project(path)
    project.weights = weights(2.0)
    real_write = os.write
    calls = []

    def write(fd, data):
        calls.append(len(data))
        if len(calls) == 2:  # the project file, after its weights were written
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(OSError, match="No space left") as info:
        save_project(project)
    assert info.value.filename == str(path)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in before} == before
    assert listing(tmp_path) == ["p.gbproj", "p.weights.h5"]


# ------------------------------------------------------------ two writers
def test_a_file_changed_by_another_program_is_not_overwritten_silently(tmp_path):
    path = saved(tmp_path)
    mine = load_project(path)
    theirs = load_project(path)
    theirs.title = "theirs"
    save_project(theirs)
    mine.title = "mine"
    with pytest.raises(SaveConflictError) as info:
        save_project(mine)
    assert str(info.value) == (
        "p.gbproj was changed on disk by another program since it was opened here, so "
        "saving would lose those changes: open it again to see them"
    )
    assert load_project(path).title == "theirs"
    save_project(mine, force=True)
    assert load_project(path).title == "mine"
    mine.title = "mine again"
    save_project(mine)  # its own last save is not a change by another program
    save_project(mine, tmp_path / "copy.gbproj")  # a new name is not checked


def test_train_save_says_when_the_project_changed_during_training(tmp_path, capsys):
    import guibuilder.document.io as io

    path = saved(tmp_path, name="moons.gbproj")
    original = io.check_unchanged

    def changed_meanwhile(project, target):
        io.check_unchanged = original  # once: as another program, just before the save
        theirs = load_project(path)
        theirs.title = "edited while training"
        save_project(theirs)
        original(project, target)

    io.check_unchanged = changed_meanwhile
    try:
        code = main(["train", str(path), "--save", "--run-dir", str(tmp_path / "runs")])
    finally:
        io.check_unchanged = original
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2
    assert err.startswith(
        "guibuilder: error: moons.gbproj was changed on disk by another program during "
        "training, so it was not saved: train again with --force to overwrite it (the "
        f"trained model is in {tmp_path / 'runs'}"
    )
    assert load_project(path).title == "edited while training"


# ------------------------------------------------------------ before training
def test_train_save_where_the_project_cannot_be_saved_stops_before_training(tmp_path):
    path = saved(tmp_path, name="moons.gbproj")
    weights_path(path).unlink()
    weights_path(path).mkdir()  # the weights cannot replace a folder
    done = run_python(
        "-m", "guibuilder", "train", str(path), "--save", "--run-dir", str(tmp_path / "runs"),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"guibuilder: error: cannot save moons.gbproj: {weights_path(path)} is a folder"
    )
    assert "Training on" not in done.stdout and not (tmp_path / "runs").exists()


def test_a_run_folder_under_a_file_stops_before_training(tmp_path):
    path = saved(tmp_path, name="moons.gbproj")
    (tmp_path / "file").write_text("x")
    done = run_python(
        "-m", "guibuilder", "train", str(path), "--run-dir", str(tmp_path / "file" / "runs"),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"guibuilder: error: cannot make the run folder in {tmp_path / 'file' / 'runs'}: "
        f"{tmp_path / 'file'} is a file, not a folder"
    )


@pytest.mark.skipif(ROOT_USER, reason="root writes into read-only folders")
def test_a_read_only_folder_is_found_before_training(tmp_path):
    path = saved(tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(GuibuilderError, match="is not writable"):
            check_can_save(path)
    finally:
        os.chmod(tmp_path, 0o755)


# ------------------------------------------------------------ permissions
def test_the_weights_follow_the_project_files_permissions(tmp_path):
    path = saved(tmp_path)
    mode = path.stat().st_mode & 0o777
    assert weights_path(path).stat().st_mode & 0o777 == mode  # not 0600
    os.chmod(path, 0o640)
    save_project(load_project(path))
    assert path.stat().st_mode & 0o777 == 0o640
    assert weights_path(path).stat().st_mode & 0o777 == 0o640


# ------------------------------------------------------------ recovery files
def test_temporary_files_of_killed_autosaves_are_removed(tmp_path):
    from guibuilder.document.recovery import find_recoveries

    for name in (".123.gbproj.abcd1234.tmp", ".123.json.abcd1234.tmp", "notes.txt"):
        (tmp_path / name).write_text("x")
    assert find_recoveries(tmp_path) == []
    assert listing(tmp_path) == ["notes.txt"]
