"""The main window: palette, canvas, inspector, summary, menus and status bar."""

from __future__ import annotations

import atexit
import json
import os
from functools import cache
from pathlib import Path

import shiboken6
from PySide6.QtCore import QMimeData, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from guibuilder.document import (
    SUFFIX,
    Project,
    SaveConflictError,
    load_project,
    save_project,
)
from guibuilder.editing import NODES_MIME
from guibuilder.errors import GuibuilderError, explain, shown_path
from guibuilder.ui import icons, theme
from guibuilder.ui.canvas_menu import CanvasActions
from guibuilder.ui.classroom import ClassroomController
from guibuilder.ui.explain_panel import ExplainPanel, PaletteHelp, explain_action
from guibuilder.ui.export_actions import copy_code_to_clipboard, show_export_dialog
from guibuilder.ui.gallery import new_from_template
from guibuilder.ui.inspect_panel import InspectPanel
from guibuilder.ui.inspector import InspectorPanel
from guibuilder.ui.items import format_count
from guibuilder.ui.live import keras_loader
from guibuilder.ui.model_import import ModelImport, import_project
from guibuilder.ui.palette import PalettePanel
from guibuilder.ui.presentation import PresentationMode
from guibuilder.ui.recovery import Autosaver, Recovery, find_recoveries
from guibuilder.ui.scene import GraphScene
from guibuilder.ui.session import Session
from guibuilder.ui.summary import SummaryPanel
from guibuilder.ui.training_panel import TrainingPanel
from guibuilder.ui.view import GraphView

MODEL_SUFFIXES = (".keras", ".h5")
MAX_RECENT = 8


