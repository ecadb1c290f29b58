"""Import a saved Keras model in a worker thread, behind a progress dialog that can cancel.

The worker thread (:class:`~guibuilder.ui.jobs.Job`) only reads the file and builds the
graph and the weight store (no Qt); its outcome arrives in the GUI thread, so every Qt
object is touched from the GUI thread alone and the window keeps painting and answering
while Keras loads the model; a timer counts the seconds in the dialog.
Keras cannot be interrupted halfway through a load: *Cancel* closes the dialog at once
and the result, when the load ends, is dropped.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from guibuilder.document import Project
from guibuilder.errors import explain, shown_path
from guibuilder.ui.jobs import Job

#: How often the dialog's count of seconds is brought up to date (ms).
POLL_MS = 40
#: The dialog appears only for an import that takes longer than this (ms).
SHOW_AFTER_MS = 300


def import_project(path: Path) -> Project:
    """The unsaved project of the Keras model at ``path``, its weights kept.

    Raises
    ------
    GuibuilderError
        The file cannot be read as a model, or loading it would run code.
    """
    from guibuilder.compiler.importer import import_model

    graph, weights = import_model(path)
    return Project(graph=graph, weights=weights, title=path.stem)


class ModelImport(QObject):
    """One import of ``path``; emits ``imported``, ``failed`` or nothing (cancelled)."""

    #: The imported :class:`Project`, in the GUI thread.
    imported = Signal(object)
    #: One sentence saying why the file cannot be imported.
    failed = Signal(str)

    def __init__(self, path: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.cancelled = False
        self._started = 0.0
        self._job = Job(self._work, name=f"import-{self.path.name}", parent=self)
        self._job.finished.connect(self._imported)
        self._job.failed.connect(self._failed)
        self._job.ended.connect(self._end)
        self.dialog = QProgressDialog(
            f"Importing {self.path.name}…", "Cancel", 0, 0, parent, Qt.WindowType.Dialog
        )
        self.dialog.setWindowTitle("Import model")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumWidth(360)
        self.dialog.setAutoReset(False)
        self.dialog.setAutoClose(False)
        self.dialog.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        """Whether the worker thread is still loading (also after a cancel)."""
        return self._job.running

    def start(self) -> None:
        """Start the worker thread and the timer that watches it."""
        self._started = time.monotonic()
        self._job.start()
        self._timer.start()

    def cancel(self) -> None:
        """Close the dialog now and drop the result when the load ends."""
        if self.cancelled:
            return
        self.cancelled = True
        self._job.cancel()
        if not self.dialog.wasCanceled():
            self.dialog.cancel()
        self.dialog.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ends (tests, shutdown); False on timeout."""
        return self._job.wait(timeout)

    def _work(self) -> Project:
        return import_project(self.path)

    def _show_progress(self, elapsed: float) -> None:
        text = f"Importing {self.path.name}…"
        if elapsed >= 1:
            text += f" {int(elapsed)} s"
        if self.dialog.labelText() != text:
            self.dialog.setLabelText(text)
        if elapsed * 1000 >= SHOW_AFTER_MS and not self.dialog.isVisible():
            self.dialog.show()

    def _poll(self) -> None:
        if not self.cancelled:
            self._show_progress(time.monotonic() - self._started)

    def _end(self) -> None:
        """Stop the timer, close the dialog and go (the worker thread has ended)."""
        self._timer.stop()
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.cancel()
        self.dialog.close()
        self.dialog.deleteLater()
        self.deleteLater()

    def _imported(self, project: Project) -> None:
        self.imported.emit(project)

    def _failed(self, error: BaseException) -> None:
        self.failed.emit(f"{explain(error, f'import {shown_path(self.path.name)}')}.")
