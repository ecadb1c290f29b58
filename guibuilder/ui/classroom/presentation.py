"""Presentation mode: the window as a class sees it on a projector.

Entering the mode (View > Presentation Mode, F5) switches to the high-contrast variant of
the theme with large fonts and thick lines, goes full screen, shows only the panels chosen
for presenting (at first the "What does this layer do?" panel; Alt+1, Alt+2, ... toggle
each panel) and zooms the canvas so the model fills it. F6 hides every panel and tool bar,
and brings them back. Leaving the mode restores exactly what was there: the dock layout,
the theme, the window state and the canvas zoom and position.

What the mode remembers (whether it is on, the text size, which panels it shows) is a user
preference in ``QSettings``, never part of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QPointF, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette, QTransform
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar

from guibuilder.ui import theme
from guibuilder.ui.canvas.view import MIN_SCALE

if TYPE_CHECKING:
    from guibuilder.ui.mainwindow import MainWindow

#: Settings keys (preferences, not project data).
ACTIVE_KEY = "presentation/active"
SCALE_KEY = "presentation/scale"
DOCKS_KEY = "presentation/docks"
#: Panels shown in presentation mode until the user picks others: the layer explanations.
DEFAULT_DOCKS = ("ExplainDock",)
#: The order of the panels' Alt+number keys: left, right, then bottom; others after these.
DOCK_ORDER = (
    "LayersDock",
    "InspectorDock",
    "ExplainDock",
    "SummaryDock",
    "TrainingDock",
    "InspectDock",
)
#: Text size steps (times the usual size) offered by Larger Text and Smaller Text.
MIN_SCALE_STEP, MAX_SCALE_STEP, SCALE_STEP = 1.0, 2.5, 0.25
#: Space around the model when the mode zooms it to fill the canvas (scene units).
FIT_MARGIN = 24.0
#: The longest the way back waits for the panels to refit to the normal font.
SETTLE_MS = 200


@dataclass
class _Before:
    """What the window looked like before presentation mode replaced it."""

    layout: bytes
    window_state: Qt.WindowState
    geometry: QRect
    theme: theme.Theme
    font: QFont
    palette: QPalette
    style_sheet: str
    transform: QTransform
    center: QPointF


class PresentationMode(QObject):
    """Presentation mode and "canvas only" for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self._before: _Before | None = None
        self._hidden_for_canvas: list[QDockWidget | QToolBar] | None = None
        #: The zoom :meth:`fit` chose; while the view still has it, a resize fits again.
        self._fitted: QTransform | None = None
        window.view.viewport().installEventFilter(self)
        self.toggle_action = self._action(
            "&Presentation Mode",
            self.set_active,
            [QKeySequence(Qt.Key.Key_F5), QKeySequence("Ctrl+Shift+P")],
            "Large, high-contrast view for a projector, full screen (F5)",
            checkable=True,
        )
        self.canvas_only_action = self._action(
            "&Canvas Only",
            self.set_canvas_only,
            [QKeySequence(Qt.Key.Key_F6)],
            "Hide every panel and tool bar, or bring them back (F6)",
            checkable=True,
        )
        self.larger_action = self._action(
            "&Larger Text",
            lambda: self.set_scale(self.scale + SCALE_STEP),
            [QKeySequence("Ctrl+Shift+=")],
            "Make the presentation's text larger",
        )
        self.smaller_action = self._action(
            "S&maller Text",
            lambda: self.set_scale(self.scale - SCALE_STEP),
            [QKeySequence("Ctrl+Shift+-")],
            "Make the presentation's text smaller",
        )
        for number, dock in enumerate(self.docks(), start=1):
            dock.toggleViewAction().setShortcut(QKeySequence(f"Alt+{number}"))
        self._update_actions()
        if QSettings().value(ACTIVE_KEY, False, type=bool):
            QTimer.singleShot(0, self, lambda: self.set_active(True))

    def _action(
        self, text: str, slot, keys: list[QKeySequence], tip: str, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self.window)
        action.setShortcuts(keys)
        action.setToolTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.window.addAction(action)  # the keys work with the menu bar hidden too
        return action

    def menu_actions(self) -> list[QAction]:
        """The actions for the View menu, in order."""
        return [
            self.toggle_action,
            self.canvas_only_action,
            self.larger_action,
            self.smaller_action,
        ]

    def docks(self) -> list[QDockWidget]:
        """The window's panels, in :data:`DOCK_ORDER` (others after, by name)."""
        docks = [d for d in self.window.findChildren(QDockWidget) if d.parent() is self.window]
        rank = {name: i for i, name in enumerate(DOCK_ORDER)}
        return sorted(docks, key=lambda d: (rank.get(d.objectName(), len(rank)), d.objectName()))

    # ---------------------------------------------------------- preferences
    @property
    def scale(self) -> float:
        """How many times the usual size the presentation's text is."""
        value = QSettings().value(SCALE_KEY, theme.PRESENTATION_SCALE, type=float)
        return min(MAX_SCALE_STEP, max(MIN_SCALE_STEP, value))

    def shown_docks(self) -> list[str]:
        """The object names of the panels presentation mode shows."""
        text = QSettings().value(DOCKS_KEY, None)
        if text is None:
            return list(DEFAULT_DOCKS)
        return [name for name in str(text).split(",") if name]

    # ----------------------------------------------------------------- mode
    def set_active(self, on: bool) -> None:
        """Enter (True) or leave (False) presentation mode."""
        if on and not self.active:
            self._enter()
        elif not on and self.active:
            self._leave()
        self._update_actions()

    def _enter(self) -> None:
        self.set_canvas_only(False)  # the layout kept for the way back shows every panel
        window, view = self.window, self.window.view
        app = QApplication.instance()
        self._before = _Before(
            layout=window.saveState().data(),
            window_state=window.windowState(),
            geometry=window.normalGeometry(),
            theme=theme.current(),
            font=app.font(),
            palette=app.palette(),
            style_sheet=app.styleSheet(),
            transform=view.transform(),
            center=view.center_point(),
        )
        self.active = True
        self._hidden_for_canvas = None
        self._apply_theme()
        wanted = set(self.shown_docks())
        for dock in self.docks():
            dock.setVisible(dock.objectName() in wanted)
        self._enlarge_docks()
        window.showFullScreen()
        QSettings().setValue(ACTIVE_KEY, True)
        self.fit()

    def _leave(self) -> None:
        window, view = self.window, self.window.view
        before = self._before
        assert before is not None
        if self._hidden_for_canvas is None:
            shown = [d.objectName() for d in self.docks() if d.isVisible()]
            QSettings().setValue(DOCKS_KEY, ",".join(shown))
        self.active = False
        self._hidden_for_canvas = None
        self._before = None
        self._fitted = None
        app = QApplication.instance()
        theme.apply_theme(app, before.theme)
        app.setFont(before.font)
        app.setPalette(before.palette)
        app.setStyleSheet(before.style_sheet)
        window.refresh_theme()
        if before.window_state & Qt.WindowState.WindowFullScreen:
            window.showFullScreen()
        elif before.window_state & Qt.WindowState.WindowMaximized:
            window.showMaximized()
        else:
            window.showNormal()
            window.setGeometry(before.geometry)
        # Panels refit to the restored font in posted events (the training panel's least
        # sizes), which post more: let them all settle, so the old panel sizes are not
        # clamped to presentation sizes.
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, SETTLE_MS)
        window.restoreState(before.layout)
        view.setTransform(before.transform)
        view.centerOn(before.center)
        QSettings().setValue(ACTIVE_KEY, False)

    def _enlarge_docks(self) -> None:
        """Make the panels shown as much larger as their text, so their lines still fit."""
        scale = theme.current().font_scale
        shown = [d for d in self.docks() if d.isVisible() and not d.isFloating()]
        sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        wide = [d for d in shown if self.window.dockWidgetArea(d) in sides]
        tall = [d for d in shown if d not in wide]
        if wide:
            sizes = [round(d.width() * scale) for d in wide]
            self.window.resizeDocks(wide, sizes, Qt.Orientation.Horizontal)
        if tall:
            sizes = [round(d.height() * scale) for d in tall]
            self.window.resizeDocks(tall, sizes, Qt.Orientation.Vertical)

    def _apply_theme(self) -> None:
        base = self._before.theme if self._before is not None else theme.current()
        plain = theme.THEMES.get(base.name, theme.LIGHT)
        theme.apply_theme(QApplication.instance(), theme.presentation(plain, self.scale))
        self.window.refresh_theme()

    def set_scale(self, scale: float) -> None:
        """Set the presentation's text size (kept as a preference) and show it."""
        scale = min(MAX_SCALE_STEP, max(MIN_SCALE_STEP, round(scale / SCALE_STEP) * SCALE_STEP))
        QSettings().setValue(SCALE_KEY, scale)
        if self.active:
            self._apply_theme()
            self.fit()
        self._update_actions()

    def fit(self) -> None:
        """Zoom the canvas so the model fills it, up to the presentation's text size."""
        view = self.window.view
        scene = self.window.scene
        if scene is None:
            return
        rect = scene.nodes_rect()
        if rect.isEmpty():
            view.fit()
            return
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        limit = theme.current().font_scale
        if view.transform().m11() > limit:
            view.setTransform(QTransform.fromScale(limit, limit))
            view.centerOn(rect.center())
        elif view.transform().m11() < MIN_SCALE:
            view.fit()
        self._fitted = view.transform()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the model again when the canvas changes size, unless the user has zoomed."""
        if (
            event.type() == QEvent.Type.Resize
            and self.active
            and self._fitted is not None
            and self.window.view.transform() == self._fitted
        ):
            QTimer.singleShot(0, self, self._refit)
        return False

    def _refit(self) -> None:
        if self.active and self._fitted == self.window.view.transform():
            self.fit()

    # ---------------------------------------------------------- canvas only
    @property
    def canvas_only(self) -> bool:
        """Whether the panels and tool bars are hidden by :meth:`set_canvas_only`."""
        return self._hidden_for_canvas is not None

    def set_canvas_only(self, on: bool) -> None:
        """Hide every panel and tool bar (True), or show again those it hid (False)."""
        if on and self._hidden_for_canvas is None:
            shown: list[QDockWidget | QToolBar] = [d for d in self.docks() if d.isVisible()]
            shown += [b for b in self.window.findChildren(QToolBar) if b.isVisible()]
            for widget in shown:
                widget.hide()
            self._hidden_for_canvas = shown
        elif not on and self._hidden_for_canvas is not None:
            for widget in self._hidden_for_canvas:
                widget.show()
            self._hidden_for_canvas = None
        if self.active:
            self.fit()
        self._update_actions()

    def _update_actions(self) -> None:
        self.toggle_action.setChecked(self.active)
        self.canvas_only_action.setChecked(self.canvas_only)
        self.larger_action.setEnabled(self.active and self.scale < MAX_SCALE_STEP)
        self.smaller_action.setEnabled(self.active and self.scale > MIN_SCALE_STEP)
        self.window.dark_action.setEnabled(not self.active)
