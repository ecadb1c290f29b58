"""Runs from the training panel leave nothing of theirs behind in memory."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import guibuilder.compiler.build as build
from guibuilder.ui.mainwindow import MainWindow

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "digits_cnn.gbproj"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_two_runs_from_the_panel_free_their_models_and_freeze_nothing(
    qtbot, window: MainWindow, tmp_path, monkeypatch
):
    models: list[weakref.ref] = []
    real = build.build_model

    def watched(*args, **kwargs):
        model = real(*args, **kwargs)
        models.append(weakref.ref(model))
        return model

    monkeypatch.setattr(build, "build_model", watched)
    path = tmp_path / DEMO.name
    shutil.copy(DEMO, path)
    window.load(path)
    window.show_training()
    panel = window.training_panel
    panel.run_root_override = tmp_path / "runs"
    panel._commit("epochs", 1)
    frozen = gc.get_freeze_count()
    for _ in range(2):
        with qtbot.waitSignal(panel.run_ended, timeout=90_000) as ended:
            QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert ended.args == ["finished"]
    assert gc.get_freeze_count() == frozen
    assert len(models) == 2 and [ref() for ref in models] == [None, None]
    assert panel.runs_list.count() == 2
