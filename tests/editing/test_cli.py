"""``guibuilder freeze`` edits through the editor: a teacher's lock refuses it as in the window."""

from __future__ import annotations

from guibuilder.cli import main
from guibuilder.document import Classroom, Project, load_project, save_project
from tests.training.transfer_base import base_graph


def test_freeze_refuses_a_locked_layer_and_leaves_the_file_as_it_was(tmp_path, capsys):
    path = tmp_path / "lesson.gbproj"
    save_project(Project(base_graph(), classroom=Classroom(frozenset({"conv"}))), path)
    before = path.read_bytes()
    assert main(["freeze", str(path), "--up-to", "pool"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("guibuilder: error: ") and "'conv'" in error and "\n" not in error
    assert path.read_bytes() == before
    assert all(node.trainable for node in load_project(path).graph)
