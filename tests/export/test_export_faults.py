"""Exports on a full disk or into a read-only folder: one sentence, and the old file stays."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from guibuilder.cli import main
from guibuilder.document import Project, save_project
from tests.training.helpers import mlp_graph


@pytest.fixture(scope="module")
def project_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("project") / "mlp.gbproj"
    save_project(Project(mlp_graph()), path)
    return path


def _export(project_file: Path, out: Path, *extra: str) -> int:
    return main(["export", str(project_file), "-o", str(out), *extra])


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert err.startswith("guibuilder: error: ")
    return err


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_diagram_on_a_full_disk_keeps_the_old_picture(
    project_file, tmp_path, capsys, monkeypatch, suffix
):
    out = tmp_path / f"model{suffix}"
    assert _export(project_file, out) == 0
    good = out.read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(os, "write", _no_space)
    assert _export(project_file, out) == 2
    monkeypatch.undo()
    err = _one_error_line(capsys)
    assert err.endswith(f"the diagram could not be written to {out}: no space left on device")
    assert out.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == [out.name]


def _fail_halfway(self, path, *args, **kwargs):
    """What a full disk does to Keras' export: some files written, then TensorFlow's error."""
    import tensorflow as tf

    (Path(path) / "variables").mkdir(parents=True, exist_ok=True)
    (Path(path) / "saved_model.pb").write_bytes(b"half")
    raise tf.errors.ResourceExhaustedError(None, None, "/x/variables.data; No space left on device")


def test_a_savedmodel_on_a_full_disk_leaves_the_old_one_and_no_half_folder(
    project_file, tmp_path, capsys, monkeypatch
):
    import keras

    out = tmp_path / "served"
    assert _export(project_file, out) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    pb = (out / "saved_model.pb").read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(keras.Model, "export", _fail_halfway)
    assert _export(project_file, out) == 2
    err = _one_error_line(capsys)
    assert err == (
        f"guibuilder: error: the SavedModel {out} could not be written "
        "(/x/variables.data; No space left on device)"
    )
    assert sorted(os.listdir(tmp_path)) == ["served"]
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / "saved_model.pb").read_bytes() == pb


def test_a_savedmodel_in_a_read_only_folder_is_one_sentence(
    project_file, tmp_path, capsys, monkeypatch
):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    if os.geteuid() == 0:  # root writes anyway: refuse as the folder would
        monkeypatch.setattr(tempfile, "mkdtemp", refused)
    else:
        os.chmod(tmp_path, 0o555)
    try:
        assert _export(project_file, tmp_path / "served") == 2
    finally:
        os.chmod(tmp_path, 0o755)
    err = _one_error_line(capsys)
    assert err == (
        f"guibuilder: error: cannot write the SavedModel {tmp_path / 'served'}: permission denied"
    )
    assert os.listdir(tmp_path) == []


def test_a_savedmodel_does_not_replace_a_folder_of_other_files(project_file, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    assert _export(project_file, folder, "--format", "savedmodel") == 2
    err = _one_error_line(capsys)
    assert err.endswith(
        f"{folder} is a folder of other files, not a SavedModel: choose another name"
    )
    assert (folder / "notes.txt").read_text() == "keep me"
