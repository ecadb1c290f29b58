"""Every way the window opens a file survives a hostile one: one sentence, project intact.

File > Open, a file dropped on the window, the command-line argument and crash recovery
each get the classes of bad input (a number past the digit limit, a lone surrogate, a
pipe instead of a file, an unexpected exception while loading or showing); the open
project stays as it was and the window keeps working. Autosave and Save report a project
that cannot be written once, in one sentence.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from guibuilder.document import project_to_dict, save_project
from guibuilder.document.project import Project
from guibuilder.ui import mainwindow, model_import
from guibuilder.ui.recovery import Autosaver, Recovery, find_recoveries
from tests.ui import conftest as ui_conftest
from tests.ui.helpers import chain_graph, show

MAX_LINE = 400

# The window tests' fixtures: isolated settings, no real dialogs, no leaks, a shown window.
isolated_settings = ui_conftest.isolated_settings
no_dialogs = ui_conftest.no_dialogs
no_leaks = ui_conftest.no_leaks
window = ui_conftest.window


def good_text() -> str:
    return json.dumps(project_to_dict(Project(graph=chain_graph())))


def hostile(folder: Path, kind: str) -> Path:
    """A project file of one hostile class."""
    path = folder / f"{kind}.gbproj"
    if kind == "huge-int":
        path.write_text(good_text().replace('"units": 4', '"units": ' + "7" * 5000))
    elif kind == "surrogate":
        data = json.loads(good_text())
        data["meta"]["title"] = "\ud800"
        path.write_text(json.dumps(data))
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "not-utf8":
        path.write_bytes(b'{"format": "\xff"}')
    return path


KINDS = ["huge-int", "surrogate", "not-utf8"] + (["fifo"] if hasattr(os, "mkfifo") else [])
EXPECTED = {
    "huge-int": "more than 4300 digits",
    "surrogate": "meta.title is not valid Unicode",
    "fifo": "is not a regular file",
    "not-utf8": "is not UTF-8 text",
}


@pytest.fixture
def warnings(monkeypatch):
    """The sentences of the warning boxes shown (the boxes themselves are not)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    return shown


@pytest.fixture
def opened(window):
    """The window with a modified project open, and that project as a dict."""
    show(window, chain_graph())
    window.session.set_param("hidden", "units", 9)
    return project_to_dict(window.session.project)


def assert_one_sentence(shown: list[str], expected: str) -> None:
    assert len(shown) == 1, shown
    assert expected in shown[0]
    assert shown[0].isprintable() and len(shown[0]) <= MAX_LINE and shown[0].endswith(".")


def assert_still_usable(window, before: dict) -> None:
    """The project is the one that was open, with its edits, and it can still be edited."""
    assert project_to_dict(window.session.project) == before
    assert window.session.modified and window.session.undo_stack.count() == 1
    assert sorted(item.node_id for item in window.scene.node_items()) == ["hidden", "out", "x"]
    window.session.set_param("out", "units", 3)
    assert window.session.graph.node("out").params["units"] == 3
    assert window.session.undo_stack.count() == 2
    window.session.undo_stack.undo()
    assert project_to_dict(window.session.project) == before


# -------------------------------------------------------------- File > Open
@pytest.mark.parametrize("kind", KINDS)
def test_file_open_of_a_hostile_project(window, opened, warnings, monkeypatch, tmp_path, kind):
    path = hostile(tmp_path, kind)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    assert_one_sentence(warnings, EXPECTED[kind])
    assert path.name in warnings[0]
    assert_still_usable(window, opened)


def test_an_unexpected_error_while_loading_is_one_sentence(
    window, opened, warnings, monkeypatch, tmp_path, caplog
):
    def broken(path):
        raise ZeroDivisionError("division by zero\nin the loader")

    monkeypatch.setattr(mainwindow, "load_project", broken)
    monkeypatch.setattr(sys, "excepthook", lambda *a: pytest.fail("reached the excepthook"))
    assert not window.open_path(tmp_path / "fine.gbproj")
    assert_one_sentence(warnings, "cannot open fine.gbproj: unexpected ZeroDivisionError")
    assert "the log has the details" in warnings[0]
    assert "ZeroDivisionError" in caplog.text  # logged, with its traceback
    assert_still_usable(window, opened)


