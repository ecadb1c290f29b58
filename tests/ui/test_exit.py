"""The process exits cleanly after a copy: the clipboard's data is released in time."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from guibuilder.ui.mainwindow import MainWindow
window = MainWindow(load_keras=False)
node = window.session.graph.add_node("Dense")
window.scene.select_nodes([node.id])
window.copy()
assert QApplication.clipboard().mimeData().formats()
print("copied")
"""


def test_exit_after_copy_does_not_crash(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "copied" in done.stdout
