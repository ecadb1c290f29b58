"""Fixtures for the window tests: an isolated settings file and a shown main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QMessageBox

from guibuilder.ui.mainwindow import MainWindow


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, qapp):
    """Settings (recent files, theme) and autosaves go to test folders, never the user's."""
    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path_factory.mktemp("settings")
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
    return win