def test_an_error_while_showing_a_project_brings_the_open_one_back(
    window, opened, warnings, monkeypatch, tmp_path
):
    path = tmp_path / "fine.gbproj"
    save_project(Project(graph=chain_graph()), path)
    panel_set = window.training_panel.set_session

    def refuse_new(session):
        if session is not current:
            raise OverflowError("int too large to convert to C int")
        panel_set(session)

    current = window.session
    monkeypatch.setattr(window.training_panel, "set_session", refuse_new)
    assert not window.open_path(path)
    assert_one_sentence(warnings, "cannot open fine.gbproj: unexpected OverflowError")
    assert window.session is current
    assert window.scene.session is current and window.inspector.session is current
    assert_still_usable(window, opened)


def test_an_unexpected_error_importing_a_model_is_one_sentence(
    window, opened, warnings, monkeypatch, qtbot, tmp_path
):
    def broken(path):
        raise KeyError("model_config")

    monkeypatch.setattr(model_import, "import_project", broken)
    monkeypatch.setattr(sys, "excepthook", lambda *a: pytest.fail("reached the excepthook"))
    assert window.open_path(tmp_path / "odd.keras")
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert_one_sentence(warnings, "cannot import odd.keras: unexpected KeyError")
    assert_still_usable(window, opened)


# ------------------------------------------------------------- drag and drop
def drop(window, path: Path) -> bool:
    """Drag ``path`` over the canvas and drop it, as the system delivers a file drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    viewport = window.view.viewport()
    point = viewport.rect().center()
    enter = QDragEnterEvent(
        point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(viewport, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(
        QPointF(point),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(viewport, dropped)
    QApplication.processEvents()
    return dropped.isAccepted()


@pytest.mark.parametrize("kind", KINDS)
def test_a_dropped_hostile_project(window, opened, warnings, tmp_path, kind):
    assert drop(window, hostile(tmp_path, kind))
    assert_one_sentence(warnings, EXPECTED[kind])
    assert_still_usable(window, opened)


def test_a_dropped_good_project_opens_after_asking_to_save(window, opened, tmp_path, monkeypatch):
    path = tmp_path / "other.gbproj"
    other = chain_graph()
    other.set_param("out", "units", 7)
    save_project(Project(graph=other), path)
    asked = []
    monkeypatch.setattr(window, "maybe_save", lambda: asked.append(1) or True)
    assert drop(window, path)
    assert asked and window.session.path == path
    assert window.session.graph.node("out").params["units"] == 7


def test_a_drop_of_several_files_text_or_other_files_is_not_taken(window, opened, tmp_path):
    mime = QMimeData()
    mime.setText("hello")
    event = QDragEnterEvent(
        window.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    window.dragEnterEvent(event)
    assert not event.isAccepted()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / n)) for n in ("a.gbproj", "b.gbproj")])
    window.dragEnterEvent(event)
    assert not event.isAccepted()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    window.dragEnterEvent(event)
    assert not event.isAccepted()


# -------------------------------------------------------- the command line
@pytest.mark.parametrize("kind", ["huge-int", "surrogate"])
def test_the_command_line_argument_opens_the_window_and_explains(
    window, warnings, monkeypatch, tmp_path, kind
):
    from guibuilder.ui import app

    path = hostile(tmp_path, kind)
    shown_at = []

    def run_loop(_app):
        QApplication.processEvents()
        shown_at.append(window.isVisible())
        return 0

    class Unexpected:  # the "Something went wrong" box: a test fails instead of waiting
        def __init__(self, _window):
            self.from_thread = None

        def __call__(self, kind, value, tb):
            pytest.fail(f"unexpected {kind.__name__}: {value}")

    monkeypatch.setattr(mainwindow, "MainWindow", lambda: window)
    monkeypatch.setattr(app, "_ExceptionDialog", Unexpected)
    monkeypatch.setattr(type(QApplication.instance()), "exec", run_loop)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    before = project_to_dict(window.session.project)
    assert app.run(str(path)) == 0
    assert shown_at == [True]
    assert_one_sentence(warnings, EXPECTED[kind])
    assert path.name in warnings[0]
    assert project_to_dict(window.session.project) == before


def test_a_screenshot_of_a_hostile_project_is_one_line(tmp_path):
    from tests.subprocesses import run_python

    path = hostile(tmp_path, "huge-int")
    result = run_python(
        "-m",
        "guibuilder",
        "--screenshot",
        str(tmp_path / "shot.png"),
        str(path),
        QT_QPA_PLATFORM="offscreen",
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("guibuilder: ")]
    assert len(errors) == 1 and "more than 4300 digits" in errors[0]


# ---------------------------------------------------------------- recovery
def leave_recovery(folder: Path, text: bytes, pid: int = 999_999_999) -> Recovery:
    """An autosave of a process that is gone, holding ``text``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{pid}.gbproj").write_bytes(text)
    (folder / f"{pid}.json").write_text(json.dumps({"source": None, "time": 1.0}))
    [found] = find_recoveries(folder)
    return found