class MainWindow(QMainWindow):
    """One window editing one project at a time."""

    def __init__(self, load_keras: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.session: Session | None = None
        self.scene: GraphScene | None = None
        self.undo_group = QUndoGroup(self)
        self.autosaver = Autosaver(parent=self)
        self.autosaver.failed.connect(self.statusBar().showMessage)  # kept until the next
        self.setAcceptDrops(True)  # a project or model file dropped anywhere opens it
        self._paste_count = 0

        self.view = GraphView(self)
        self.setCentralWidget(self.view)
        self.palette = PalettePanel()
        self.inspector = InspectorPanel()
        self.summary = SummaryPanel()
        self.palette_dock = self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock(
            "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.summary_dock = self._dock(
            "Summary", self.summary, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.training_panel = TrainingPanel()
        self.training_dock = self._dock(
            "Training", self.training_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.summary_dock, self.training_dock)
        self.inspect_panel = InspectPanel()
        self.inspect_dock = self._dock(
            "Inspect", self.inspect_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.training_dock, self.inspect_dock)
        self.inspect_panel.message.connect(self.show_message)
        self.inspect_dock.visibilityChanged.connect(self.inspect_panel.visibility_changed)
        self.inspect_panel.node_chosen.connect(self.focus_node)
        self.inspect_panel.canvas_overlay.connect(lambda overlay: self.scene.set_overlay(overlay))
        self.training_panel.probe_source = self.inspect_panel.start_live
        self.training_panel.activations.connect(self.inspect_panel.add_snapshot)
        self.training_panel.run_ended.connect(self.inspect_panel.live_ended)
        self.explain_panel = ExplainPanel()
        self.explain_dock = self._dock(
            "What does this layer do?", self.explain_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.explain_dock.setObjectName("ExplainDock")
        self.tabifyDockWidget(self.inspector_dock, self.explain_dock)
        self.inspector_dock.raise_()
        self.summary_dock.raise_()
        self.training_panel.message.connect(self.show_message)
        self.training_panel.start_action.triggered.connect(self.show_training)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks(
            [self.palette_dock, self.inspector_dock], [290, 320], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.summary_dock], [250], Qt.Orientation.Vertical)

        self._status_widgets()
        self._actions()
        self.presentation = PresentationMode(self)
        self.explain_action = explain_action(self, self.explain_layer)
        self.addAction(self.explain_action)
        self.canvas_actions = CanvasActions(self)
        self.palette_help = PaletteHelp(self.palette)
        self.palette_help.explain_requested.connect(self.explain_layer)
        self._menus()
        self._toolbar()
        self.classroom = ClassroomController(self)
        self.menuBar().addMenu("&Help").addAction(self.explain_action)

        self.palette.layer_activated.connect(self.add_layer_at_center)
        self.view.nodes_added.connect(self._select_new)
        self.summary.node_clicked.connect(self.focus_node)
        self.inspector.message.connect(self.show_message)
        keras_loader().finished.connect(self.update_status)

        self.set_session(Session())
        self.resize(1600, 1000)
        if load_keras:
            QTimer.singleShot(200, keras_loader().start)

    # ------------------------------------------------------------------ setup
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _status_widgets(self) -> None:
        bar = self.statusBar()
        self.backend_label = QLabel()
        self.device_label = QLabel()
        self.params_label = QLabel()
        self.build_label = QLabel()
        for label in (self.build_label, self.params_label, self.backend_label, self.device_label):
            bar.addPermanentWidget(label)

    def _action(
        self,
        text: str,
        slot,
        shortcut: QKeySequence | str | list | None = None,
        icon: str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            self._icons[action] = icon
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(shortcut)
        action.setToolTip(tip or text.replace("&", "").replace("…", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _actions(self) -> None:
        self._icons: dict[QAction, str] = {}
        keys = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.new_project, keys.New, "new")
        self.open_action = self._action("&Open…", self.open_dialog, keys.Open, "open")
        self.save_action = self._action("&Save", self.save, keys.Save, "save")
        self.save_as_action = self._action("Save &As…", self.save_as, "Ctrl+Shift+S")
        self.quit_action = self._action("&Quit", self.close, keys.Quit)
        self.template_action = self._action("New from &Template…", lambda: new_from_template(self))
        self.export_action = self._action(
            "&Export…",
            lambda: show_export_dialog(self, self.session.project, self._start_dir()),
            "Ctrl+E",
        )
        self.copy_code_action = self._action(
            "Copy as Co&de",
            lambda: copy_code_to_clipboard(self, self.session.project),
            "Ctrl+Shift+C",
            tip="Copy the model's Python (a build_model function) to the clipboard",
        )
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(keys.Undo)
        self._icons[self.undo_action] = "undo"
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._icons[self.redo_action] = "redo"
        self.copy_action = self._action("&Copy", self.copy, keys.Copy)
        self.paste_action = self._action("&Paste", self.paste, keys.Paste)
        self.duplicate_action = self._action("D&uplicate", self.duplicate, "Ctrl+D")
        self.delete_action = self._action(
            "&Delete",
            self.delete_selection,
            [QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)],
            "delete",
        )
        self.select_all_action = self._action("Select &All", self.select_all, keys.SelectAll)
        self.rename_action = self._action("Re&name", self.rename_selected, "F2")
        self.fit_action = self._action(
            "&Fit View", self.fit_view, "F", "fit", "Fit the model in view"
        )
        self.zoom_in_action = self._action("Zoom &In", lambda: self.view.zoom(1.25), keys.ZoomIn)
        self.zoom_out_action = self._action("Zoom &Out", lambda: self.view.zoom(0.8), keys.ZoomOut)
        self.layout_action = self._action(
            "Auto-&Layout", self.auto_layout, "Ctrl+L", "layout", "Tidy the drawing"
        )
        self.snap_action = self._action("&Snap to Grid", self._toggle_snap)
        self.snap_action.setCheckable(True)
        self.dark_action = self._action("&Dark Theme", self._toggle_theme)
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(theme.current().name == "dark")
        self._paint_icons()

    def _paint_icons(self) -> None:
        for action, name in self._icons.items():
            action.setIcon(icons.icon(name))

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.template_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.copy_action, self.copy_code_action, self.paste_action])
        edit.addAction(self.duplicate_action)
        edit.addActions([self.delete_action, self.rename_action])
        edit.addSeparator()
        edit.addAction(self.select_all_action)
        edit.addSeparator()
        edit.addActions([self.canvas_actions.freeze_action, self.canvas_actions.unfreeze_action])
        view = bar.addMenu("&View")
        view.addActions([self.fit_action, self.zoom_in_action, self.zoom_out_action])
        view.addSeparator()
        view.addActions([self.layout_action, self.snap_action])
        view.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.summary_dock, self.inspect_dock):
            view.addAction(dock.toggleViewAction())
        view.addAction(self.explain_dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self.dark_action)
        view.addSeparator()
        view.addActions(self.presentation.menu_actions())
        train = bar.addMenu("&Train")
        train.addActions(self.training_panel.run_actions())
        train.addSeparator()
        train.addAction(self.training_dock.toggleViewAction())

    def _toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("MainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addActions([self.new_action, self.open_action, self.save_action])
        bar.addSeparator()
        bar.addActions([self.undo_action, self.redo_action])
        bar.addSeparator()
        bar.addAction(self.delete_action)
        bar.addSeparator()
        bar.addActions([self.fit_action, self.layout_action])
        bar.addSeparator()
        bar.addActions(self.training_panel.run_actions())
        self.addToolBar(bar)

    # ---------------------------------------------------------------- session
    def set_session(self, session: Session) -> None:
        """Show ``session``; the previous one is closed."""
        old_scene, old_session = self.scene, self.session
        self.session = session
        self.scene = GraphScene(session)
        self.scene.message.connect(self.show_message)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.view.setScene(self.scene)
        self.undo_group.addStack(session.undo_stack)
        self.undo_group.setActiveStack(session.undo_stack)
        session.title_changed.connect(self.update_title)
        session.shapes.updated.connect(self.update_status)
        self.inspector.set_session(session)
        self.summary.set_session(session)
        self.autosaver.set_session(session)
        self.training_panel.set_session(session)
        self.classroom.set_session(session)
        self.canvas_actions.set_session(session)
        self.inspect_panel.set_session(session)
        if old_scene is not None:
            old_scene.close()
            old_scene.deleteLater()
        if old_session is not None:
            self.undo_group.removeStack(old_session.undo_stack)
            old_session.close()
            old_session.deleteLater()
        self._paste_count = 0
        self.update_title()
        self.update_status()
        QTimer.singleShot(0, self, self.fit_view)

    def update_title(self) -> None:
        if self.session is None:
            return
        self.setWindowTitle(f"{self.session.display_name}[*] — guibuilder")
        self.setWindowModified(self.session.modified)

    def update_status(self) -> None:
        """Backend, device, total parameters and whether the graph builds."""
        loader = keras_loader()
        t = theme.current()
        if loader.ready:
            self.backend_label.setText(f"Keras · {loader.backend}")
            self.device_label.setText(loader.device)
        elif loader.state == "failed":
            self.backend_label.setText("Keras unavailable")
            self.backend_label.setToolTip(loader.error)
            self.device_label.setText("")
        else:
            self.backend_label.setText("Keras loading…")
            self.device_label.setText("")
        if self.session is None:
            return
        graph = self.session.graph
        results = self.session.shapes.results()
        total = sum(info.params for info in results.values())
        self.params_label.setText(f"{format_count(total)} parameters")
        problems = [p.message for p in graph.problems()]
        problems += [info.error for info in results.values() if info.error]
        problems = list(dict.fromkeys(problems))
        if not graph.nodes:
            text, color = "Empty model: drag a layer from the palette", t.muted
        elif problems:
            count = len(problems)
            text = f"✗ Does not build: {count} problem{'s' if count > 1 else ''}"
            color = t.error
        elif any(info.pending for info in results.values()):
            text, color = "Waiting for Keras to check shapes…", t.muted
        else:
            text, color = "✓ Builds", t.ok
        self.build_label.setText(text)
        self.build_label.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.build_label.setToolTip("\n".join(problems))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

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
            self.set_session(Session(project))
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
            self.set_session(Session())

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
        if self.session is None:
            return False
        if self.session.path is None:
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        if self.session is None:
            return False
        start = self.session.path or self._start_dir() / f"model{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self, "Save As", str(start), f"Projects (*{SUFFIX})")
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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.autosaver.stop()
        for dialog in self.findChildren(QDialog):
            dialog.close()  # one still exporting stays open until the export ends
        self.training_panel.shutdown()
        self.inspect_panel.shutdown()
        if self.scene is not None:
            self.scene.close()
        if self.session is not None:
            self.inspector.set_session(None)
            self.summary.set_session(None)
            self.session.close()
        event.accept()

    # ------------------------------------------------------------------ edits
    def _guard(self, action, *args):
        """Run an edit; a refused one is explained in the status bar."""
        try:
            return action(*args)
        except GuibuilderError as exc:
            self.show_message(f"{exc.message}.")
            return None

    def add_layer_at_center(self, type_id: str) -> None:
        if self.session is None:
            return
        center = self.view.center_point()
        taken = {item.pos().toTuple() for item in self.scene.node_items()}
        x, y = center.x(), center.y()
        while (x - 90, y - 32) in taken:
            x, y = x + 30, y + 30
        node_id = self._guard(self.session.add_node, type_id, (x, y))
        if node_id:
            self._select_new([node_id])

    def _select_new(self, node_ids: list[str]) -> None:
        if self.scene is not None:
            self.scene.select_nodes(node_ids)
            self.view.setFocus()

    def delete_selection(self) -> None:
        if self.scene is None or self.session is None:
            return
        self._guard(
            self.session.delete, self.scene.selected_node_ids(), self.scene.selected_edges()
        )

    def copy(self) -> None:
        if self.scene is None or self.session is None:
            return
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        mime = QMimeData()
        mime.setData(NODES_MIME, json.dumps(self.session.copy(ids)).encode("utf-8"))
        _release_clipboard_at_exit()
        QApplication.clipboard().setMimeData(mime)
        self._paste_count = 0
        self.show_message(f"Copied {len(ids)} layer{'s' if len(ids) > 1 else ''}.")

    def paste(self) -> None:
        if self.session is None:
            return
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(NODES_MIME):
            return
        try:
            snippet = json.loads(bytes(mime.data(NODES_MIME).data()).decode("utf-8"))
        except ValueError:
            return
        self._paste_count += 1
        offset = 40.0 * self._paste_count
        ids = self._guard(self.session.paste, snippet, (offset, offset))
        if ids:
            self._select_new(ids)

    def duplicate(self) -> None:
        if self.scene is None or self.session is None:
            return
        ids = self.scene.selected_node_ids()
        if ids:
            new = self._guard(self.session.paste, self.session.copy(ids), (40.0, 40.0))
            if new:
                self._select_new(new)

    def select_all(self) -> None:
        if self.scene is not None:
            for item in self.scene.node_items():
                item.setSelected(True)

    def rename_selected(self) -> None:
        if self.inspector.name_edit is not None:
            self.inspector_dock.show()
            self.inspector.name_edit.setFocus()
            self.inspector.name_edit.selectAll()

    def fit_view(self) -> None:
        self.view.fit()

    def auto_layout(self) -> None:
        if self.session is None:
            return
        from guibuilder.compiler.layout import auto_layout

        positions = self._guard(auto_layout, self.session.graph)
        if positions:
            self.session.set_positions(positions, "Auto-layout")
            self.fit_view()

    def show_example_selection(self) -> None:
        """Select the first layer with parameters, so the inspector shows a real form."""
        if self.session is None or self.scene is None or self.scene.selectedItems():
            return
        graph = self.session.graph
        for node_id in graph.nodes:
            node = graph.node(node_id)
            if node.type_id != "Input" and not node.shares and node.params:
                self.scene.select_nodes([node_id])
                return

    def focus_node(self, node_id: str) -> None:
        """Select ``node_id`` and bring it into view (a click in the summary)."""
        if self.scene is None:
            return
        item = self.scene.node_item(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.ensureVisible(item, 60, 60)

    def explain_layer(self, type_id: str | None = None) -> None:
        """Bring up the "What does this layer do?" panel, on ``type_id`` if given."""
        self.explain_dock.show()
        self.explain_dock.raise_()
        if type_id:
            self.explain_panel.show_type(type_id)
        elif self.scene is not None:
            self._selection_changed()

    def show_training(self) -> None:
        """Bring the training panel to the front."""
        self.training_dock.show()
        self.training_dock.raise_()
        self.resizeDocks([self.training_dock], [400], Qt.Orientation.Vertical)

    def _selection_changed(self) -> None:
        if self.scene is None or not shiboken6.isValid(self.scene):
            return
        ids = self.scene.selected_node_ids()
        self.inspect_panel.show_nodes(ids)  # first: it paints at once when it can
        self.inspector.show_nodes(ids)
        self.summary.select_ids(ids)
        self.explain_panel.show_nodes(self.session.graph if self.session else None, ids)

    def _toggle_snap(self, on: bool) -> None:
        if self.scene is not None:
            self.scene.snap_to_grid = on

    def _toggle_theme(self, dark: bool) -> None:
        theme.apply_theme(QApplication.instance(), theme.DARK if dark else theme.LIGHT)
        QSettings().setValue("theme", theme.current().name)
        self.refresh_theme()

    def refresh_theme(self) -> None:
        """Repaint everything that draws with the theme in use (after ``apply_theme``)."""
        if self.scene is not None:
            for item in self.scene.items():
                item.update()
            for item in self.scene.node_items():
                item.refresh()
        self.summary.refresh()
        self.update_status()
        self._paint_icons()
        self.inspector.show_node(self.inspector.node_id)
        self.explain_panel.refresh_theme()


@cache
def _dropped_file(mime: QMimeData) -> Path | None:
    """The one project or model file a drag carries, if that is what it carries."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in (SUFFIX, *MODEL_SUFFIXES) else None


def _release_clipboard_at_exit() -> None:
    """Take our copied nodes off the clipboard before Python shuts down.

    The clipboard owns the QMimeData made here; left to Qt's own exit handlers it is
    destroyed after the interpreter is gone, and PySide6 crashes the process.
    """
    atexit.register(_drop_copied_nodes)


def _drop_copied_nodes() -> None:
    app = QApplication.instance()
    if app is None:
        return
    mime = app.clipboard().mimeData()
    if mime is not None and mime.hasFormat(NODES_MIME):
        app.clipboard().clear()
