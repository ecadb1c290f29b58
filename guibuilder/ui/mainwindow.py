"""The main window: palette, canvas, inspector, summary, menus and status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QToolBar,
    QWidget,
)

from guibuilder.ui import icons, theme
from guibuilder.ui.canvas.items import format_count
from guibuilder.ui.canvas.menu import CanvasActions
from guibuilder.ui.canvas.palette import PalettePanel
from guibuilder.ui.canvas.properties import InspectorPanel
from guibuilder.ui.canvas.scene import GraphScene
from guibuilder.ui.canvas.summary import SummaryPanel
from guibuilder.ui.canvas.view import GraphView
from guibuilder.ui.classroom.explanations import ExplainPanel, PaletteHelp, explain_action
from guibuilder.ui.classroom.presentation import PresentationMode
from guibuilder.ui.classroom.teacher import ClassroomController
from guibuilder.ui.dialogs.export import copy_code_to_clipboard, show_export_dialog
from guibuilder.ui.dialogs.gallery import new_from_template
from guibuilder.ui.dock_heights import BottomDocks
from guibuilder.ui.edit_actions import EditActions
from guibuilder.ui.file_actions import FileActions
from guibuilder.ui.inspect.panel import InspectPanel
from guibuilder.ui.live import keras_loader
from guibuilder.ui.recovery import Autosaver
from guibuilder.ui.training.panel import TrainingPanel
from guibuilder.ui.window_editor import WindowEditor


class MainWindow(FileActions, EditActions, QMainWindow):
    """One window editing one project at a time."""

    def __init__(self, load_keras: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.session: WindowEditor | None = None
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
        self.bottom_docks = BottomDocks(
            self, [self.summary_dock, self.training_dock, self.inspect_dock]
        )

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

        self.set_session(WindowEditor())
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
    def set_session(self, session: WindowEditor) -> None:
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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.autosaver.stop()
        self.bottom_docks.remember()
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
