"""The height of the window's bottom docks (summary, training, inspect), kept between runs.

The default leaves the training plots a usable height (about 230 px at 1400x900); a height
the user drags the docks' separator to is remembered (in the settings) and used from then
on, also when *Train* brings the training panel to the front.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar

#: The settings key of the bottom docks' height (px).
HEIGHT_KEY = "window/bottom_docks_height"
#: The bottom docks' height (px) until the user chooses one.
DEFAULT_HEIGHT = 400
#: Below this height (px) the training plots are too small to read: Train restores the height.
USABLE_HEIGHT = 300


def saved_height() -> int:
    """The remembered height of the bottom docks, or the default."""
    value = QSettings().value(HEIGHT_KEY, DEFAULT_HEIGHT, type=int)
    return int(value) if value and value > 0 else DEFAULT_HEIGHT


class BottomDocks(QObject):
    """Sizes the tabbed bottom ``docks`` and remembers the height the user drags them to."""

    def __init__(self, window: QMainWindow, docks: list[QDockWidget]) -> None:
        super().__init__(window)
        self.window = window
        self.docks = docks
        self._restored = False
        window.installEventFilter(self)  # the height is restored when the window shows
        for dock in docks:
            dock.installEventFilter(self)

    @property
    def shown(self) -> QDockWidget:
        """The dock whose tab is on top (the first one while none is drawn)."""
        drawn = (d for d in self.docks if d.isVisible() and not d.visibleRegion().isEmpty())
        return next(drawn, self.docks[0])

    def restore(self) -> None:
        """Give the bottom docks their remembered (or default) height."""
        self.window.resizeDocks([self.shown], [saved_height()], Qt.Orientation.Vertical)

    def ensure_usable(self) -> None:
        """Restore the remembered height if the docks are too low to read the plots."""
        if self.shown.height() < min(USABLE_HEIGHT, saved_height()):
            self.restore()

    def remember(self) -> None:
        """Keep the docks' present height for the next time."""
        dock = self.shown
        if dock.isVisible() and not dock.isFloating() and dock.height() > 0:
            QSettings().setValue(HEIGHT_KEY, dock.height() + self._tabs_height())

    def _tabs_height(self) -> int:
        """The height of the tab bar under the docks, which the height given to them holds."""
        titles = {d.windowTitle() for d in self.docks}
        for bar in self.window.findChildren(QTabBar):
            if bar.isVisible() and any(bar.tabText(i) in titles for i in range(bar.count())):
                return bar.height()
        return 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Show and not self._restored:
            self._restored = True
            QTimer.singleShot(0, self, self.restore)  # once the window has its size
        dragging = QApplication.mouseButtons() & Qt.MouseButton.LeftButton
        if event.type() == QEvent.Type.Resize and dragging and watched is self.shown:
            self.remember()  # the user drags the separator above the docks
        return False
