"""Recovery files: a project autosaved beside a note of its original file, found after a crash.

The window writes ``<folder>/<pid>.gbproj`` (atomically) with a small ``<pid>.json``
beside it naming the original file (:func:`write_autosave`); at start-up the autosave of a
process that is gone is offered for restoring (:func:`find_recoveries`). The folder is
the caller's (the window uses its application data folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from guibuilder.document.files import atomic_write, remove_stale_temporaries
from guibuilder.document.io import dumps, loads, weights_path
from guibuilder.document.project import Project
from guibuilder.errors import GuibuilderError, shown_path


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


def write_autosave(project_file: Path, project: Project) -> None:
    """Write ``project`` to ``project_file`` and the note naming its original file beside it."""
    project_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(project_file, dumps(project).encode("utf-8"))
    meta = {
        "source": str(project.path) if project.path else None,
        "source_sha256": project.file_sha256,
        "time": time.time(),
    }
    atomic_write(project_file.with_suffix(".json"), json.dumps(meta).encode())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_recoveries(folder: Path) -> list[Recovery]:
    """Autosaves in ``folder`` of processes that no longer run, newest first.

    Temporary files that a killed autosave left in the folder are removed on the way.
    """
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
