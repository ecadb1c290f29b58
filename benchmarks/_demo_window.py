"""The main window with the demo project open and Keras loaded, for the window benchmarks.

Shared by ``soak.py`` and ``ui_latency.py``: both drive training from the panel as a person
would. Not a benchmark itself: ``make bench`` skips files whose name starts with ``_``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"


@contextmanager
def demo_window(epochs: int) -> Iterator[tuple[Any, Any, Path]]:
    """Yield (app, window, folder): a copy of the demo open in a shown window, Keras
    loaded, the training panel shown, painted, set to ``epochs`` and writing its runs
    under ``folder``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))
    from guibuilder.ui.app import application, wait_until_idle
    from guibuilder.ui.mainwindow import MainWindow

    app = application()
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / DEMO.name
        shutil.copy(DEMO, project)
        window.load(project)
        if not wait_until_idle(app, window):
            raise SystemExit("Keras did not load")
        window.show_training()
        panel = window.training_panel
        panel.run_root_override = Path(folder) / "runs"
        panel._commit("epochs", epochs)
        settle_until = time.monotonic() + 0.5  # the dock is laid out and painted first
        while time.monotonic() < settle_until:
            app.processEvents()
            time.sleep(0.01)
        yield app, window, Path(folder)
        window.session.undo_stack.setClean()
        window.close()
