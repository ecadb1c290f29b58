"""Autosave to a recovery file, and restore after a crash.

Every few seconds, if the open project changed since the last autosave, it is written
(atomically) to ``<app data>/recovery/<pid>.gbproj`` with a small ``<pid>.json`` beside
it naming the original file. A clean save or a normal exit removes both. At start-up a
recovery file whose process is gone is offered for restoring.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from guibuilder.document import (
    Project,
    atomic_write,
    dumps,
    loads,
    remove_stale_temporaries,
    weights_path,
)
from guibuilder.errors import GuibuilderError, explain, shown_path
from guibuilder.ui.session import Session

INTERVAL_MS = 5000


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


@dataclass(frozen=True)
class Recovery:
    """An autosave left behind by a process that is gone."""

    project_file: Path
    source: Path | None
    saved_at: float
    #: The SHA-256 of the original file when it was opened: a save notices later changes.
    source_sha256: str | None = None

    def describe(self) -> str:
        name = shown_path(self.source.name) if self.source else "an untitled project"
        when = time.strftime("%H:%M:%S on %d %b", time.localtime(self.saved_at))
        return f"{name}, autosaved at {when}"

    def load(self) -> Project:
        """The autosaved project; it points at its original file, if it had one.

        Weights that cannot be read beside the original file leave it untrained, with a
        warning, as opening the original would.
        """
        try:
            text = self.project_file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise GuibuilderError(f"{self.project_file.name} is not UTF-8 text") from None
        project, _ = loads(text, self.project_file.name)
        project.path = self.source
        project.file_sha256 = self.source_sha256
        if self.source is not None and weights_path(self.source).is_file():
            from guibuilder.document.weights import WeightStore

            try:
                project.weights = WeightStore.load(weights_path(self.source))
            except GuibuilderError as exc:
                project.warnings.append(f"{exc.message}, so the model starts from fresh weights")
        return project

    def discard(self) -> None:
        for path in (self.project_file, self.project_file.with_suffix(".json")):
            with contextlib.suppress(OSError):
                path.unlink()

    def set_aside(self) -> Path | None:
        """Move an autosave that cannot be restored out of the way, so it is not offered
        again; it is kept in ``failed/`` for a person to look at. Returns that folder, or
        None if it could not be moved (it is then removed)."""
        folder = self.project_file.parent / "failed"
        try:
            folder.mkdir(exist_ok=True)
            for path in (self.project_file, self.project_file.with_suffix(".json")):
                if path.exists():
                    os.replace(path, folder / path.name)
        except OSError:
            self.discard()
            return None
        return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Autosaves of processes that no longer run, newest first.

    Temporary files that a killed autosave left in the folder are removed on the way.
    """
    folder = folder or recovery_dir()
    _remove_stale_temporaries(folder)
    found: list[Recovery] = []
    for meta_file in folder.glob("*.json") if folder.is_dir() else []:
        project_file = meta_file.with_suffix(".gbproj")
        try:
            pid = int(meta_file.stem)
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            source = Path(meta["source"]) if meta.get("source") else None
            saved_at = float(meta["time"])
            digest = meta.get("source_sha256")
            digest = digest if isinstance(digest, str) else None
        except (ValueError, KeyError, TypeError, OSError):
            continue
        if pid != os.getpid() and not _alive(pid) and project_file.is_file():
            found.append(Recovery(project_file, source, saved_at, digest))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files (``.<pid>.gbproj.*.tmp``) of killed autosaves."""
    names = {p.name.split(".")[1] for p in folder.glob(".*.tmp")} if folder.is_dir() else ()
    for stem in names:
        if stem.isdigit():
            remove_stale_temporaries(folder / f"{stem}.gbproj", folder / f"{stem}.json")


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
        self.session: Session | None = None
        self._saved_index: int | None = None
        self._failure: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.save_now)
        self._timer.start()

    @property
    def project_file(self) -> Path:
        return self.folder / f"{os.getpid()}.gbproj"

    def set_session(self, session: Session | None) -> None:
        if self.session is not None:
            self.session.undo_stack.cleanChanged.disconnect(self._clean_changed)
        self.session = session
        self._saved_index = None
        if session is not None:
            session.undo_stack.cleanChanged.connect(self._clean_changed)
        if session is None or not session.modified:
            self.remove()

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()

    def save_now(self) -> bool:
        """Autosave if the project changed since the last time; True if a file was written."""
        session = self.session
        if session is None or not session.modified:
            return False
        index = session.undo_stack.index()
        if index == self._saved_index and self.project_file.exists():
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.project_file, dumps(session.project).encode("utf-8"))
            meta = {
                "source": str(session.path) if session.path else None,
                "source_sha256": session.project.file_sha256,
                "time": time.time(),
            }
            atomic_write(self.project_file.with_suffix(".json"), json.dumps(meta).encode())
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
        self._saved_index = index
        return True

    def remove(self) -> None:
        """Forget the recovery file (after a save, or at a normal exit)."""
        self._saved_index = None
        Recovery(self.project_file, None, 0.0).discard()

    def stop(self) -> None:
        self._timer.stop()
        self.set_session(None)
        self.remove()
