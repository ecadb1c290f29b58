"""Runs from the training panel leave nothing behind in memory; the first one starts ready."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from guibuilder.ui.mainwindow import MainWindow
from tests.training.helpers import watch_models

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_two_runs_from_the_panel_free_their_models_and_freeze_nothing(
    qtbot, window: MainWindow, tmp_path, monkeypatch
):
    models = watch_models(monkeypatch)
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


def test_the_keras_loader_gets_the_first_run_ready():
    script = textwrap.dedent(
        """
        import gc, sys
        from PySide6.QtWidgets import QApplication
        from guibuilder.ui.live import PRELOAD, keras_loader

        app = QApplication([])
        loader = keras_loader()
        loader.finished.connect(app.quit)
        loader.start()
        app.exec()
        assert loader.ready, loader.error
        missing = [name for name in PRELOAD if name not in sys.modules]
        assert not missing, missing
        assert gc.get_freeze_count() > 0, "the collector was not settled"
        print("ok")
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
