"""Fixtures for the window tests: an isolated settings file and a shown main window."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QEvent, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from guibuilder.ui import recovery
from guibuilder.ui.mainwindow import MainWindow


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, qapp, monkeypatch):
    """Settings (recent files, theme) and autosaves go to test folders, never the user's.

    Each test has its own recovery folder: Qt's test-mode folder is shared by every run,
    and an autosave a killed run left there would be offered to the next.
    """
    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder / "recovery")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setOrganizationName("guibuilder-tests")
    qapp.setApplicationName("guibuilder-tests")


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch):
    """A dialog in a test would block: fail loudly instead."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected dialog: {args[1:3]}")

    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, refuse)


@pytest.fixture
def window(qtbot, monkeypatch):
    """A shown main window that does not load Keras by itself and closes without asking."""
    win = MainWindow(load_keras=False)
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "maybe_save", lambda: True)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    monkeypatch.setattr(win, "maybe_save", lambda: True)  # a test may have said "cancel"
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # The test's Qt garbage goes now, while no thread runs, not whenever a collection
    # happens to start in a later test (one did, mid-training, and crashed the run).
    gc.collect()


@pytest.fixture(autouse=True)
def no_leaks(qapp):
    """No test leaves a thread running or a window open behind it."""
    threads_before = set(threading.enumerate())
    yield
    qapp.processEvents()
    leaked = [t for t in threading.enumerate() if t not in threads_before]
    for thread in leaked:
        thread.join(timeout=10)
    alive = [t.name for t in leaked if t.is_alive()]
    assert not alive, f"threads left running: {alive}"
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert not windows, f"windows left open: {[type(w).__name__ for w in windows]}"
