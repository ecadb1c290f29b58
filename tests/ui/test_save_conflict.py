"""Saving a file that another program changed since it was opened: Reload, Overwrite or Cancel."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from guibuilder.document import Project, load_project, save_project
from tests.ui.helpers import chain_graph


@pytest.fixture
def changed_on_disk(window, tmp_path):
    """The window holds an edit of a project that another program then saved."""
    path = tmp_path / "chain.gbproj"
    save_project(Project(chain_graph(), title="first"), path)
    window.load(path)
    window.session.set_param("hidden", "units", 7)
    theirs = load_project(path)
    theirs.title = "theirs"
    save_project(theirs)
    return path


def answer(window, monkeypatch, choice):
    asked = []
    monkeypatch.setattr(window, "ask_save_conflict", lambda name: asked.append(name) or choice)
    return asked


def test_cancel_keeps_both_the_file_and_the_edit(window, changed_on_disk, monkeypatch):
    asked = answer(window, monkeypatch, "cancel")
    assert not window.save()
    assert asked == ["chain.gbproj"]
    assert load_project(changed_on_disk).title == "theirs"
    assert window.isWindowModified()
    assert window.session.graph.node("hidden").params["units"] == 7


def test_overwrite_saves_this_version(window, changed_on_disk, monkeypatch):
    answer(window, monkeypatch, "overwrite")
    assert window.save()
    saved = load_project(changed_on_disk)
    assert saved.title == "first" and saved.graph.node("hidden").params["units"] == 7
    assert not window.isWindowModified()
    answer(window, monkeypatch, "unexpected")
    window.session.set_param("hidden", "units", 9)
    assert window.save()  # its own save is not another program's change


def test_reload_shows_the_file_on_disk(window, changed_on_disk, monkeypatch):
    answer(window, monkeypatch, "reload")
    assert not window.save()
    assert window.session.project.title == "theirs"
    assert window.session.graph.node("hidden").params["units"] != 7
    assert not window.isWindowModified()


@pytest.mark.parametrize("button", ["Reload", "Overwrite", "Cancel"])
def test_the_dialog_offers_reload_overwrite_and_cancel(window, monkeypatch, button):
    seen = {}

    def exec_(box):
        seen["text"] = box.text()
        buttons = {b.text().replace("&", ""): b for b in box.buttons()}
        seen["buttons"] = sorted(buttons)
        buttons[button].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert window.ask_save_conflict("chain.gbproj") == button.lower()
    assert seen["text"].startswith("chain.gbproj was changed on disk by another program")
    assert seen["buttons"] == ["Cancel", "Overwrite", "Reload"]


def test_a_restored_autosave_still_notices_another_programs_save(window, changed_on_disk):
    import shutil

    from guibuilder.document import SaveConflictError
    from guibuilder.ui.recovery import find_recoveries

    window.load(changed_on_disk)  # opened after the other program's save
    window.session.set_param("hidden", "units", 5)
    saver = window.autosaver
    assert saver.save_now()
    dead = _dead_pid()
    for suffix in (".gbproj", ".json"):  # as if left by a process that was killed
        shutil.copy(saver.project_file.with_suffix(suffix), saver.folder / f"{dead}{suffix}")
    [recovery] = [r for r in find_recoveries(saver.folder) if r.project_file.stem == str(dead)]
    restored = recovery.load()
    theirs = load_project(changed_on_disk)
    theirs.title = "changed again"
    save_project(theirs)
    with pytest.raises(SaveConflictError):
        save_project(restored)
    recovery.discard()


def _dead_pid() -> int:
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
