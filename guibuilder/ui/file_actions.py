"""The window's File menu: new, open (a project or a Keras model), save, save as, recent files
and restoring an autosave after a crash.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMimeData, QSettings, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
)

from guibuilder.document import (
    SUFFIX,
    Project,
    SaveConflictError,
    load_project,
    save_project,
)
from guibuilder.document.bundled import is_bundled
from guibuilder.errors import GuibuilderError, explain, shown_path
from guibuilder.ui.dialogs.model_import import ModelImport, import_project
from guibuilder.ui.folders import documents_folder
from guibuilder.ui.recovery import Recovery, find_recoveries
from guibuilder.ui.window_editor import WindowEditor

MODEL_SUFFIXES = (".keras", ".h5")


MAX_RECENT = 8


class FileActions:
    """The file part of :class:`~guibuilder.ui.mainwindow.MainWindow`."""

    # ------------------------------------------------------------------ files
    def load(self, path: str | os.PathLike[str]) -> None:
        """Open a project or import a Keras model; raise ``GuibuilderError`` on a bad file."""
        path = Path(path)
        if path.suffix.lower() in MODEL_SUFFIXES:
            self.show_project(import_project(path))
        else:
            self.show_project(load_project(path))

    def show_project(self, project: Project) -> None:
        """Show a loaded or imported project in place of the open one.

        If showing it fails, the open project is shown again, as it was, and the error
        is raised.
        """
        old = self.session
        try:
            self.set_session(WindowEditor(project))
        except Exception:
            if old is not None and self.session is not old:
                self.set_session(old)
            raise
        if project.warnings:  # kept in the status bar until the next message
            self.statusBar().showMessage("; ".join(project.warnings) + ".")
        if project.path is not None:
            self._add_recent(project.path)

    def open_path(self, path: str | os.PathLike[str]) -> bool:
        """Open ``path``, or explain in a dialog why not, in one sentence; the open
        document stays as it was.

        Every way of opening a file comes here (File > Open, recent files, a drop, the
        command line). A Keras model is imported in a worker thread behind a progress
        dialog that can be cancelled (``self.model_import``); True then means that the
        import has started.
        """
        path = Path(path)
        if path.suffix.lower() in MODEL_SUFFIXES:
            self.model_import = ModelImport(path, self)
            self.model_import.imported.connect(lambda project: self._show_or_explain(project, path))
            self.model_import.failed.connect(self._cannot_open)
            self.model_import.start()
            return True
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.load(path)
        except Exception as exc:
            QApplication.restoreOverrideCursor()
            self._cannot_open(explain(exc, f"open {shown_path(path.name)}"))
            return False
        QApplication.restoreOverrideCursor()
        return True

    def _show_or_explain(self, project: Project, path: Path) -> None:
        try:
            self.show_project(project)
        except Exception as exc:
            self._cannot_open(explain(exc, f"open {shown_path(path.name)}"))

    def _cannot_open(self, text: str) -> None:
        QMessageBox.warning(self, "Cannot open file", f"{text.rstrip('.')}.")

    def open_dropped(self, path: str | os.PathLike[str]) -> bool:
        """Open a file dropped on the window, after asking to save the open one."""
        return self.maybe_save() and self.open_path(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # After the drop has returned to the system: a dialog must not block the drag.
        QTimer.singleShot(0, self, lambda: self.open_dropped(path))

    def offer_recovery(self) -> None:
        """After a crash, offer to restore the newest autosave left behind."""
        recoveries = find_recoveries()
        if not recoveries:
            return
        newest = recoveries[0]
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"guibuilder did not close properly last time. Restore {newest.describe()}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            newest.discard()
            return
        try:
            self.restore(newest)
        except Exception as exc:
            reason = explain(exc, f"restore {newest.describe()}")
            where = newest.set_aside()
            kept = f"; it is kept in {shown_path(where)}" if where else ""
            QMessageBox.warning(self, "Cannot restore", f"{reason.rstrip('.')}{kept}.")

    def restore(self, recovery: Recovery) -> None:
        """Open an autosave as an unsaved document that belongs to its original file."""
        project = recovery.load()
        self.show_project(project)
        session = self.session
        session.undo_stack.resetClean()
        self.update_title()
        recovery.discard()
        self.autosaver.save_now()
        self.show_message(f"Restored {recovery.describe()}.")

    def maybe_save(self) -> bool:
        """Ask before unsaved changes are lost; False means the user cancelled."""
        if self.session is None or not self.session.modified:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.session.display_name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_session(WindowEditor())

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open",
            str(self._start_dir()),
            f"Projects and models (*{SUFFIX} *.keras *.h5);;Projects (*{SUFFIX});;"
            "Keras models (*.keras *.h5);;All files (*)",
        )
        if path:
            self.open_path(path)

    def save(self) -> bool:
        """Save to the project's file; a new, bundled or read-only one asks where (Save As)."""
        if self.session is None:
            return False
        if self.session.path is None or is_bundled(self.session.path):
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        """Ask where to save; a bundled or read-only project starts in the documents folder."""
        if self.session is None:
            return False
        path = self.session.path
        title = "Save As"
        if path is not None and is_bundled(path):
            title = f"Save a copy of {path.name} (the original is not changed)"
            start = documents_folder() / path.name
        else:
            start = path or self._start_dir() / f"model{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self, title, str(start), f"Projects (*{SUFFIX})")
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path += SUFFIX
        return self.save_to(path)

    def save_to(self, path: str | os.PathLike[str], force: bool = False) -> bool:
        """Save the project to ``path``; a failure is shown and returns False.

        When another program saved the file since it was opened here, the user chooses:
        reload it, overwrite it (``force``), or cancel.
        """
        assert self.session is not None
        try:
            save_project(self.session.project, path, force=force)
        except SaveConflictError:
            answer = self.ask_save_conflict(Path(path).name)
            if answer == "overwrite":
                return self.save_to(path, force=True)
            if answer == "reload":
                self.open_path(path)
            return False
        except GuibuilderError as exc:
            QMessageBox.warning(self, "Cannot save", f"{exc}.")
            return False
        except OSError as exc:  # its text names a temporary file and an errno
            reason = (exc.strerror or type(exc).__name__).lower()
            QMessageBox.warning(self, "Cannot save", f"{path} cannot be saved: {reason}.")
            return False
        self.session.project.path = Path(path)
        self.session.undo_stack.setClean()
        self.update_title()
        self._add_recent(Path(path))
        self.show_message(f"Saved {Path(path).name}.")
        return True

    def ask_save_conflict(self, name: str) -> str:
        """Ask what to do about a file changed on disk: "reload", "overwrite" or "cancel"."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "File changed on disk",
            f"{name} was changed on disk by another program since it was opened here. "
            "Reload it (the changes made here are lost), or overwrite it with this "
            "version (the other program's changes are lost)?",
            parent=self,
        )
        reload = box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole)
        overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        clicked = box.clickedButton()
        if clicked is reload:
            return "reload"
        return "overwrite" if clicked is overwrite else "cancel"

    def _start_dir(self) -> Path:
        if self.session is not None and self.session.path is not None:
            return self.session.path.parent
        return Path.cwd()

    def _add_recent(self, path: Path) -> None:
        settings = QSettings()
        recent = [str(path.resolve())]
        recent += [p for p in (settings.value("recent") or []) if p != recent[0]]
        settings.setValue("recent", recent[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in (QSettings().value("recent") or []) if Path(p).exists()]
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(
                lambda _=False, p=path: self.maybe_save() and self.open_path(p)
            )
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)


def _dropped_file(mime: QMimeData) -> Path | None:
    """The one project or model file a drag carries, if that is what it carries."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in (SUFFIX, *MODEL_SUFFIXES) else None