def yes(monkeypatch) -> list[str]:
    asked: list[str] = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    return asked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"format": "guibuilder-project", "version": 2, "name": "\\ud800"}', "not valid Unicode"),
        (b"\xff\xfe not text", "is not UTF-8 text"),
        (b'{"format": "guibuilder-project", "version": 2, "nodes": [', "ends too early"),
    ],
)
def test_a_recovery_that_cannot_be_restored_is_reported_once_and_set_aside(
    window, opened, warnings, monkeypatch, text, expected
):
    folder = window.autosaver.folder
    leave_recovery(folder, text)
    asked = yes(monkeypatch)
    window.offer_recovery()
    assert len(asked) == 1
    assert_one_sentence(warnings, expected)
    assert "it is kept in" in warnings[0] and "failed" in warnings[0]
    assert not find_recoveries(folder)
    assert (folder / "failed" / "999999999.gbproj").read_bytes() == text
    window.offer_recovery()  # the next start: nothing offered, nothing shown
    assert len(asked) == 1 and len(warnings) == 1
    assert_still_usable(window, opened)


def test_a_recovery_that_fails_unexpectedly_is_reported_once(
    window, opened, warnings, monkeypatch, caplog
):
    folder = window.autosaver.folder
    leave_recovery(folder, good_text().encode())

    def broken(self):
        raise RuntimeError("weights went missing")

    monkeypatch.setattr(Recovery, "load", broken)
    monkeypatch.setattr(sys, "excepthook", lambda *a: pytest.fail("reached the excepthook"))
    asked = yes(monkeypatch)
    window.offer_recovery()
    assert_one_sentence(warnings, "cannot restore an untitled project, autosaved at")
    assert "unexpected RuntimeError" in warnings[0] and "RuntimeError" in caplog.text
    window.offer_recovery()
    assert len(asked) == 1 and len(warnings) == 1
    assert_still_usable(window, opened)


# ------------------------------------------------------------ save, autosave
def test_autosave_of_a_project_it_cannot_write_is_reported_once(window, tmp_path):
    saver: Autosaver = window.autosaver
    show(window, chain_graph())
    reports = []
    saver.failed.connect(reports.append)
    window.session.project.title = "bad \udc80 title"  # as a file name in a foreign encoding
    window.session.set_param("hidden", "units", 9)
    for _ in range(3):  # three timer ticks
        assert not saver.save_now()
    assert len(reports) == 1
    assert "Autosave failed" in reports[0] and "meta.title is not valid Unicode" in reports[0]
    assert reports[0].isprintable() and len(reports[0]) <= MAX_LINE
    assert window.statusBar().currentMessage() == reports[0]
    window.session.project.title = "fixed"
    window.session.set_param("hidden", "units", 10)
    assert saver.save_now() and saver.project_file.exists()
    window.session.project.title = "\ud800 again"
    window.session.set_param("hidden", "units", 11)
    assert not saver.save_now()
    assert len(reports) == 2  # a new failure after a success is reported again


def test_save_of_a_project_it_cannot_write_says_so_and_keeps_the_old_file(
    window, warnings, tmp_path
):
    path = tmp_path / "m.gbproj"
    show(window, chain_graph())
    assert window.save_to(path)
    old = path.read_bytes()
    window.session.project.title = "\ud800"
    window.session.set_param("hidden", "units", 9)
    assert not window.save_to(path)
    assert_one_sentence(warnings, "meta.title is not valid Unicode")
    assert path.read_bytes() == old and window.session.modified
