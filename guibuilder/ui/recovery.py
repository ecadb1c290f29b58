"""Autosave to a recovery file, and restore after a crash.

Every few seconds, if the open project changed since the last autosave, it is written to
``<app data>/recovery/<pid>.gbproj`` (:mod:`guibuilder.document.recovery` writes and finds
these files). A clean save or a normal exit removes it. At start-up a recovery file whose
process is gone is offered for restoring.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from guibuilder.document.recovery import Recovery, write_autosave
from guibuilder.document.recovery import find_recoveries as find_in
from guibuilder.errors import explain
from guibuilder.ui.window_editor import WindowEditor

INTERVAL_MS = 5000


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Autosaves of processes that no longer run (in the window's recovery folder), newest first."""
    return find_in(folder or recovery_dir())


class Autosaver(QObject):
    """Writes the session's project to its recovery file when it has changed.

    A failed autosave is reported on ``failed`` once; it is tried again at every tick
    but not reported again until an autosave has worked or the reason changes.
    """

    #: One sentence saying why autosave failed.
    failed = Signal(str)

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or recovery_dir()
        self.session: WindowEditor | None = None
        self._stale = True  # the project changed since the last autosave
        self._failure: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.save_now)
        self._timer.start()

    @property
    def project_file(self) -> Path:
        return self.folder / f"{os.getpid()}.gbproj"

    def set_session(self, session: WindowEditor | None) -> None:
        if self.session is not None:
            self.session.undo_stack.cleanChanged.disconnect(self._clean_changed)
            self.session.undo_stack.indexChanged.disconnect(self._changed)
        self.session = session
        self._stale = True
        if session is not None:
            session.undo_stack.cleanChanged.connect(self._clean_changed)
            session.undo_stack.indexChanged.connect(self._changed)
        if session is None or not session.modified:
            self.remove()

    def _changed(self, _index: int) -> None:
        self._stale = True

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()

    def save_now(self) -> bool:
        """Autosave if the project changed since the last time; True if a file was written."""
        session = self.session
        if session is None or not session.modified:
            return False
        if not self._stale and self.project_file.exists():
            return False
        try:
            write_autosave(self.project_file, session.project)
        except Exception as exc:  # a timer's slot: nothing may escape, the user is told once
            if isinstance(exc, OSError):
                reason = f"cannot write {exc.filename or self.folder}: {exc.strerror or exc}"
            else:
                reason = explain(exc, "autosave the project")
            if reason != self._failure:
                self._failure = reason
                self.failed.emit(f"Autosave failed: {reason.rstrip('.')}.")
            return False
        self._failure = None
        self._stale = False
        return True

    def remove(self) -> None:
        """Forget the recovery file (after a save, or at a normal exit)."""
        self._stale = True
        Recovery(self.project_file, None, 0.0).discard()

    def stop(self) -> None:
        self._timer.stop()
        self.set_session(None)
        self.remove()
