"""Around a run from the panel: nothing left in memory, a ready first run, a cheap runs list."""

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

import guibuilder.training as training
from guibuilder.ui.mainwindow import MainWindow
from tests.training.helpers import watch_models

ROOT = Path(__file__).resolve().parents[3]
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


def test_the_runs_list_reads_a_history_again_only_when_it_changed(window, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    for n in range(3):
        run = root / f"20261122-10000{n}-demo"
        run.mkdir(parents=True)
        (run / "config.json").write_text("{}")
        (run / "history.csv").write_text("epoch,loss\n1,0.5\n")
    reads: list[Path] = []
    real = training.read_history
    monkeypatch.setattr(training, "read_history", lambda path: reads.append(path) or real(path))
    panel = window.training_panel
    panel.run_root_override = root
    panel.refresh_runs()
    assert len(reads) == 3
    changed = root / "20261122-100001-demo" / "history.csv"
    changed.write_text("epoch,loss\n1,0.5\n2,0.25\n")
    panel.refresh_runs()
    assert reads[3:] == [changed.parent]
    texts = [panel.runs_list.item(i).text() for i in range(panel.runs_list.count())]
    assert texts[1].endswith("2 epochs · loss 0.25") and texts[0].endswith("1 epoch · loss 0.5")
