"""One undo step per run of changes made with one control while it keeps the focus.

Scrolling or arrow-keying through a spin box or a combo box sends a value per step; the
editors pass :func:`merge_key` with each change, and the editing layer merges the changes
that share a key (``Editor.set_params(..., merge=key)``). The key changes whenever the focus
moves anywhere, so the next visit to the control starts a new undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget


class _FocusRuns(QObject):
    """Counts the focus changes of the application."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("guibuilder-focus-runs")
        self.run = 0
        app.focusChanged.connect(self._moved)

    def _moved(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self.run += 1


def merge_key(widget: QWidget) -> str | None:
    """The key of the changes made with ``widget`` (a spin box or a combo box) since it took
    the focus; None for other widgets or without the focus: such a change is its own step."""
    app = QApplication.instance()
    stepping = isinstance(widget, QAbstractSpinBox | QComboBox)
    if not stepping or not isinstance(app, QApplication) or not widget.hasFocus():
        return None
    runs = app.findChild(_FocusRuns, "guibuilder-focus-runs") or _FocusRuns(app)
    return f"{id(widget)}:{runs.run}"
